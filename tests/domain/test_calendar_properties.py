"""Properties of the service clock over random instants and durations (FC-CAL-1, FC-CAL-2, FC-DEC-7).

Bounded to 2024-2028 and to a few real locations so the file runs in seconds.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import ServiceCalendar

CALENDARS = [
    ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London"),
    ServiceCalendar(country="US", subdivision=None, timezone="America/New_York"),
    ServiceCalendar(country="HK", subdivision=None, timezone="Asia/Hong_Kong"),
    ServiceCalendar(country="TW", subdivision=None, timezone="Asia/Taipei"),
    ServiceCalendar(
        country="AU", subdivision="NSW", timezone="Australia/Sydney", opens=time(9), closes=time(17, 30)
    ),
    ServiceCalendar(
        country="GB",
        subdivision="ENG",
        timezone="Europe/London",
        extra_holidays=frozenset({date(2025, 6, 6), date(2026, 12, 31)}),
        early_closings={date(2025, 12, 24): time(12), date(2026, 12, 24): time(12, 30)},
    ),
]
AROUND_THE_CLOCK = [
    ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London", around_the_clock=True),
    ServiceCalendar(country="US", subdivision=None, timezone="America/New_York", around_the_clock=True),
]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = int(timedelta(days=4 * 365) / timedelta(seconds=1))
ONE_MICROSECOND = timedelta(microseconds=1)
EXAMPLES = settings(max_examples=300, deadline=None)

calendars = st.sampled_from(CALENDARS)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=60))


@st.composite
def instants(draw: st.DrawFn, calendar: ServiceCalendar | None = None) -> datetime:
    """Aware instants, sometimes on whole minutes (to hit openings and closings), in UTC or local time."""
    seconds = draw(st.integers(0, SPAN))
    moment = EPOCH + timedelta(seconds=seconds - seconds % 60 if draw(st.booleans()) else seconds)
    if calendar is not None and draw(st.booleans()):
        return moment.astimezone(ZoneInfo(calendar.timezone))
    return moment


@st.composite
def cases(draw: st.DrawFn) -> tuple[ServiceCalendar, datetime, timedelta]:
    calendar = draw(calendars)
    return calendar, draw(instants(calendar)), draw(durations)


@EXAMPLES
@given(cases())
def test_fc_cal_1_due_is_never_before_the_start(case: tuple[ServiceCalendar, datetime, timedelta]) -> None:
    calendar, start, duration = case
    assert calendar.add_service_time(start, duration) >= start


@EXAMPLES
@given(cases())
def test_fc_cal_1_service_time_between_inverts_add_service_time(
    case: tuple[ServiceCalendar, datetime, timedelta],
) -> None:
    calendar, start, duration = case
    assert calendar.service_time_between(start, calendar.add_service_time(start, duration)) == duration


@EXAMPLES
@given(calendars, st.data())
def test_fc_cal_1_due_is_monotonic_in_start(calendar: ServiceCalendar, data: st.DataObject) -> None:
    first, second = sorted((data.draw(instants(calendar)), data.draw(instants(calendar))))
    duration = data.draw(durations)
    assert calendar.add_service_time(first, duration) <= calendar.add_service_time(second, duration)


@EXAMPLES
@given(cases(), durations)
def test_fc_cal_1_due_is_monotonic_in_duration(
    case: tuple[ServiceCalendar, datetime, timedelta], other: timedelta
) -> None:
    calendar, start, duration = case
    shorter, longer = sorted((duration, other))
    assert calendar.add_service_time(start, shorter) <= calendar.add_service_time(start, longer)


@EXAMPLES
@given(cases())
def test_fc_dec_7_due_lands_in_service_time_or_exactly_on_a_closing(
    case: tuple[ServiceCalendar, datetime, timedelta],
) -> None:
    calendar, start, duration = case
    due = calendar.add_service_time(start, duration)
    assert due.tzinfo == ZoneInfo(calendar.timezone)  # answered in the contract's zone
    if not calendar.is_service_time(due):  # then it is a closing instant: open just before it
        assert duration > timedelta(0)
        assert calendar.is_service_time(due - ONE_MICROSECOND)


@EXAMPLES
@given(calendars, st.data())
def test_fc_cal_1_next_service_start_is_service_time_with_none_elapsed(
    calendar: ServiceCalendar, data: st.DataObject
) -> None:
    at = data.draw(instants(calendar))
    opening = calendar.next_service_start(at)
    assert opening >= at and calendar.is_service_time(opening)
    assert calendar.service_time_between(at, opening) == timedelta(0)
    assert opening == calendar.add_service_time(at, timedelta(0))


@EXAMPLES
@given(st.sampled_from(AROUND_THE_CLOCK), st.data())
def test_fc_cal_2_around_the_clock_is_plain_utc_addition(
    calendar: ServiceCalendar, data: st.DataObject
) -> None:
    start, duration = data.draw(instants(calendar)), data.draw(durations)
    due = calendar.add_service_time(start, duration)
    assert due.astimezone(UTC) == start.astimezone(UTC) + duration
    assert calendar.service_time_between(start, due) == duration
    assert calendar.is_service_time(start) and calendar.next_service_start(start) == start


@lru_cache(maxsize=64)
def pandas_offset(hours: int) -> Any:
    import pandas as pd  # dev-only oracle, never a runtime dependency

    closed = sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2030)))
    return pd.offsets.CustomBusinessHour(n=hours, start="08:00", end="17:00", holidays=closed)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, SPAN // 60), st.integers(1, 20))
def test_fc_cal_1_agrees_with_pandas_custom_business_hour(minute: int, hours: int) -> None:
    import pandas as pd

    calendar = CALENDARS[0]
    start = (EPOCH + timedelta(minutes=minute)).astimezone(ZoneInfo(calendar.timezone))
    ours = calendar.add_service_time(start, timedelta(hours=hours))
    theirs = (pd.Timestamp(start) + pandas_offset(hours)).to_pydatetime()
    if ours != theirs:
        # pandas reports a deadline landing exactly on closing as the next opening; FC-DEC-7 keeps the
        # closing instant. Both then hold the same service time.
        assert not calendar.is_service_time(ours)
        assert theirs == calendar.next_service_start(ours)
        assert calendar.service_time_between(start, theirs) == timedelta(hours=hours)
