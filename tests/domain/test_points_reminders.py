"""Point-expiry reminders as pure rules (FC-PTS-1, FC-PTS-4, FC-DEC-8): their days, the catch-up choice and
what the points still buy; real holidays, real zones."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from domain.contracts.rules import YearSpan
from domain.points.menu import load_menu
from domain.points.reminders import (
    LAST_NORMAL_PRICE,
    expiry_reminders,
    reminder_to_post,
    short_notice_from,
    still_buys,
)


@dataclass(frozen=True)
class Place:
    country: str
    subdivision: str | None
    timezone: str
    extra_holidays: frozenset[date] = field(default_factory=frozenset)


LONDON = Place("GB", "ENG", "Europe/London", frozenset({date(2026, 12, 31)}))
ACME_YEAR_1 = YearSpan(1, date(2026, 1, 1), date(2026, 12, 31))  # points expire at 2027-01-01 00:00 London


def test_fc_dec_8_reminders_at_nine_local_on_the_business_day_on_or_before() -> None:
    got = [(r.stage, r.day, r.at) for r in expiry_reminders(ACME_YEAR_1, LONDON)]
    assert got == [
        ("90-days", date(2026, 10, 2), datetime(2026, 10, 2, 8, 0, tzinfo=UTC)),  # Sat 3 Oct -> Fri; 09:00 BST
        ("30-days", date(2026, 12, 2), datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
        (LAST_NORMAL_PRICE, date(2026, 12, 10), datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),  # FC-PTS-4: 21 days
        ("7-days", date(2026, 12, 24), datetime(2026, 12, 24, 9, 0, tzinfo=UTC)),  # Christmas Day -> the 24th
    ]


def test_a_short_last_year_gets_no_reminder_before_it_starts() -> None:
    short = YearSpan(3, date(2027, 11, 1), date(2027, 12, 31))
    assert [r.stage for r in expiry_reminders(short, LONDON)] == ["30-days", LAST_NORMAL_PRICE, "7-days"]


@pytest.mark.parametrize(("now", "written", "expected"), [
    (datetime(2026, 10, 2, 7, 59, tzinfo=UTC), set(), None),  # 08:59 BST: not yet
    (datetime(2026, 10, 2, 8, 0, tzinfo=UTC), set(), ("90-days", False)),
    (datetime(2026, 10, 2, 8, 0, tzinfo=UTC), {"90-days"}, None),
    (datetime(2026, 12, 11, 9, 0, tzinfo=UTC), set(), (LAST_NORMAL_PRICE, True)),  # down since before 2 Dec
    (datetime(2026, 12, 11, 9, 0, tzinfo=UTC), {LAST_NORMAL_PRICE}, None),
    (datetime(2026, 12, 11, 9, 0, tzinfo=UTC), {"7-days"}, None),  # a later one was written: nothing older
    (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), set(), None),  # expired meanwhile
])
def test_catch_up_posts_the_latest_due_reminder_once(now: datetime, written: set[str],
                                                     expected: tuple[str, bool] | None) -> None:
    reminders = expiry_reminders(ACME_YEAR_1, LONDON)
    choice = reminder_to_post(reminders, now=now, written=written, local_today=now.date(),
                              expiry=datetime(2027, 1, 1, tzinfo=UTC))
    assert (None if choice is None else (choice[0].stage, choice[1])) == expected


def test_fc_pts_4_what_the_points_still_buy_with_and_without_the_surcharge() -> None:
    menu = load_menu()
    normal = {b.code: (b.price_tenths, b.units) for b in still_buys(menu, 100, short_notice=False)}
    assert normal == {"feature-coaching": (30, 3), "troubleshooting-coaching": (30, 3), "service-day": (70, 1)}
    late = {b.code: (b.price_tenths, b.units) for b in still_buys(menu, 100, short_notice=True)}
    assert late == {"feature-coaching": (45, 2), "troubleshooting-coaching": (45, 2)}  # +50%: a day costs 10.5
    assert still_buys(menu, 20, short_notice=False) == []


def test_fc_pts_4_short_notice_once_the_year_has_under_three_weeks_left() -> None:
    assert not short_notice_from(date(2026, 12, 10), ACME_YEAR_1)
    assert short_notice_from(date(2026, 12, 11), ACME_YEAR_1)
