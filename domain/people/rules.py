"""Whose language (issue 10): the person's choice, else their Slack locale, else the contract's, else English.

Pure functions of values; the service reads and writes what they decide on.
"""

from datetime import datetime, timedelta

from domain.words import DEFAULT_LANGUAGE, LANGUAGES

# Slack locales the bot can speak, by their language part; Traditional Chinese by region, since
# zh-CN (Simplified) readers are better served by the contract's language than by the wrong script.
TRADITIONAL_CHINESE_REGIONS = frozenset({"tw", "hk", "mo"})


def language_of_locale(locale: str | None) -> str | None:
    """The shipped language for a Slack locale (zh-TW, zh-HK: zh-TW; en-*: en), or None when none fits."""
    if not locale:
        return None
    language, _sep, region = locale.replace("_", "-").lower().partition("-")
    if language == "en":
        return "en"
    if language == "zh" and region in TRADITIONAL_CHINESE_REGIONS:
        return "zh-TW"
    return None


def own_language(*, chosen: str | None, slack_locale: str | None) -> str | None:
    """The language the person settled themselves: their App Home choice, else what Slack says they read."""
    if chosen in LANGUAGES:
        return chosen
    return language_of_locale(slack_locale)


def spoken_language(*, chosen: str | None, slack_locale: str | None, contract_language: str | None) -> str:
    """The whole order: the person's own language, else the contract's `language`, else English."""
    own = own_language(chosen=chosen, slack_locale=slack_locale)
    if own is not None:
        return own
    return contract_language if contract_language in LANGUAGES else DEFAULT_LANGUAGE


def locale_is_stale(fetched_at: datetime | None, *, now: datetime, ttl: timedelta) -> bool:
    """Ask Slack again: never asked, or asked `ttl` or longer ago (a person may change their Slack language)."""
    return fetched_at is None or now - fetched_at >= ttl
