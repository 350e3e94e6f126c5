"""Days, times, numbers and percentages as the current reader's language writes them (issue 10), with Babel (CLDR).

One table of patterns per language, read by `domain.words.current_language()`. The English patterns reproduce
what the bot always showed (`Thu 24 Dec 2026`, `2026-12-24`, `16:00`, `1,000`), so only other languages change;
zh-TW reads `2026年12月24日 週四`, `下午4:00`. Machine-readable output (CSV, iCalendar, ledger keys) never comes
through here: it stays ISO 8601 and plain numbers whatever the reader's language.
"""

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

from domain.words import DEFAULT_LANGUAGE, LANGUAGES, current_language

BABEL_LOCALE = {"en": "en", "zh-TW": "zh_Hant_TW"}  # our language codes to CLDR's
TENTHS = Decimal(10)  # points are integers in tenths (FC-DEC-3)
POINTS_PATTERN = "#,##0.#"  # whole points bare, a half point as .5; never rounded (tenths have one digit)


# CLDR patterns by what they show; English ones are what the bot has always printed.
WEEKDAY_DATE = {"en": "EEE dd MMM y", "zh-TW": "y年M月d日 EEE"}  # Thu 24 Dec 2026 / 2026年12月24日 週四
LONG_DATE = {"en": "dd MMM y", "zh-TW": "y年M月d日"}  # 24 Dec 2026 / 2026年12月24日
ISO_DATE = {"en": "yyyy-MM-dd", "zh-TW": "y年M月d日"}  # where English shows 2026-12-24
MONTH_YEAR = {"en": "MMM y", "zh-TW": "y年M月"}  # Dec 2026 / 2026年12月
FULL_MONTH_YEAR = {"en": "MMMM y", "zh-TW": "y年M月"}  # December 2026 / 2026年12月
CLOCK = {"en": "HH:mm", "zh-TW": "ah:mm"}  # 16:00 / 下午4:00
WALL_CLOCK = {"en": "EEE dd MMM HH:mm", "zh-TW": "M月d日 EEE ah:mm"}  # then the zone's abbreviation
UTC_INSTANT = {"en": "yyyy-MM-dd HH:mm", "zh-TW": "y年M月d日 ah:mm"}  # then "UTC"
PATTERNS = (WEEKDAY_DATE, LONG_DATE, ISO_DATE, MONTH_YEAR, FULL_MONTH_YEAR, CLOCK, WALL_CLOCK, UTC_INSTANT)


@lru_cache(maxsize=8)
def babel_locale(language: str) -> Locale:
    """The Babel locale of one of our languages (an unknown one reads as English)."""
    return Locale.parse(BABEL_LOCALE.get(language, BABEL_LOCALE[DEFAULT_LANGUAGE]))


def _now_speaking() -> tuple[str, Locale]:
    language = current_language()
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return language, babel_locale(language)


def _pattern(table: dict[str, str], language: str) -> str:
    return table.get(language, table[DEFAULT_LANGUAGE])


def _date(day: date, table: dict[str, str]) -> str:
    language, locale = _now_speaking()
    return format_date(day, _pattern(table, language), locale=locale)


def weekday_date(day: date) -> str:
    """`Thu 24 Dec 2026` / `2026年12月24日 週四`."""
    return _date(day, WEEKDAY_DATE)


def long_date(day: date) -> str:
    """`24 Dec 2026` / `2026年12月24日`."""
    return _date(day, LONG_DATE)


def iso_date(day: date) -> str:
    """`2026-12-24` in English (as the bot has always shown it), `2026年12月24日` in zh-TW."""
    return _date(day, ISO_DATE)


def month_year(day: date) -> str:
    """The month `day` falls in: `Dec 2026` / `2026年12月`."""
    return _date(day, MONTH_YEAR)


def full_month_year(day: date) -> str:
    """The month `day` falls in, in a sentence: `December 2026` / `2026年12月`."""
    return _date(day, FULL_MONTH_YEAR)


def clock(at: time) -> str:
    """A wall-clock time with no zone (service hours): `08:00` / `上午8:00`."""
    language, locale = _now_speaking()
    return format_time(at, _pattern(CLOCK, language), locale=locale)


def wall_clock(instant: datetime, zone: str) -> str:
    """`instant` on the clocks of `zone`, with its abbreviation: `Thu 24 Dec 16:00 GMT` / `12月24日 週四 下午4:00 CST`.

    The abbreviation is the tz database's (GMT, BST, CST), which CLDR lacks for most zones and languages."""
    language, locale = _now_speaking()
    local = _aware(instant).astimezone(ZoneInfo(zone))
    return f"{format_datetime(local, _pattern(WALL_CLOCK, language), locale=locale)} {local.tzname()}"


def utc_instant(instant: datetime) -> str:
    """`2026-12-24 16:00 UTC` / `2026年12月24日 下午4:00 UTC`: where a reader's own zone is not known."""
    language, locale = _now_speaking()
    utc = _aware(instant).astimezone(ZoneInfo("UTC"))
    return f"{format_datetime(utc, _pattern(UTC_INSTANT, language), locale=locale)} UTC"


def number(value: int | Decimal) -> str:
    """A count or amount with the language's grouping: `1,000`."""
    return format_decimal(value, locale=_now_speaking()[1])


def points(tenths: int) -> str:
    """`4.5`, `1,000`, `-3.5`: an exact number of points (FC-DEC-3), grouped as the reader's language groups."""
    return format_decimal(Decimal(tenths) / TENTHS, format=POINTS_PATTERN, locale=_now_speaking()[1])


def percent(ratio: float) -> str:
    """`88%` for 0.875, rounded to a whole percent as the language writes it."""
    return format_percent(ratio, locale=_now_speaking()[1])


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"refusing the naive instant {instant!r}; pass an aware UTC instant")
    return instant
