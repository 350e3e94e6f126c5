"""Pure points rules (FC-PTS, FC-TRM, FC-DEC): prices, notice, which year pays. Values in, values out.

Every amount is an integer number of tenths of a point (FC-DEC-3); nothing here reads the clock
or a database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain import formats
from domain.errors import FlexcareError, OutsideTerm
from domain.words import _

NOTICE_DAYS = 21  # FC-PTS-4, FC-TRM-1: three weeks' notice
SURCHARGE_PERCENT = 50  # FC-PTS-4: the vendor may charge 50% more at shorter notice
TENTHS_PER_POINT = 10


class YearTerms(Protocol):
    """What a contract year tells the rules (domain.contracts.records.ContractYear fits)."""

    @property
    def number(self) -> int: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...


@dataclass(frozen=True)
class Price:
    """What a request costs, every part exact in tenths (FC-PTS-3, FC-PTS-4, FC-DEC-2, FC-DEC-3)."""

    base_tenths: int
    surcharge_tenths: int
    notice_days: int
    normal_price_from: date  # the first service day that the normal price applies to, booked today

    @property
    def total_tenths(self) -> int:
        return self.base_tenths + self.surcharge_tenths

    @property
    def short_notice(self) -> bool:
        return self.surcharge_tenths > 0


def local_day(instant: datetime, zone: str) -> date:
    """The calendar day at `instant` in the contract's zone (FC-DEC-2 counts days there, never in UTC)."""
    if instant.tzinfo is None:
        raise ValueError(f"refusing the naive instant {instant!r}; pass an aware UTC instant")
    return instant.astimezone(ZoneInfo(zone)).date()


def notice_days(requested_at: datetime, service_on: date, zone: str) -> int:
    """Calendar days from the day of the request to the service day, both in the contract's zone (FC-DEC-2)."""
    return (service_on - local_day(requested_at, zone)).days


def notice_surcharge(base_tenths: int, days_of_notice: int) -> int:
    """FC-PTS-4 / FC-DEC-2 / FC-DEC-3: +50% below 21 days' notice, exact in tenths, never rounded."""
    if days_of_notice >= NOTICE_DAYS:
        return 0
    surcharge, remainder = divmod(base_tenths * SURCHARGE_PERCENT, 100)
    if remainder:
        # Menu prices are whole points (domain.points.menu), so this cannot happen; refusing beats
        # rounding a customer's points away without anyone noticing (FC-DEC-3).
        raise ValueError(f"a {SURCHARGE_PERCENT}% surcharge on {base_tenths} tenths is not a whole number of tenths")
    return surcharge


def price(*, unit_tenths: int, units: int, requested_at: datetime, service_on: date, zone: str) -> Price:
    """Menu price x units, plus the short-notice surcharge (FC-PTS-3, FC-PTS-4, FC-DEC-2, FC-DEC-3)."""
    if units < 1:
        raise ValueError(f"units must be at least 1, not {units}")
    base = unit_tenths * units
    days = notice_days(requested_at, service_on, zone)
    return Price(base_tenths=base, surcharge_tenths=notice_surcharge(base, days), notice_days=days,
                 normal_price_from=normal_price_from(local_day(requested_at, zone)))


def normal_price_from(request_day: date) -> date:
    """The earliest service day that a request made on `request_day` books at the normal price (FC-PTS-4)."""
    return request_day + timedelta(days=NOTICE_DAYS)


def last_normal_price_booking_day(year_ends_on: date) -> date:
    """The last day to book the year's final day at the normal price before its points expire (FC-PTS-1, 4)."""
    return year_ends_on - timedelta(days=NOTICE_DAYS)


def year_has_ended(year: YearTerms, *, now: datetime, zone: str) -> bool:
    """A year ends when its last day ends in the contract's zone; its points are then gone (FC-PTS-1)."""
    return local_day(now, zone) > year.ends_on


def expires_at(year: YearTerms, zone: str) -> datetime:
    """The instant a year's unused points expire: midnight after its last day, contract time (FC-PTS-1)."""
    midnight = datetime.combine(year.ends_on + timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
    return midnight.astimezone(UTC)


def paying_year(years: Sequence[YearTerms], service_on: date) -> YearTerms:
    """FC-DEC-1: the contract year that contains the service day pays; a day outside the term is refused."""
    for year in years:
        if year.starts_on <= service_on <= year.ends_on:
            return year
    first = min((y.starts_on for y in years), default=None)
    last = max((y.ends_on for y in years), default=None)
    raise OutsideTerm(_("%(day)s is outside this contract's term (%(start)s to %(end)s). Choose a service day "
                        "inside the term.", day=formats.iso_date(service_on), start=first and formats.iso_date(first),
                        end=last and formats.iso_date(last)))


def check_service_day(service_on: date, *, today: date) -> None:
    """A service cannot be booked for a day that has passed (contract time)."""
    if service_on < today:
        raise FlexcareError(_("%(day)s has already passed. Choose today or a later day.",
                              day=formats.iso_date(service_on)))


def points_text(tenths: int) -> str:
    """`12`, `4.5`, `1,000`, `-3`: a number of points as people read it in their language, exact (FC-DEC-3)."""
    return formats.points(tenths)


def points_number(tenths: int) -> str:
    """`1000`, `4.5`, `-3`: the same exact number for files and logs (CSV, the ledger's reasons), never grouped."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), TENTHS_PER_POINT)
    return f"{sign}{whole}" if tenth == 0 else f"{sign}{whole}.{tenth}"


class NotEnoughPoints(FlexcareError):
    """A year's available points do not cover a charge (FC-PTS-1: never negative)."""

    def __init__(self, *, needed: int, available: int, year: int) -> None:
        super().__init__(_("Not enough points: this needs %(needed)s points and contract year %(year)s has "
                           "%(available)s available. Choose a smaller service or fewer days, or ask your vendor "
                           "account manager about buying more points for that year.",
                           needed=points_text(needed), available=points_text(available), year=year))
        self.needed, self.available, self.year = needed, available, year
