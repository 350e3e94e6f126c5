"""FLEXCARE_LOCALE_TTL_HOURS: how long a person's Slack language is trusted (issue 10), checked at start."""

from datetime import timedelta

import pytest

from bot.settings import SettingsError, load_settings


def test_slacks_language_is_trusted_for_a_day_unless_told_otherwise() -> None:
    assert load_settings({}).locale_ttl == timedelta(hours=24)
    assert load_settings({"FLEXCARE_LOCALE_TTL_HOURS": "1.5"}).locale_ttl == timedelta(minutes=90)


@pytest.mark.parametrize("value", ["0", "-3", "a day", "nan", "9000"])
def test_a_time_to_live_the_bot_cannot_use_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"FLEXCARE_LOCALE_TTL_HOURS": value})
    assert refused.value.variable == "FLEXCARE_LOCALE_TTL_HOURS" and repr(value) in str(refused.value)
