"""The service clock: how much service time lies between two instants (FC-CAL, FC-DEC-6, FC-DEC-7).

Every instant is handled in UTC; each business day contributes one half-open window
[opens, closes) built from local wall-clock times, so 08:00-17:00 is nine hours on both sides of a
DST change while a 24x7 clock counts real elapsed time. The walk steps over days, never minutes,
and each day costs one dict lookup once its window is known.
"""

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

from domain.calendar.location import closed_days, validate_location, zone_named

MAX_IDLE_DAYS = 3660  # ten years without a single open hour means the calendar is misconfigured
_WINDOW_CACHE_SIZE = 8192  # per calendar: more than a ten-year walk, small enough to keep
_UNKNOWN = object()  # a memo miss, told apart from a closed day (None)
_ZERO = timedelta(0)
_NO_EARLY_CLOSINGS: Mapping[date, time] = MappingProxyType({})
_Window = tuple[datetime, datetime] | None


class CalendarTerms(Protocol):
    """What a contract tells the calendar (FC-CON-3, FC-CAL, FC-DEC-6, FC-DEC-9, FC-INC-2)."""

    @property
    def country(self) -> str: ...
    @property
    def subdivision(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def base_support(self) -> str: ...  # "standard" (24x7) or "basic" (business hours)
    @property
    def ftc_clock(self) -> str | None: ...  # None or "service_hours" (FC-DEC-6)
    @property
    def service_opens(self) -> time: ...
    @property
    def service_closes(self) -> time: ...
    @property
    def extra_holidays(self) -> Collection[date]: ...
    @property
    def early_closings(self) -> Mapping[date, time]: ...
    @property
    def ftc_hours(self) -> Mapping[int, float]: ...


class ServiceCalendar:
    """Service hours at one location (FC-CAL-1..3), or around the clock (FC-CAL-2).

    Results come back in the location's zone. `service_time_between` is the exact inverse of
    `add_service_time`, so compliance is judged on elapsed service time, never on wall clocks.
    """

    __slots__ = (
        "_windows",
        "_zone",
        "around_the_clock",
        "closes",
        "country",
        "early_closings",
        "extra_holidays",
        "opens",
        "subdivision",
        "timezone",
    )

    def __init__(
        self,
        *,
        country: str,
        subdivision: str | None,
        timezone: str,
        around_the_clock: bool = False,
        opens: time = time(8),
        closes: time = time(17),
        extra_holidays: Collection[date] = frozenset(),
        early_closings: Mapping[date, time] = _NO_EARLY_CLOSINGS,
    ) -> None:
        validate_location(country, subdivision, timezone)
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError("Service opening and closing times must be local wall-clock times with no zone.")
        if not opens < closes:
            raise ValueError(f"Service hours must open before they close; got {opens} to {closes}.")
        self.country, self.subdivision, self.timezone = country, subdivision, timezone
        self.around_the_clock, self.opens, self.closes = around_the_clock, opens, closes
        self.extra_holidays = frozenset(extra_holidays)
        self.early_closings: Mapping[date, time] = MappingProxyType(dict(early_closings))
        self._zone = zone_named(timezone)
        self._windows: dict[int, _Window] = {}

    def __repr__(self) -> str:
        hours = "24x7" if self.around_the_clock else f"{self.opens:%H:%M}-{self.closes:%H:%M}"
        place = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        return f"<ServiceCalendar {place} {self.timezone} {hours}>"

    @classmethod
    def for_contract(cls, contract: CalendarTerms) -> "ServiceCalendar":
        """The contract's FTC clock: 24x7 on a standard base unless `ftc_clock: service_hours` (FC-DEC-6)."""
        if contract.base_support not in ("standard", "basic"):
            raise ValueError(
                f"The base support {contract.base_support!r} is unknown; "
                "it must be 'standard' (24x7) or 'basic' (business hours) (FC-CON-1)."
            )
        if contract.ftc_clock not in (None, "service_hours"):
            raise ValueError(
                f"The FTC clock {contract.ftc_clock!r} is unknown; "
                "leave it out or set 'service_hours' (FC-DEC-6)."
            )
        around = contract.base_support == "standard" and contract.ftc_clock is None
        return _calendar_for(contract, around_the_clock=around)

    @classmethod
    def business_hours_for(cls, contract: CalendarTerms) -> "ServiceCalendar":
        """The location's service hours even on a 24x7 contract, e.g. a NASE's working hours (FC-INC-4)."""
        return _calendar_for(contract, around_the_clock=False)

    def add_service_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of service time has elapsed since `start`.

        Opened outside service hours, the clock starts at the next opening; a target that ends
        exactly at closing is due at that closing instant, not at the next opening (FC-DEC-7).
        """
        start_utc = _as_utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"A service duration cannot be negative; got {duration}.")
        if self.around_the_clock:
            return (start_utc + duration).astimezone(self._zone)
        ordinal = start_utc.astimezone(self._zone).toordinal()
        remaining, idle = duration, 0
        while idle < MAX_IDLE_DAYS:
            window = self._window(ordinal)
            if window is not None:
                opens_at, closes_at = window
                at = start_utc if start_utc > opens_at else opens_at
                if at < closes_at:
                    if remaining <= closes_at - at:  # `<=`: landing on the close stays there (FC-DEC-7)
                        return (at + remaining).astimezone(self._zone)
                    remaining -= closes_at - at
                    idle = -1
            idle += 1
            ordinal += 1
        raise self._no_service_error(ordinal - MAX_IDLE_DAYS)

    def service_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Service time elapsed from `start` to `end`; zero if `end` is not after `start`."""
        start_utc, end_utc = _as_utc(start, "start"), _as_utc(end, "end")
        if end_utc <= start_utc:
            return _ZERO
        if self.around_the_clock:
            return end_utc - start_utc
        total = _ZERO
        last = end_utc.astimezone(self._zone).toordinal()
        for ordinal in range(start_utc.astimezone(self._zone).toordinal(), last + 1):
            window = self._window(ordinal)
            if window is not None:
                low, high = max(start_utc, window[0]), min(end_utc, window[1])
                if low < high:
                    total += high - low
        return total

    def is_service_time(self, at: datetime) -> bool:
        """Whether `at` lies in service hours (always, on a 24x7 clock)."""
        at_utc = _as_utc(at, "at")
        if self.around_the_clock:
            return True
        window = self._window(at_utc.astimezone(self._zone).toordinal())
        return window is not None and window[0] <= at_utc < window[1]

    def next_service_start(self, at: datetime) -> datetime:
        """`at` itself if it is service time, else the next opening; in the location's zone."""
        at_utc = _as_utc(at, "at")
        if self.around_the_clock:
            return at_utc.astimezone(self._zone)
        first = at_utc.astimezone(self._zone).toordinal()
        for ordinal in range(first, first + MAX_IDLE_DAYS):
            window = self._window(ordinal)
            if window is not None and at_utc < window[1]:
                return max(at_utc, window[0]).astimezone(self._zone)
        raise self._no_service_error(first)

    def _window(self, ordinal: int) -> _Window:
        """The UTC [open, close) of the local day `ordinal`, or None if it is closed; memoised."""
        cached = self._windows.get(ordinal, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached  # type: ignore[return-value]
        day = date.fromordinal(ordinal)
        window = None
        closed = day in self.extra_holidays or day in closed_days(self.country, self.subdivision, day.year)
        if not closed:
            closes = min(self.closes, self.early_closings.get(day, self.closes))  # only ever earlier
            opens_at = datetime.combine(day, self.opens, self._zone).astimezone(UTC)
            closes_at = datetime.combine(day, closes, self._zone).astimezone(UTC)
            window = (opens_at, closes_at) if opens_at < closes_at else None
        if len(self._windows) >= _WINDOW_CACHE_SIZE:
            self._windows.clear()  # memo only; a racing reader just recomputes
        self._windows[ordinal] = window
        return window

    def _no_service_error(self, ordinal: int) -> ValueError:
        return ValueError(
            f"{self!r} has no service hours in the {MAX_IDLE_DAYS} days from {date.fromordinal(ordinal)}; "
            "check its holidays, early closings and service hours."
        )


def _as_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"The {name} instant {moment} has no time zone; pass a timezone-aware datetime.")
    return moment.astimezone(UTC)


def _calendar_for(contract: CalendarTerms, *, around_the_clock: bool) -> ServiceCalendar:
    return _cached_calendar(
        contract.country,
        contract.subdivision,
        contract.timezone,
        around_the_clock,
        contract.service_opens,
        contract.service_closes,
        frozenset(contract.extra_holidays),
        frozenset(contract.early_closings.items()),
    )


@lru_cache(maxsize=512)
def _cached_calendar(
    country: str,
    subdivision: str | None,
    timezone: str,
    around_the_clock: bool,
    opens: time,
    closes: time,
    extra_holidays: frozenset[date],
    early_closings: frozenset[tuple[date, time]],
) -> ServiceCalendar:
    # Shared per contract terms, so the memoised day windows outlive a single request.
    return ServiceCalendar(
        country=country,
        subdivision=subdivision,
        timezone=timezone,
        around_the_clock=around_the_clock,
        opens=opens,
        closes=closes,
        extra_holidays=extra_holidays,
        early_closings=dict(early_closings),
    )
