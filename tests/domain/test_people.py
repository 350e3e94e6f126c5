"""Whose language (issue 10): the person's choice, else their Slack locale, else the contract's, else English."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.people import rules
from domain.people import service as people

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.mark.parametrize(("locale", "language"), [
    ("zh-TW", "zh-TW"), ("zh-HK", "zh-TW"), ("zh_tw", "zh-TW"), ("en-US", "en"), ("en-GB", "en"), ("en", "en"),
    ("zh-CN", None), ("ja-JP", None), ("fr-FR", None), ("", None), (None, None),
])
def test_slack_locales_map_onto_the_languages_the_bot_speaks(locale: str | None, language: str | None) -> None:
    assert rules.language_of_locale(locale) == language


@pytest.mark.parametrize(("chosen", "locale", "contract", "spoken"), [
    ("en", "zh-TW", "zh-TW", "en"),  # the App Home choice wins over Slack and the contract
    ("zh-TW", "en-US", "en", "zh-TW"),
    (None, "zh-TW", "en", "zh-TW"),  # Slack's locale wins over the contract's
    (None, "en-GB", "zh-TW", "en"),
    (None, "zh-CN", "zh-TW", "zh-TW"),  # a locale the bot does not speak: the contract's language
    (None, "ja-JP", "en", "en"),
    (None, None, "zh-TW", "zh-TW"),  # Slack not asked yet or unreachable
    (None, None, None, "en"),  # on no contract: English
    ("xx", None, "zh-TW", "zh-TW"),  # a stored choice the bot no longer speaks is ignored
])
def test_whose_language(chosen: str | None, locale: str | None, contract: str | None, spoken: str) -> None:
    assert rules.spoken_language(chosen=chosen, slack_locale=locale, contract_language=contract) == spoken


@pytest.mark.parametrize(("fetched_at", "stale"), [
    (None, True), (NOW, False), (NOW - DAY + timedelta(seconds=1), False), (NOW - DAY, True), (NOW - 2 * DAY, True),
])
def test_slack_is_asked_again_once_the_time_to_live_has_passed(fetched_at: datetime | None, stale: bool) -> None:
    assert rules.locale_is_stale(fetched_at, now=NOW, ttl=DAY) is stale


def test_a_person_is_remembered_per_workspace_and_their_choice_survives_a_new_locale(
        db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        people.remember_locale(session, team="T1", user="U1", locale="zh-TW", now=NOW)
        people.choose_language(session, team="T1", user="U1", language="en")
        people.remember_locale(session, team="T1", user="U1", locale="zh-HK", now=NOW + DAY)
        people.remember_locale(session, team=None, user="U1", locale="en-US", now=NOW)
    with db() as session:
        assert people.known_person(session, team="T1", user="U1") == people.Known("en", "zh-HK", NOW + DAY)
        assert people.known_person(session, team=None, user="U1") == people.Known(None, "en-US", NOW)
        assert people.known_person(session, team="T2", user="U1") == people.Known()
    with db.begin() as session:
        people.choose_language(session, team="T1", user="U1", language=None)  # follow Slack again
    with db() as session:
        assert people.known_person(session, team="T1", user="U1").chosen_language is None


def test_only_a_language_the_bot_speaks_can_be_chosen(db: sessionmaker[Session]) -> None:
    with db.begin() as session, pytest.raises(ValueError, match="'fr' is not one of"):
        people.choose_language(session, team="T1", user="U1", language="fr")


def test_the_contracts_language_is_the_channels_else_the_persons_first(db: sessionmaker[Session],
                                                                       examples: Path) -> None:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(encoding="utf-8"),
                                                                source=examples.name),
                                   source=examples.name, now=NOW)
    with db() as session:
        def language(user: str, channel: str | None) -> str | None:
            return people.contract_language(session, team="T0FLEXCARE", user=user, channel=channel)

        assert language("U0MEMB03", "C0INCID2") == "zh-TW"  # FORMOSA-FC-07's channel
        assert language("U0MEMB03", "C0INCID1") == "en"  # ACME-FC-01's channel, whoever asks
        assert language("U0MEMB03", "D0DIRECT") == "zh-TW"  # a DM: the person's (only) contract
        assert language("U0MEMB03", None) == "zh-TW"  # App Home
        assert language("U0STRANGER", "D0DIRECT") is None
