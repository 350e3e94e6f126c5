"""Days, times, durations, points and percentages in each reader's language (issue 10, part 4).

English is pinned to what the bot has always printed (other tests read it too); zh-TW follows CLDR through
Babel (`2026年12月24日 週四`, `下午4:00`). Slack's own `<!date^...>` token is kept: Slack writes it for each
reader in their zone and language, and only its fallback is ours.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain import formats
from domain.points.rules import points_number, points_text
from domain.words import LANGUAGES, speaking
from handlers.blocks import account_onboarding, reviews
from handlers.blocks.time import both, duration, local_time, slack_date

CHRISTMAS_EVE = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)


def speak(language: str, fn, *args):  # type: ignore[no-untyped-def]
    with speaking(language):
        return fn(*args)


@pytest.mark.parametrize(("fn", "day", "en", "zh"), [
    (formats.weekday_date, date(2026, 12, 24), "Thu 24 Dec 2026", "2026年12月24日 週四"),
    (formats.weekday_date, date(2026, 9, 3), "Thu 03 Sep 2026", "2026年9月3日 週四"),
    (formats.long_date, date(2026, 12, 31), "31 Dec 2026", "2026年12月31日"),
    (formats.iso_date, date(2026, 1, 5), "2026-01-05", "2026年1月5日"),
    (formats.month_year, date(2026, 7, 1), "Jul 2026", "2026年7月"),
    (formats.full_month_year, date(2026, 12, 1), "December 2026", "2026年12月"),
])
def test_days_read_as_each_language_writes_them(fn, day: date, en: str, zh: str) -> None:  # type: ignore[no-untyped-def]
    assert (speak("en", fn, day), speak("zh-TW", fn, day)) == (en, zh)


@pytest.mark.parametrize(("at", "en", "zh"), [
    (time(8, 0), "08:00", "上午8:00"),
    (time(17, 30), "17:30", "下午5:30"),
    (time(0, 5), "00:05", "上午12:05"),
])
def test_fc_cal_1_service_hours_read_on_each_languages_clock(at: time, en: str, zh: str) -> None:
    assert (speak("en", formats.clock, at), speak("zh-TW", formats.clock, at)) == (en, zh)


@pytest.mark.parametrize(("instant", "zone", "en", "zh"), [
    # Europe/London leaves GMT for BST at 01:00 UTC on Sun 29 Mar 2026 and goes back at 01:00 UTC on 25 Oct.
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "Europe/London", "Sun 29 Mar 00:30 GMT", "3月29日 週日 上午12:30 GMT"),
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "Europe/London", "Sun 29 Mar 02:30 BST", "3月29日 週日 上午2:30 BST"),
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/London", "Sun 25 Oct 01:30 BST",
     "10月25日 週日 上午1:30 BST"),
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/London", "Sun 25 Oct 01:30 GMT",
     "10月25日 週日 上午1:30 GMT"),
    # Asia/Taipei keeps UTC+8 all year: the same instants, no shift.
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "Asia/Taipei", "Sun 29 Mar 09:30 CST", "3月29日 週日 上午9:30 CST"),
    (datetime(2026, 12, 24, 8, 0, tzinfo=UTC), "Asia/Taipei", "Thu 24 Dec 16:00 CST", "12月24日 週四 下午4:00 CST"),
])
def test_fc_cal_4_the_contracts_wall_clock_follows_dst_in_each_language(instant: datetime, zone: str, en: str,
                                                                         zh: str) -> None:
    assert (speak("en", local_time, instant, zone), speak("zh-TW", local_time, instant, zone)) == (en, zh)


def test_fc_cal_4_slacks_token_stays_and_only_its_fallback_is_translated() -> None:
    token = "<!date^1798128000^{date_short_pretty} {time}|"
    assert speak("en", slack_date, CHRISTMAS_EVE) == token + "2026-12-24 16:00 UTC>"
    assert speak("zh-TW", slack_date, CHRISTMAS_EVE) == token + "2026年12月24日 下午4:00 UTC>"
    assert speak("en", both, CHRISTMAS_EVE, "Asia/Taipei").endswith(
        "|2026-12-24 16:00 UTC> (contract time Fri 25 Dec 00:00 CST)")
    assert speak("zh-TW", both, CHRISTMAS_EVE, "Asia/Taipei").endswith(
        "|2026年12月24日 下午4:00 UTC>（合約時間 12月25日 週五 上午12:00 CST）")


def test_a_naive_instant_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        slack_date(datetime(2026, 12, 24, 16, 0))


@pytest.mark.parametrize(("span", "en", "zh"), [
    (timedelta(0), "0 min", "0 分鐘"),
    (timedelta(seconds=59), "0 min", "0 分鐘"),  # rounded down to the minute
    (timedelta(minutes=59), "59 min", "59 分鐘"),
    (timedelta(hours=3, minutes=20), "3 h 20 min", "3 小時 20 分鐘"),
    (timedelta(hours=4), "4 h", "4 小時"),
    (timedelta(hours=26), "1 day 2 h", "1 天 2 小時"),
    (timedelta(days=3, minutes=5), "3 days 5 min", "3 天 5 分鐘"),
    (timedelta(minutes=-10), "0 min", "0 分鐘"),
])
def test_fc_inc_2_time_left_reads_in_hours_and_minutes(span: timedelta, en: str, zh: str) -> None:
    assert (speak("en", duration, span), speak("zh-TW", duration, span)) == (en, zh)


@pytest.mark.parametrize(("tenths", "shown", "plain"), [
    (0, "0", "0"), (45, "4.5", "4.5"), (1200, "120", "120"), (10000, "1,000", "1000"),
    (12345, "1,234.5", "1234.5"), (-35, "-3.5", "-3.5"), (-100005, "-10,000.5", "-10000.5"),
])
@pytest.mark.parametrize("language", LANGUAGES)
def test_fc_dec_3_points_are_exact_and_grouped_for_people_plain_for_files(language: str, tenths: int, shown: str,
                                                                           plain: str) -> None:
    assert speak(language, points_text, tenths) == shown  # both languages group thousands with "," and use "."
    assert speak(language, points_number, tenths) == plain


@pytest.mark.parametrize(("ratio", "shown"), [(0.0, "0%"), (0.875, "88%"), (2 / 3, "67%"), (1.0, "100%")])
@pytest.mark.parametrize("language", LANGUAGES)
def test_fc_inc_2_the_met_rate_reads_as_a_whole_percent(language: str, ratio: float, shown: str) -> None:
    assert speak(language, formats.percent, ratio) == shown


def test_counts_are_grouped() -> None:
    assert (speak("en", formats.number, 12345), speak("zh-TW", formats.number, 12345)) == ("12,345", "12,345")


def test_every_shipped_language_has_a_babel_locale_and_every_pattern() -> None:
    for language in LANGUAGES:
        assert formats.babel_locale(language).language in ("en", "zh")
        assert all(language in table for table in formats.PATTERNS)
    assert speak("fr", formats.iso_date, date(2026, 12, 24)) == "2026-12-24"  # an unknown language reads as English


def test_builders_write_their_days_for_the_reader() -> None:
    """The call sites that printed with strftime now follow the language (and English is unchanged)."""
    assert speak("zh-TW", reviews.day_text, "2026-12-08") == "2026年12月8日 週二"
    assert speak("en", reviews.day_text, "2026-12-08") == "Tue 08 Dec 2026"
    facts = {"year": 1, "available_tenths": 12000, "year_ends_on": "2026-12-31"}
    assert "1,200 points available until 31 Dec 2026" in speak("en", account_onboarding.points_line, facts)
    assert "2026年12月31日" in speak("zh-TW", account_onboarding.points_line, facts)
