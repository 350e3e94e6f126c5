"""A contract's location: its time zone and its closed days (FC-CON-3, FC-CAL-1, FC-CAL-3, FC-DEC-9).

Holiday data comes from the `holidays` package, built lazily one year at a time and frozen into a
plain `frozenset` of dates. A `holidays` object expands itself (mutates) on lookup, so one is never
shared: each is built, read and dropped inside `closed_days` under a lock, and only the frozen set is
published to other threads.
"""

import threading
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from holidays.constants import BANK, PUBLIC

# FC-DEC-9: public and bank holidays, as far as the country defines each (asking for a category the
# country lacks raises in `holidays`; GB, US, HK and TW have no `bank`).
WANTED_CATEGORIES = frozenset({PUBLIC, BANK})

_lock = threading.Lock()
_closed: dict[tuple[str, str | None, tuple[str, ...], int], frozenset[date]] = {}


def validate_location(country: str, subdivision: str | None, timezone: str) -> None:
    """Raise `ValueError` naming whichever of the zone, country or subdivision is unknown (FC-CON-3).

    A subdivision adds its own holidays; without one only national holidays apply (FC-DEC-9). GB
    therefore needs one in practice: plain "GB" lacks Easter Monday and the bank holidays of May
    and August, which are England's (ENG), Wales' (WLS) and so on.
    """
    zone_named(timezone)
    holiday_categories(country, subdivision)


@lru_cache(maxsize=256)
def zone_named(timezone: str) -> ZoneInfo:
    """The IANA zone `timezone`, or a `ValueError` sentence naming it."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"The time zone {timezone!r} is not a known IANA zone name; use one such as 'Europe/London'."
        ) from None


@lru_cache(maxsize=256)
def holiday_categories(country: str, subdivision: str | None) -> tuple[str, ...]:
    """The closing categories for a location (FC-DEC-9); a `ValueError` sentence for an unknown place."""
    try:
        national = holidays.country_holidays(country)
    except (NotImplementedError, ValueError, KeyError):
        raise ValueError(
            f"The country {country!r} is not one the holidays package knows; "
            "give an ISO 3166-1 alpha-2 code such as 'GB' or 'US'."
        ) from None
    if subdivision is not None:
        try:
            holidays.country_holidays(country, subdiv=subdivision)
        except (NotImplementedError, ValueError, KeyError):
            known = ", ".join(type(national).subdivisions) or "none"
            raise ValueError(
                f"The subdivision {subdivision!r} does not exist in {country} (known: {known}); "
                "give one of those, or leave it out for national holidays only."
            ) from None
    supported = set(type(national).supported_categories)
    return tuple(sorted(WANTED_CATEGORIES & supported)) or (PUBLIC,)


def closed_days(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Every date of `year` that is not a business day at the location (FC-CAL-1, FC-CAL-3).

    That is a weekend day of the country's own calendar (HK: Sunday only), unless it is a make-up
    working day (TW), or a public/bank holiday with substitute days observed. Folding weekends in
    here makes the per-day test a single set lookup, and handles countries whose weekend changed.
    """
    categories = holiday_categories(country, subdivision)
    key = (country, subdivision, categories, year)
    found = _closed.get(key)
    if found is None:
        with _lock:
            found = _closed.get(key)
            if found is None:
                found = _closed[key] = _build_closed_days(country, subdivision, categories, year)
    return found


def _build_closed_days(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int
) -> frozenset[date]:
    # Neighbouring years too: a make-up working day can be declared by the next or previous year's data.
    years = range(max(1, year - 1), min(9999, year + 1) + 1)
    calendar = holidays.country_holidays(
        country, subdiv=subdivision, categories=categories, observed=True, years=years
    )
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1))
    return frozenset(day for day in days if not calendar.is_working_day(day))
