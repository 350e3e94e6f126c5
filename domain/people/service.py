"""The reader's language, read and remembered: what Slack said their locale is, and what they chose.

Asking Slack is the caller's job (handlers/language.py), between two short sessions: a Web API call
never runs with a transaction open, since on SQLite every transaction holds the write lock.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.access import in_workspace
from domain.contracts.records import Contract, ContractChannel, ContractOption, ContractPerson
from domain.people.records import Person
from domain.words import LANGUAGES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Known:
    """What is stored about a person's language (all None for someone not seen yet)."""

    chosen_language: str | None = None
    slack_locale: str | None = None
    locale_fetched_at: datetime | None = None


def known_person(session: Session, *, team: str | None, user: str) -> Known:
    person = session.get(Person, (team or "", user))
    if person is None:
        return Known()
    return Known(person.chosen_language, person.slack_locale, person.locale_fetched_at)


def contract_language(session: Session, *, team: str | None, user: str, channel: str | None) -> str | None:
    """The language of the contract the conversation is about: the channel's, else the person's first one
    (a DM or App Home); None for someone on no contract.

    The contracts are those of `contract_of_channel` and `contracts_of`, but only their language column is
    read: this runs for many requests, and loading whole contracts costs four times as much."""
    if channel:
        linked = session.scalar(select(Contract.language).join(ContractChannel).where(
            ContractChannel.channel_id == channel, in_workspace(team)).limit(1))
        if linked is not None:
            return linked
    on_contract = Contract.id.in_(select(ContractPerson.contract_id).where(ContractPerson.slack_user == user)
                                  .union(select(ContractOption.contract_id).where(ContractOption.person == user)))
    return session.scalar(select(Contract.language).where(on_contract, in_workspace(team))
                          .order_by(Contract.id).limit(1))


def remember_locale(session: Session, *, team: str | None, user: str, locale: str | None, now: datetime) -> None:
    """Store what users.info said (None: Slack gave no locale), to be asked again after the time to live."""
    person = _person(session, team=team, user=user)
    person.slack_locale = locale[:16] if locale else None  # Slack's are like en-US; the column holds 16
    person.locale_fetched_at = now


def choose_language(session: Session, *, team: str | None, user: str, language: str | None) -> None:
    """App Home's switch: read FlexCare in `language` whatever Slack says; None follows Slack again."""
    if language is not None and language not in LANGUAGES:  # only a forged action value gets here
        raise ValueError(f"{language!r} is not one of {LANGUAGES}")
    _person(session, team=team, user=user).chosen_language = language


def _person(session: Session, *, team: str | None, user: str) -> Person:
    key = (team or "", user)  # Slack always sends a team; "" keeps the key whole if one ever does not
    person = session.get(Person, key)
    if person is not None:
        return person
    try:
        with session.begin_nested():
            person = Person(team_id=key[0], user_id=user)
            session.add(person)
    except IntegrityError:  # the same person's other request stored them a moment ago: carry on with that row
        log.info("person %s/%s was stored by a concurrent request", team, user)
        person = session.get_one(Person, key)
    return person
