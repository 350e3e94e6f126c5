"""FTC deadline stages as pure rules (FC-INC-2, FC-DEC-7, FC-DEC-8): table tests on real calendars and
hypothesis properties of the catch-up choice."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import ServiceCalendar
from domain.incidents.deadlines import (
    BREACH,
    LATE_AFTER,
    FtcStage,
    ftc_stages,
    stage_key,
    stage_to_post,
    warning_offsets,
)

NEW_YORK = ZoneInfo("America/New_York")
HUDSON = ServiceCalendar(country="US", subdivision=None, timezone="America/New_York")  # 08:00-17:00
ACME = ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London", around_the_clock=True)
HOUR = timedelta(hours=1)


def ny(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def names(stages: list[FtcStage]) -> dict[str, datetime]:
    return {s.name: s.at for s in stages}


@pytest.mark.parametrize(("target", "expected"), [
    (HOUR, [("half", timedelta(minutes=30)), ("last", timedelta(minutes=45))]),  # both for 1 h
    (4 * HOUR, [("half", 2 * HOUR), ("last", timedelta(hours=3, minutes=45))]),
    (timedelta(minutes=30), [("half", timedelta(minutes=15))]),  # 15 min left is half-time: one warning
    (timedelta(minutes=20), [("half", timedelta(minutes=10))]),  # 15 min left would precede half-time
])
def test_fc_inc_2_warning_offsets_half_time_and_fifteen_minutes_left(target: timedelta,
                                                                     expected: list[tuple[str, timedelta]]) -> None:
    assert warning_offsets(target) == expected


def test_fc_inc_2_business_hours_friday_1630_before_labor_day_in_service_time() -> None:
    # HUDSON-FC-03: Fri 4 Sep 2026 16:30 New York, impact 1 (1 h); Mon 7 Sep is Labor Day.
    opened, due = ny(4, 16, 30), ny(8, 8, 30)
    assert HUDSON.add_service_time(opened, HOUR) == due
    stages = names(ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=ny(8, 12, 30)))
    assert stages == {"half": ny(4, 17, 0),  # FC-DEC-7: 30 min land exactly on Friday's closing
                      "last": ny(8, 8, 15), BREACH: due, "reminder-2": ny(8, 12, 30)}


def test_fc_inc_2_reminders_every_two_service_hours_skip_the_night() -> None:
    opened, due = ny(4, 16, 30), ny(8, 8, 30)
    at = names(ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=ny(9, 9, 30)))
    # Tue 08:30 + 2 h steps: 10:30, 12:30, 14:30, 16:30, then Wed 09:30 (16:30-17:00 and 08:00-09:30)
    assert at["reminder-5"] == ny(9, 9, 30)


def test_fc_dec_6_around_the_clock_counts_real_time() -> None:
    opened = datetime(2026, 11, 28, 23, 50, tzinfo=UTC)  # a Saturday night
    due = opened + HOUR
    at = names(ftc_stages(ACME, opened_at=opened, due_at=due, target=HOUR, now=opened + 3 * HOUR))
    assert at == {"half": opened + timedelta(minutes=30), "last": opened + timedelta(minutes=45), BREACH: due,
                  "reminder-1": due + 2 * HOUR}


def test_warnings_never_fall_after_the_stored_due_instant() -> None:
    opened = datetime(2026, 11, 30, 9, tzinfo=UTC)
    due = opened + timedelta(minutes=20)  # a promise made under older holidays data, say
    stages = ftc_stages(ACME, opened_at=opened, due_at=due, target=HOUR, now=opened)
    assert all(s.at <= due for s in stages)


def test_the_key_carries_the_due_instant() -> None:
    due = datetime(2026, 9, 8, 12, 30, tzinfo=UTC)
    assert stage_key(7, due, "half") == "incident:7:ftc:20260908T123000Z:half"
    assert stage_key(7, due + HOUR, "half") != stage_key(7, due, "half")


def test_catch_up_posts_the_latest_stage_only_and_marks_it_late() -> None:
    opened, due = ny(4, 16, 30), ny(8, 8, 30)
    stages = ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=ny(8, 8, 20))
    choice = stage_to_post(stages, now=ny(8, 8, 20), written={})
    assert choice is not None and (choice.stage.name, choice.late) == ("last", False)
    # Down from before half-time until after the breach: the breach, late; the half-time warning never.
    later = ny(8, 9, 0)
    stages = ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=later)
    choice = stage_to_post(stages, now=later, written={})
    assert choice is not None and (choice.stage.name, choice.late) == (BREACH, True)


def test_a_late_breach_covers_the_reminders_that_fell_due_while_down() -> None:
    opened, due = ny(4, 16, 30), ny(8, 8, 30)
    now = ny(8, 13, 0)
    stages = ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=now)
    first = stage_to_post(stages, now=now, written={})
    assert first is not None and first.stage.name == BREACH
    assert stage_to_post(stages, now=now, written={BREACH: now}) is None
    then = ny(8, 14, 30)
    stages = ftc_stages(HUDSON, opened_at=opened, due_at=due, target=HOUR, now=then)
    nxt = stage_to_post(stages, now=then, written={BREACH: now})
    assert nxt is not None and (nxt.stage.name, nxt.late) == ("reminder-3", False)


# -- properties --------------------------------------------------------------------------------------------------
starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC))
targets = st.integers(min_value=10, max_value=16 * 60).map(lambda m: timedelta(minutes=m))
gaps = st.lists(st.integers(min_value=1, max_value=36 * 60).map(lambda m: timedelta(minutes=m)), min_size=1,
                max_size=25)


def simulate(clock: ServiceCalendar, opened: datetime, target: timedelta,
             gaps: list[timedelta]) -> tuple[list[tuple[str, datetime, datetime]], datetime]:
    """Sweeps at opened + cumulative gaps; returns (stage, its instant, posted at) in posting order."""
    due = clock.add_service_time(opened, target).astimezone(UTC)
    written: dict[str, datetime] = {}
    posted = []
    now = opened
    for gap in gaps:
        now += gap
        stages = ftc_stages(clock, opened_at=opened, due_at=due, target=target, now=now)
        choice = stage_to_post(stages, now=now, written=written)
        if choice is not None:
            assert choice.stage.at <= now
            assert choice.late == (now - choice.stage.at > LATE_AFTER)
            written[choice.stage.name] = now
            posted.append((choice.stage.name, choice.stage.at, now))
            assert stage_to_post(stages, now=now, written=written) is None  # a second sweep adds nothing
    return posted, due


@settings(max_examples=150, deadline=None)
@given(starts, targets, gaps, st.sampled_from([HUDSON, ACME]))
def test_property_each_stage_once_in_order_never_a_warning_after_the_breach(
        opened: datetime, target: timedelta, gaps: list[timedelta], clock: ServiceCalendar) -> None:
    posted, due = simulate(clock, opened, target, gaps)
    stage_names = [name for name, _at, _when in posted]
    assert len(stage_names) == len(set(stage_names))
    assert [at for _n, at, _w in posted] == sorted(at for _n, at, _w in posted)
    if BREACH in stage_names:
        after = stage_names[stage_names.index(BREACH) + 1:]
        assert all(name.startswith("reminder-") for name in after)
    last_sweep = opened + sum(gaps, timedelta())
    assert (BREACH in stage_names) == (last_sweep >= due)


@settings(max_examples=100, deadline=None)
@given(starts, targets, st.sampled_from([HUDSON, ACME]))
def test_property_warnings_fall_at_their_share_of_service_time(opened: datetime, target: timedelta,
                                                              clock: ServiceCalendar) -> None:
    due = clock.add_service_time(opened, target)
    at = names(ftc_stages(clock, opened_at=opened, due_at=due, target=target, now=opened))
    assert clock.service_time_between(opened, at["half"]) == target / 2
    if "last" in at:
        assert clock.service_time_between(at["last"], due) == timedelta(minutes=15)
    assert at["half"] <= at.get("last", at["half"]) <= at[BREACH]
