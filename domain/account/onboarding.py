"""Onboarding (FC-REV: FlexCare start, welcome kit and call, kick-off): when a contract is first imported, a welcome
message in each of its channels and a kick-off checklist for each vendor staff member, ticked with buttons and
reminded weekly from two weeks on while items stay open.

The import only records that onboarding started (`start_onboarding`); the account sweep posts (`announce`) within
its interval. That keeps an import's transaction free of messages, and other flows' outbox counts unchanged.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Action, require
from domain.account import rules
from domain.account.documents import ensure_documents
from domain.account.records import (
    ONBOARDING_ITEMS,
    OPERATIONAL_PROFILE,
    PLAN_LINKED,
    PROFILE_LINKED,
    SUPPORT_PLAN,
    OnboardingItem,
)
from domain.contracts.channels import channel_for
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotFound
from domain.notifications.service import by_key, enqueue, enqueue_update
from domain.points.ledger import balances
from domain.reviews.service import upcoming
from domain.words import _

WELCOME, CHECKLIST, REMINDER = "onboarding_welcome", "onboarding_checklist", "onboarding_reminder"
LINKED_ITEM = {SUPPORT_PLAN: PLAN_LINKED, OPERATIONAL_PROFILE: PROFILE_LINKED}
WELCOME_REVIEWS = 3  # the next scheduled reviews the welcome message lists


def welcome_key(contract_id: str, channel: str) -> str:
    return f"onboarding:{contract_id}:welcome:{channel}"


def checklist_key(contract_id: str, user: str) -> str:
    return f"onboarding:{contract_id}:checklist:{user}"


def start_onboarding(session: Session, *, contract: Contract, now: datetime) -> None:
    """Called once, when the contract is first imported (re-imports never call it): the checklist items and the
    documents. The messages follow from the account sweep (`announce`), so an import writes no outbox rows and a
    contract imported before onboarding existed is never welcomed late."""
    if session.scalar(select(OnboardingItem.id).where(OnboardingItem.contract_id == contract.id).limit(1)):
        return
    for item in ONBOARDING_ITEMS:
        session.add(OnboardingItem(contract_id=contract.id, item=item, started_at=now))
    session.flush()
    ensure_documents(session, contract=contract)


def announce(session: Session, *, contract: Contract, now: datetime) -> int:
    """The welcome message in each of the contract's channels and the checklist to each vendor staff member, each
    written once (unique keys); returns how many were new."""
    items = items_of(session, contract.id)
    if not items:
        return 0
    written = 0
    channels = list(dict.fromkeys(c.channel_id for c in sorted(contract.channels, key=lambda c: c.id)))
    missing = [ch for ch in channels if by_key(session, welcome_key(contract.id, ch)) is None]
    if missing:
        facts = welcome_facts(session, contract, now=now)
        for channel in missing:
            enqueue(session, key=welcome_key(contract.id, channel), channel=channel, kind=WELCOME, params=facts,
                    now=now)
            written += 1
    checklist = checklist_facts(contract, items)
    for user in sorted(contract.vendor_staff()):
        if by_key(session, checklist_key(contract.id, user)) is None:
            enqueue(session, key=checklist_key(contract.id, user), channel=user, kind=CHECKLIST, params=checklist,
                    now=now)
            written += 1
    return written


def welcome_facts(session: Session, contract: Contract, *, now: datetime) -> dict[str, Any]:
    """Who is who, how to open and escalate an incident, this year's points and the next scheduled reviews."""
    today = now.astimezone(ZoneInfo(contract.timezone)).date()
    current = next((y for y in balances(session, contract, now=now)
                    if not y.ended and y.starts_on <= today <= y.ends_on), None)
    roles = [{"role": o.type, "person": o.person, "scope": o.scope, "unavailable": o.unavailable}
             for o in contract.options]
    reviews = [{"kind": r.kind, "role": r.role, "owner": r.owner, "mode": r.mode, "on": r.scheduled_on.isoformat()}
               for r in upcoming(session, contract=contract, now=now, limit=WELCOME_REVIEWS)]
    return {"contract": contract.id, "customer": contract.customer, "language": contract.language,
            "timezone": contract.timezone, "around_the_clock": contract.around_the_clock,
            "opens": f"{contract.service_opens:%H:%M}", "closes": f"{contract.service_closes:%H:%M}",
            "incidents_channel": channel_for(contract, "incidents"), "roles": roles,
            "year": current.contract_year if current else None,
            "available_tenths": current.available if current else None,
            "year_ends_on": current.ends_on.isoformat() if current else None, "reviews": reviews}


def items_of(session: Session, contract_id: str) -> list[OnboardingItem]:
    found = {i.item: i for i in session.scalars(select(OnboardingItem).where(
        OnboardingItem.contract_id == contract_id))}
    return [found[k] for k in ONBOARDING_ITEMS if k in found]


def checklist_facts(contract: Contract, items: list[OnboardingItem]) -> dict[str, Any]:
    return {"contract": contract.id, "customer": contract.customer, "language": contract.language,
            "timezone": contract.timezone,
            "items": [{"item": i.item, "done_by": i.done_by,
                       "done_at": i.done_at.isoformat() if i.done_at else None} for i in items]}


def tick(session: Session, *, contract: Contract, item: str, actor: str, now: datetime) -> OnboardingItem:
    """Vendor staff tick an item; every copy of the checklist is updated in place."""
    require(contract, actor, Action.TICK_ONBOARDING)
    row = session.scalar(select(OnboardingItem).where(OnboardingItem.contract_id == contract.id,
                                                      OnboardingItem.item == item).with_for_update())
    if row is None:
        raise NotFound(_("Contract %(contract)s has no onboarding checklist.", contract=contract.id))
    if row.done_at is not None:
        raise FlexcareError(_("That item was already ticked by <@%(who)s>.", who=row.done_by))
    row.done_by, row.done_at = actor, now
    _checklist_changed(session, contract, now)
    return row


def tick_linked(session: Session, *, contract: Contract, kind: str, actor: str, now: datetime) -> None:
    """Linking the support plan or the operational profile ticks its checklist item, if still open."""
    row = session.scalar(select(OnboardingItem).where(OnboardingItem.contract_id == contract.id,
                                                      OnboardingItem.item == LINKED_ITEM[kind]).with_for_update())
    if row is not None and row.done_at is None:
        row.done_by, row.done_at = actor, now
        _checklist_changed(session, contract, now)


def open_items(session: Session, *, contract_ids: list[str]) -> list[OnboardingItem]:
    return list(session.scalars(select(OnboardingItem).where(
        OnboardingItem.contract_id.in_(contract_ids), OnboardingItem.done_at.is_(None))
        .order_by(OnboardingItem.contract_id, OnboardingItem.id)))


def contracts_onboarding(session: Session) -> list[str]:
    return list(session.scalars(select(OnboardingItem.contract_id).where(OnboardingItem.done_at.is_(None))
                                .distinct().order_by(OnboardingItem.contract_id)))


def enqueue_onboarding_reminders(session: Session, *, contract: Contract, now: datetime) -> int:
    """From two weeks after the start, once a week while items stay open: a line under each checklist copy."""
    items = items_of(session, contract.id)
    still_open = [i.item for i in items if i.done_at is None]
    week = rules.onboarding_reminder_week(items[0].started_at, now) if items else None
    if not still_open or week is None:
        return 0
    written = 0
    for user in sorted(contract.vendor_staff()):
        checklist = checklist_key(contract.id, user)
        key = f"{checklist}:reminder:{week}"
        if by_key(session, checklist) is None or by_key(session, key) is not None:
            continue
        enqueue(session, key=key, channel=user, kind=REMINDER, now=now, thread_of=checklist,
                params={"contract": contract.id, "customer": contract.customer, "open": still_open,
                        "started_at": items[0].started_at.isoformat(), "language": contract.language})
        written += 1
    return written


def _checklist_changed(session: Session, contract: Contract, now: datetime) -> None:
    facts = checklist_facts(contract, items_of(session, contract.id))
    for user in sorted(contract.vendor_staff()):
        if by_key(session, checklist_key(contract.id, user)) is not None:
            enqueue_update(session, target_key=checklist_key(contract.id, user), kind=CHECKLIST, params=facts,
                           now=now)
