"""Service hours, holidays and FTC deadlines (FC-CAL, FC-INC-2, FC-DEC-6, FC-DEC-7, FC-DEC-9).

Real zones and real `holidays` 0.109 data; every expected instant is written in the contract's
local time with its UTC offset checked too.
"""

import time as clock
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from domain.calendar import CalendarTerms, ServiceCalendar, ftc_due_at, ftc_target, validate_location

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
TAIPEI, HONG_KONG, TOKYO = ZoneInfo("Asia/Taipei"), ZoneInfo("Asia/Hong_Kong"), ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)


@dataclass(frozen=True)
class Terms:
    """A contract as the calendar sees it (CalendarTerms)."""

    country: str = "GB"
    subdivision: str | None = "ENG"
    timezone: str = "Europe/London"
    base_support: str = "basic"
    ftc_clock: str | None = None
    service_opens: time = time(8)
    service_closes: time = time(17)
    extra_holidays: frozenset[date] = frozenset()
    early_closings: Mapping[date, time] = field(default_factory=dict)
    ftc_hours: Mapping[int, float] = field(default_factory=dict)


def calendar(
    country: str = "GB", subdivision: str | None = "ENG", timezone: str = "Europe/London", **terms: Any
) -> ServiceCalendar:
    return ServiceCalendar(country=country, subdivision=subdivision, timezone=timezone, **terms)


def due(cal: ServiceCalendar, start: datetime, hours: float) -> datetime:
    result = cal.add_service_time(start, timedelta(hours=hours))
    assert cal.service_time_between(start, result) == timedelta(hours=hours)  # the exact inverse
    return result


def same(got: datetime | None, expected: datetime) -> None:
    """Same instant, and shown with the same wall clock and offset (results are in the contract zone)."""
    assert got is not None
    assert got == expected
    assert got.tzinfo == expected.tzinfo
    assert got.isoformat() == expected.isoformat()  # wall clock and UTC offset


def test_the_protocol_accepts_the_test_terms() -> None:
    terms: CalendarTerms = Terms()
    assert ServiceCalendar.for_contract(terms).country == "GB"


# --- FC-CAL-1 / FC-INC-2: the datasheet's cases and the opening rules ---------------------------------


def test_fc_inc_2_friday_1530_london_impact_2_is_due_monday_1030() -> None:
    same(
        ftc_due_at(Terms(), 2, datetime(2026, 6, 5, 15, 30, tzinfo=LONDON)),
        datetime(2026, 6, 8, 10, 30, tzinfo=LONDON),
    )


@pytest.mark.parametrize(
    ("opened", "hours", "expected"),
    [
        (datetime(2026, 6, 5, 16, 59), 1, datetime(2026, 6, 8, 8, 59)),  # 1 min Friday, 59 min Monday
        (datetime(2026, 6, 5, 17, 0), 1, datetime(2026, 6, 8, 9, 0)),  # at closing: next opening
        (datetime(2026, 6, 2, 7, 0), 1, datetime(2026, 6, 2, 9, 0)),  # before opening
        (datetime(2026, 6, 2, 8, 0), 1, datetime(2026, 6, 2, 9, 0)),  # exactly at opening
        (datetime(2026, 6, 6, 10, 0), 4, datetime(2026, 6, 8, 12, 0)),  # Saturday
        (datetime(2026, 6, 2, 20, 0), 4, datetime(2026, 6, 3, 12, 0)),  # evening
        (datetime(2026, 6, 1, 10, 0), 20, datetime(2026, 6, 3, 12, 0)),  # several days
    ],
)
def test_fc_cal_1_opened_outside_hours_starts_at_the_next_opening(
    opened: datetime, hours: int, expected: datetime
) -> None:
    same(due(calendar(), opened.replace(tzinfo=LONDON), hours), expected.replace(tzinfo=LONDON))


def test_fc_dec_7_a_target_ending_at_closing_is_due_at_17_00_not_next_morning() -> None:
    cal = calendar()
    landed = due(cal, datetime(2026, 6, 2, 13, tzinfo=LONDON), 4)
    same(landed, datetime(2026, 6, 2, 17, tzinfo=LONDON))
    assert not cal.is_service_time(landed)  # half-open [08:00, 17:00)
    assert cal.is_service_time(landed - timedelta(microseconds=1))
    same(cal.next_service_start(landed), datetime(2026, 6, 3, 8, tzinfo=LONDON))


def test_fc_cal_1_next_service_start_is_the_instant_itself_inside_hours() -> None:
    cal, at = calendar(), datetime(2026, 6, 2, 9, 15, tzinfo=LONDON)
    assert cal.is_service_time(at) and cal.next_service_start(at) == at
    same(
        cal.next_service_start(datetime(2026, 6, 2, 8, 15, tzinfo=ZoneInfo("UTC"))),
        datetime(2026, 6, 2, 9, 15, tzinfo=LONDON),
    )  # any input zone; the answer is in London time


def test_fc_cal_1_results_come_back_in_the_contract_zone_whatever_the_input_zone() -> None:
    opened = datetime(2026, 6, 5, 14, 30, tzinfo=ZoneInfo("UTC"))  # 15:30 in London
    same(due(calendar(), opened, 4), datetime(2026, 6, 8, 10, 30, tzinfo=LONDON))


def test_fc_cal_1_service_time_between_is_zero_backwards_and_over_a_weekend() -> None:
    cal = calendar()
    friday, monday = datetime(2026, 6, 5, 17, tzinfo=LONDON), datetime(2026, 6, 8, 8, tzinfo=LONDON)
    assert cal.service_time_between(monday, friday) == timedelta(0)
    assert cal.service_time_between(friday, monday) == timedelta(0)
    assert cal.service_time_between(friday - H, monday + H) == 2 * H


# --- FC-DEC-9: holidays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (datetime(2025, 12, 24, 15), datetime(2025, 12, 29, 10)),  # Christmas Thu, Boxing Day Fri
        (datetime(2026, 12, 24, 16), datetime(2026, 12, 29, 11)),  # Boxing Day Sat -> substitute Mon 28
        (datetime(2027, 12, 24, 16), datetime(2027, 12, 29, 11)),  # Sat + Sun -> substitutes Mon 27, Tue 28
    ],
)
def test_fc_dec_9_christmas_boxing_day_and_their_substitute_days_are_closed_in_england(
    opened: datetime, expected: datetime
) -> None:
    same(due(calendar(), opened.replace(tzinfo=LONDON), 4), expected.replace(tzinfo=LONDON))


def test_fc_dec_9_a_contract_in_england_must_name_eng_or_easter_monday_is_missed() -> None:
    # Good Friday is UK-wide; Easter Monday is a bank holiday of ENG, WLS and NIR only, so a GB
    # contract without a subdivision keeps national holidays and works on Easter Monday.
    opened = datetime(2026, 4, 2, 16, tzinfo=LONDON)
    same(due(calendar(), opened, 4), datetime(2026, 4, 7, 11, tzinfo=LONDON))
    same(due(calendar(subdivision=None), opened, 4), datetime(2026, 4, 6, 11, tzinfo=LONDON))


def test_fc_dec_9_scotland_closes_on_2_january_and_england_does_not() -> None:
    opened = datetime(2025, 12, 31, 16, tzinfo=LONDON)
    same(due(calendar(), opened, 4), datetime(2026, 1, 2, 11, tzinfo=LONDON))
    same(due(calendar(subdivision="SCT"), opened, 4), datetime(2026, 1, 5, 11, tzinfo=LONDON))


def test_fc_dec_9_extra_holidays_close_the_day() -> None:
    cal = calendar(extra_holidays=frozenset({date(2026, 6, 8)}))
    opened = datetime(2026, 6, 5, 15, 30, tzinfo=LONDON)
    same(due(cal, opened, 4), datetime(2026, 6, 9, 10, 30, tzinfo=LONDON))
    assert not cal.is_service_time(datetime(2026, 6, 8, 12, tzinfo=LONDON))


def test_fc_dec_9_early_closing_on_christmas_eve_at_noon() -> None:
    opened = datetime(2026, 12, 24, 11, tzinfo=LONDON)
    same(due(calendar(), opened, 4), datetime(2026, 12, 24, 15, tzinfo=LONDON))
    cal = calendar(early_closings={date(2026, 12, 24): time(12)})
    same(due(cal, opened, 4), datetime(2026, 12, 29, 11, tzinfo=LONDON))
    same(due(cal, datetime(2026, 12, 24, 11, tzinfo=LONDON), 1), datetime(2026, 12, 24, 12, tzinfo=LONDON))
    assert not cal.is_service_time(datetime(2026, 12, 24, 12, 30, tzinfo=LONDON))


def test_fc_dec_9_an_early_closing_never_extends_the_day_and_one_before_opening_closes_it() -> None:
    later = calendar(early_closings={date(2026, 6, 2): time(19)})
    same(due(later, datetime(2026, 6, 2, 16, tzinfo=LONDON), 2), datetime(2026, 6, 3, 9, tzinfo=LONDON))
    shut = calendar(early_closings={date(2026, 6, 2): time(7)})
    same(due(shut, datetime(2026, 6, 2, 9, tzinfo=LONDON), 1), datetime(2026, 6, 3, 9, tzinfo=LONDON))


def test_fc_cal_1_us_contract_skips_thanksgiving() -> None:
    cal = calendar("US", None, "America/New_York")
    opened = datetime(2026, 11, 25, 16, tzinfo=NEW_YORK)  # Thanksgiving is Thursday 26 November
    same(due(cal, opened, 4), datetime(2026, 11, 27, 11, tzinfo=NEW_YORK))


@pytest.mark.parametrize(
    ("opened", "expected", "offset"),
    [
        (datetime(2026, 3, 6, 15, 30), datetime(2026, 3, 9, 10, 30), -4),  # EST -> EDT on 8 March
        (datetime(2026, 10, 30, 15, 30), datetime(2026, 11, 2, 10, 30), -5),  # EDT -> EST on 1 November
    ],
)
def test_fc_cal_1_new_york_hours_follow_new_york_dst_dates(
    opened: datetime, expected: datetime, offset: int
) -> None:
    got = due(calendar("US", None, "America/New_York"), opened.replace(tzinfo=NEW_YORK), 4)
    same(got, expected.replace(tzinfo=NEW_YORK))
    assert got.utcoffset() == offset * H


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (datetime(2026, 3, 27, 15, 30), datetime(2026, 3, 30, 10, 30)),  # spring forward 29 March
        (datetime(2026, 10, 23, 15, 30), datetime(2026, 10, 26, 10, 30)),  # fall back 25 October
    ],
)
def test_fc_cal_1_wall_clock_hours_hold_across_london_dst(opened: datetime, expected: datetime) -> None:
    cal = calendar()
    same(due(cal, opened.replace(tzinfo=LONDON), 4), expected.replace(tzinfo=LONDON))
    for day in (date(2026, 3, 30), date(2026, 10, 26)):  # a full day is 9 h on both sides
        opens = datetime.combine(day, time(8), LONDON)
        assert cal.service_time_between(opens - timedelta(days=3), opens + 12 * H) == 18 * H


def test_fc_cal_3_taipei_lunar_new_year_2026_is_closed() -> None:
    cal = calendar("TW", None, "Asia/Taipei")
    got = due(cal, datetime(2026, 2, 13, 16, tzinfo=TAIPEI), 4)  # 16-20 Feb closed (15th is a Sunday)
    same(got, datetime(2026, 2, 23, 11, tzinfo=TAIPEI))
    assert got.utcoffset() == 8 * H  # no DST


def test_fc_cal_3_taipei_make_up_saturday_is_a_business_day() -> None:
    cal = calendar("TW", None, "Asia/Taipei")
    same(due(cal, datetime(2025, 2, 7, 16, tzinfo=TAIPEI), 4), datetime(2025, 2, 8, 11, tzinfo=TAIPEI))


def test_fc_cal_3_hong_kong_weekend_is_sunday_only() -> None:
    cal = calendar("HK", None, "Asia/Hong_Kong")
    same(due(cal, datetime(2026, 6, 5, 16, tzinfo=HONG_KONG), 4), datetime(2026, 6, 6, 11, tzinfo=HONG_KONG))
    same(due(cal, datetime(2026, 6, 6, 16, tzinfo=HONG_KONG), 4), datetime(2026, 6, 8, 11, tzinfo=HONG_KONG))


def test_fc_dec_9_japan_bank_holidays_close_31_december_to_3_january() -> None:
    cal = calendar("JP", None, "Asia/Tokyo")
    same(due(cal, datetime(2025, 12, 30, 16, tzinfo=TOKYO), 4), datetime(2026, 1, 5, 11, tzinfo=TOKYO))


def test_fc_cal_1_holidays_are_local_dates_not_utc_dates() -> None:
    # 23:30 UTC on Thursday 5 June is already Friday 08:30 in Tokyo.
    got = due(calendar("JP", None, "Asia/Tokyo"), datetime(2025, 6, 5, 23, 30, tzinfo=ZoneInfo("UTC")), 4)
    same(got, datetime(2025, 6, 6, 12, 30, tzinfo=TOKYO))


# --- FC-CAL-2 / FC-DEC-6: around the clock ---------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        (datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 5, 30)),  # 00:30 GMT + 4 h = 05:30 BST
        (datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 3, 30)),  # 00:30 BST + 4 h = 03:30 GMT
        (datetime(2026, 12, 25, 10, 0), datetime(2026, 12, 25, 14, 0)),  # holidays do not count
    ],
)
def test_fc_cal_2_24x7_counts_real_hours_across_london_dst(opened: datetime, expected: datetime) -> None:
    cal = calendar(around_the_clock=True)
    got = due(cal, opened.replace(tzinfo=LONDON), 4)
    same(got, expected.replace(tzinfo=LONDON))
    # Subtracting two datetimes of one zone would compare wall clocks; go through UTC.
    assert got.astimezone(UTC) - opened.replace(tzinfo=LONDON).astimezone(UTC) == 4 * H
    assert cal.is_service_time(opened.replace(tzinfo=LONDON))


def test_fc_dec_6_a_standard_base_counts_every_hour_unless_ftc_clock_says_service_hours() -> None:
    opened = datetime(2026, 6, 5, 15, 30, tzinfo=LONDON)
    same(ftc_due_at(Terms(base_support="standard"), 2, opened), datetime(2026, 6, 5, 19, 30, tzinfo=LONDON))
    same(
        ftc_due_at(Terms(base_support="standard", ftc_clock="service_hours"), 2, opened),
        datetime(2026, 6, 8, 10, 30, tzinfo=LONDON),
    )


def test_fc_inc_4_business_hours_for_a_24x7_contract_are_the_locations_hours() -> None:
    terms = Terms(base_support="standard", service_opens=time(9), service_closes=time(18))
    assert ServiceCalendar.for_contract(terms).around_the_clock
    hours = ServiceCalendar.business_hours_for(terms)
    assert not hours.around_the_clock
    assert not hours.is_service_time(datetime(2026, 6, 2, 8, 30, tzinfo=LONDON))
    assert hours.is_service_time(datetime(2026, 6, 2, 17, 30, tzinfo=LONDON))


def test_fc_cal_1_calendars_for_equal_terms_are_shared() -> None:
    assert ServiceCalendar.for_contract(Terms()) is ServiceCalendar.for_contract(Terms())


# --- FC-INC-2: targets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "ftc_hours", "expected"),
    [
        (1, {}, H),
        (2, {}, 4 * H),
        (2, {2: 9.0}, 4 * H),
        (3, {}, None),
        (4, {3: 8.0}, None),
        (3, {3: 8.0}, 8 * H),
        (4, {4: 0.5}, timedelta(minutes=30)),
    ],
)
def test_fc_inc_2_targets(impact: int, ftc_hours: dict[int, float], expected: timedelta | None) -> None:
    assert ftc_target(Terms(ftc_hours=ftc_hours), impact) == expected


def test_fc_inc_2_impact_3_without_a_target_has_no_deadline_and_with_one_uses_service_hours() -> None:
    opened = datetime(2026, 6, 5, 15, 30, tzinfo=LONDON)
    assert ftc_due_at(Terms(), 3, opened) is None
    same(ftc_due_at(Terms(ftc_hours={3: 8}), 3, opened), datetime(2026, 6, 8, 14, 30, tzinfo=LONDON))


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("impact", [0, 5, -1, True, "1", 2.0])
def test_fc_inc_1_an_unknown_impact_level_is_refused(impact: object) -> None:
    with pytest.raises(ValueError, match=r"impact level .* does not exist"):
        ftc_target(Terms(), impact)  # type: ignore[arg-type]


def test_a_naive_instant_is_refused_with_a_sentence() -> None:
    cal = calendar()
    for call in (
        lambda: cal.add_service_time(datetime(2026, 6, 2, 9), H),
        lambda: cal.service_time_between(datetime(2026, 6, 2, tzinfo=LONDON), datetime(2026, 6, 3)),
        lambda: cal.is_service_time(datetime(2026, 6, 2, 9)),
        lambda: cal.next_service_start(datetime(2026, 6, 2, 9)),
    ):
        with pytest.raises(ValueError, match="has no time zone; pass a timezone-aware datetime"):
            call()


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        calendar().add_service_time(datetime(2026, 6, 2, 9, tzinfo=LONDON), -H)


@pytest.mark.parametrize(
    ("country", "subdivision", "zone", "named"),
    [
        ("XX", None, "Europe/London", "'XX'"),
        ("", None, "Europe/London", "''"),
        ("GB", "KENT", "Europe/London", "'KENT'"),
        ("GB", "ENG", "Europe/Londres", "'Europe/Londres'"),
        ("GB", "ENG", "", "''"),
    ],
)
def test_fc_con_3_an_unknown_location_is_named(
    country: str, subdivision: str | None, zone: str, named: str
) -> None:
    with pytest.raises(ValueError, match=named) as refused:
        validate_location(country, subdivision, zone)
    assert str(refused.value).endswith(".")
    with pytest.raises(ValueError, match=named):
        calendar(country, subdivision, zone)


def test_fc_con_3_known_locations_and_subdivision_aliases_pass() -> None:
    validate_location("GB", "England", "Europe/London")
    validate_location("US", "NY", "America/New_York")
    validate_location("TW", None, "Asia/Taipei")


@pytest.mark.parametrize(("opens", "closes"), [(time(17), time(8)), (time(9), time(9))])
def test_fc_cal_1_service_hours_must_open_before_they_close(opens: time, closes: time) -> None:
    with pytest.raises(ValueError, match="must open before they close"):
        calendar(opens=opens, closes=closes)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (Terms(base_support="premium"), "base support 'premium' is unknown"),
        (Terms(ftc_clock="wall"), "FTC clock 'wall' is unknown"),
    ],
)
def test_fc_dec_6_unknown_contract_clock_terms_are_refused(terms: Terms, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ServiceCalendar.for_contract(terms)


def test_a_calendar_with_no_open_day_for_ten_years_is_refused_not_walked_forever() -> None:
    first = date(2026, 1, 1)
    shut = frozenset(first + timedelta(days=n) for n in range(3700))
    cal = calendar(extra_holidays=shut)
    opened = datetime(2026, 1, 1, 9, tzinfo=LONDON)
    with pytest.raises(ValueError, match="has no service hours in the 3660 days"):
        cal.add_service_time(opened, H)
    with pytest.raises(ValueError, match="has no service hours"):
        cal.next_service_start(opened)
    assert cal.service_time_between(opened, opened + timedelta(days=3000)) == timedelta(0)


# --- span ------------------------------------------------------------------------------------------


def test_fc_cal_1_a_ten_year_span_counts_every_business_day_and_returns_quickly() -> None:
    cal = calendar()
    start, end = datetime(2026, 1, 1, tzinfo=LONDON), datetime(2036, 1, 1, tzinfo=LONDON)
    closed = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2036))
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range((end - start).days)]
    business = [d for d in days if d.weekday() < 5 and d not in closed]
    began = clock.perf_counter()
    total = cal.service_time_between(start, end)
    assert total == 9 * H * len(business)
    same(cal.add_service_time(start, total), datetime.combine(business[-1], time(17), LONDON))
    assert clock.perf_counter() - began < 1.0


def test_holiday_years_built_from_many_threads_at_once_agree() -> None:
    # Each thread asks for years no test has touched yet, so they race to build the same frozen sets.
    cals = [calendar("DE", "BY", "Europe/Berlin") for _ in range(8)]
    opened = datetime(2041, 6, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    later = opened + timedelta(days=900)
    with ThreadPoolExecutor(max_workers=8) as pool:
        spans = list(pool.map(lambda cal: cal.service_time_between(opened, later), cals))
    assert len(set(spans)) == 1 and spans[0] > timedelta(0)
