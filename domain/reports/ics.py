"""The contract's scheduled reviews and visits as an iCalendar file (FC-REV), built with the `icalendar` package.

- UIDs come from each review's stable key, so importing the file again updates events instead of duplicating
  them; a review moved or cancelled keeps its UID and changes in place (STATUS:CANCELLED for one no longer owed).
- Times carry the contract's zone with its VTIMEZONE, so calendars in other zones show the right hour.
- The calendar fixes the day; the hour is agreed with the customer. Until then the event holds a slot: an onsite
  review or visit takes the service day (FC-CAL-1 hours), a remote one an hour from REMOTE_STARTS.
- DTSTAMP is the review's last recorded change, not the time of export: two exports of an unchanged schedule are
  byte for byte the same.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from domain.reviews.records import CANCELLED, SCHEDULED
from domain.reviews.rules import ONSITE
from domain.words import N_, _

PRODID = "-//FlexCare bot//Review calendar//EN"
UID_DOMAIN = "flexcare-bot"
REMOTE_STARTS = time(10)
REMOTE_LASTS = timedelta(hours=1)
TITLES = {"start": N_("FlexCare start: welcome call"), "kickoff": N_("Kick-off meeting"),
          "remote_review": N_("Remote review"), "technical_review": N_("Quarterly technical review"),
          "business_review": N_("Quarterly business review"), "strategy_review": N_("Quarterly strategy review"),
          "onsite_visit": N_("Onsite visit"), "support_statistics": N_("Quarterly support statistics and KPI analysis")}
MODES = {"onsite": N_("onsite"), "remote": N_("remote")}


class ContractTerms(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def customer(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def service_opens(self) -> time: ...
    @property
    def service_closes(self) -> time: ...


class ScheduledReview(Protocol):
    """What a calendar event reads from a review (domain.reviews.records.Review fits)."""

    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def scope(self) -> str | None: ...
    @property
    def owner(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def scheduled_on(self) -> date: ...
    @property
    def generated_at(self) -> datetime: ...
    @property
    def confirmed_at(self) -> datetime | None: ...
    @property
    def rescheduled_at(self) -> datetime | None: ...
    @property
    def held_at(self) -> datetime | None: ...


def review_uid(review: ScheduledReview) -> str:
    return f"{review.key}@{UID_DOMAIN}"


def review_calendar(contract: ContractTerms, reviews: Sequence[ScheduledReview]) -> bytes:
    """The whole schedule, in date order, as RFC 5545 bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("FlexCare reviews: %(contract)s (%(customer)s)", contract=contract.id,
                                   customer=contract.customer))
    calendar.add("x-wr-timezone", contract.timezone)
    for review in sorted(reviews, key=lambda r: (r.scheduled_on, r.key)):
        calendar.add_component(_event(contract, review))
    calendar.add_missing_timezones()  # VTIMEZONE for the contract's zone, from the tz database
    return bytes(calendar.to_ical())


def _event(contract: ContractTerms, review: ScheduledReview) -> Event:
    zone = ZoneInfo(contract.timezone)
    if review.mode == ONSITE:
        starts = datetime.combine(review.scheduled_on, contract.service_opens, zone)
        ends = datetime.combine(review.scheduled_on, contract.service_closes, zone)
    else:
        starts = datetime.combine(review.scheduled_on, REMOTE_STARTS, zone)
        ends = starts + REMOTE_LASTS
    title = _(TITLES.get(review.kind, review.kind))
    scope = f" · {review.scope}" if review.scope else ""
    event = Event()
    event.add("uid", review_uid(review))
    event.add("dtstamp", _last_change(review))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", _("%(title)s (%(role)s%(scope)s), %(mode)s", title=title, role=review.role, scope=scope,
                           mode=_(MODES.get(review.mode, review.mode))))
    event.add("description", _("%(title)s for %(customer)s (FlexCare contract %(contract)s). Owner: %(role)s, Slack "
                               "user %(owner)s. Held %(mode)s. Manage it with /flexcare reviews.", title=title,
                               customer=contract.customer, contract=contract.id, role=review.role,
                               owner=review.owner, mode=_(MODES.get(review.mode, review.mode))))
    event.add("location", _("Onsite at %(customer)s", customer=contract.customer) if review.mode == ONSITE
              else _("Remote"))
    event.add("categories", [review.kind, review.mode])
    event.add("status", "CANCELLED" if review.status == CANCELLED else
              "TENTATIVE" if review.status == SCHEDULED else "CONFIRMED")
    event.add("sequence", 1 if review.rescheduled_at is not None else 0)
    event.add("x-flexcare-owner", review.owner)
    event.add("x-flexcare-mode", review.mode)
    return event


def _last_change(review: ScheduledReview) -> datetime:
    changes = [at for at in (review.generated_at, review.confirmed_at, review.rescheduled_at, review.held_at) if at]
    return max(changes)
