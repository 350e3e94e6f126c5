"""Point-expiry reminders as pure rules (FC-PTS-1, FC-PTS-4, FC-DEC-8): when each one goes out, which one a
sweep posts, and what the expiring points would still buy.

For a contract year with points available, reminders go out 90, 30 and 7 days before its points expire
(the midnight after its last day, contract time) and on the last day to book its final day at the normal
price (21 days before that day, FC-PTS-4). Each goes out at 09:00 contract time on a business day of the
contract's location (FC-DEC-8); a day that is not one moves to the business day before it, so a reminder
never arrives after the day it is about. After downtime only the latest due reminder is posted (marked
late when its day has passed); the earlier ones would only repeat it with older figures.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.calendar.location import closed_days
from domain.points.menu import ServiceMenu
from domain.points.rules import NOTICE_DAYS, SURCHARGE_PERCENT, YearTerms, last_normal_price_booking_day

SEND_AT = time(9)  # FC-DEC-8
DAYS_BEFORE_EXPIRY = (90, 30, 7)
LAST_NORMAL_PRICE = "last-normal-price-day"
LOOKAHEAD_DAYS = max(DAYS_BEFORE_EXPIRY) + 7  # a reminder day moved back over a long holiday stays inside


class PlaceTerms(Protocol):
    """Where a contract is: its business days (FC-CAL-1, FC-CAL-3, FC-DEC-9)."""

    @property
    def country(self) -> str: ...
    @property
    def subdivision(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def extra_holidays(self) -> Collection[date]: ...


@dataclass(frozen=True)
class ExpiryReminder:
    stage: str  # 90-days | 30-days | 7-days | last-normal-price-day
    day: date  # the contract-local business day it goes out
    at: datetime  # 09:00 that day, in UTC


@dataclass(frozen=True)
class Affordable:
    """One menu service the expiring points still pay for, at its cheapest way of delivery."""

    code: str
    name: str
    unit: str  # request | day
    delivery: str
    hours: str
    price_tenths: int  # per unit, with the short-notice surcharge when it applies (FC-PTS-4)
    units: int


def is_business_day(place: PlaceTerms, day: date) -> bool:
    return day not in place.extra_holidays and day not in closed_days(place.country, place.subdivision, day.year)


def business_day_on_or_before(place: PlaceTerms, day: date) -> date:
    for back in range(366):  # a year without a business day is a misconfigured calendar
        candidate = day - timedelta(days=back)
        if is_business_day(place, candidate):
            return candidate
    raise ValueError(f"no business day in the year before {day} at {place.country}; check the contract's holidays")


def expires_on(year: YearTerms) -> date:
    """The first day without the year's points: they expire at the midnight that starts it (FC-PTS-1)."""
    return year.ends_on + timedelta(days=1)


def expiry_reminders(year: YearTerms, place: PlaceTerms) -> list[ExpiryReminder]:
    """Every reminder of the year, in time order; none before the year starts (a short last year)."""
    gone = expires_on(year)
    planned = [(f"{days}-days", gone - timedelta(days=days)) for days in DAYS_BEFORE_EXPIRY]
    planned.append((LAST_NORMAL_PRICE, last_normal_price_booking_day(year.ends_on)))
    zone = ZoneInfo(place.timezone)
    reminders = []
    for stage, day in planned:
        sent_on = business_day_on_or_before(place, day)
        if sent_on >= year.starts_on:
            at = datetime.combine(sent_on, SEND_AT, zone).astimezone(UTC)
            reminders.append(ExpiryReminder(stage, sent_on, at))
    return sorted(reminders, key=lambda r: (r.at, r.stage))


def reminder_key(contract_id: str, year_number: int, stage: str) -> str:
    return f"points:{contract_id}:{year_number}:expiry-reminder:{stage}"


def reminder_to_post(reminders: list[ExpiryReminder], *, now: datetime, written: Collection[str],
                     local_today: date, expiry: datetime) -> tuple[ExpiryReminder, bool] | None:
    """The latest reminder due at `now` and whether it is late (its day has passed), unless it or a later one
    was written already, or the points have expired meanwhile."""
    if now >= expiry:
        return None
    due = [r for r in reminders if r.at <= now]
    if not due:
        return None
    latest = due[-1]
    if any(r.stage in written for r in reminders[reminders.index(latest):]):
        return None
    return latest, local_today > latest.day


def short_notice_from(reminder_day: date, year: YearTerms) -> bool:
    """Whether every service day left in the year is under three weeks away (FC-PTS-4, FC-DEC-2)."""
    return (year.ends_on - reminder_day).days < NOTICE_DAYS


def still_buys(menu: ServiceMenu, available_tenths: int, *, short_notice: bool) -> list[Affordable]:
    """Each menu service the points pay for at least once, at its cheapest price, with how many units."""
    found = []
    for item in menu.items:
        (delivery, hours), unit = min(item.prices.items(), key=lambda kv: (kv[1], kv[0]))
        price = unit + (unit * SURCHARGE_PERCENT // 100 if short_notice else 0)
        units = available_tenths // price
        if units >= 1:
            found.append(Affordable(item.code, item.name, item.unit, delivery, hours, price, units))
    return found
