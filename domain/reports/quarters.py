"""Quarters of the calendar year as a contract's people name them (FC-REV): `2026-Q3`, `this`, or the last full one.

A quarter's bounds are midnights in the contract's time zone (FC-CAL-4: the zone serves display and
periods; instants stay UTC), so an incident opened at 00:30 on 1 July in Taipei belongs to Q3 there.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from domain.errors import FlexcareError
from domain.words import _

THIS = "this"
_LABEL = re.compile(r"^(?P<year>\d{4})-?Q(?P<number>[1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)

    @property
    def months(self) -> list[date]:
        """The first day of each of its three months."""
        return [date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def starts_at(self, zone: str) -> datetime:
        """Midnight starting the quarter in `zone`, as a UTC instant."""
        return local_midnight(self.first_day, zone)

    def ends_at(self, zone: str) -> datetime:
        """Midnight ending the quarter in `zone` (exclusive), as a UTC instant."""
        return local_midnight(self.next_first_day, zone)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_full_quarter(today: date) -> Quarter:
    """The quarter before the one containing `today`: the default report (FC-REV)."""
    return quarter_of(today).previous()


def is_quarter_word(word: str) -> bool:
    return word.lower() == THIS or _LABEL.match(word.strip()) is not None


def parse_quarter(text: str | None, *, today: date) -> Quarter:
    """`2026-Q3` (also `2026Q3`, any case), `this` (the quarter so far), or nothing: the last full quarter."""
    if text is None or not text.strip():
        return last_full_quarter(today)
    if text.strip().lower() == THIS:
        return quarter_of(today)
    match = _LABEL.match(text.strip())
    if match is None:
        raise FlexcareError(_("%(text)s is not a quarter. Write it like `2026-Q3`, or `this` for the quarter so far; "
                              "leave it out for the last full quarter.", text=text))
    quarter = Quarter(int(match["year"]), int(match["number"]))
    if quarter > quarter_of(today):
        raise FlexcareError(_("%(quarter)s has not started yet. Choose `this` or an earlier quarter.",
                              quarter=quarter.label))
    return quarter


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
