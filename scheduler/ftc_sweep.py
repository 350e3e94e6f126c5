"""FTC deadline warnings (FC-INC-2, FC-INC-6, FC-DEC-8): posted in the incident card's thread, the owner
mentioned; the breach also names the TAM and turns the card to "overdue"; after it, a reminder every 2 service
hours until first contact is recorded. Which stage is due is domain.incidents.deadlines' decision.

An FTC stamp, a resolution or an impact change (a new due instant, so new keys) leaves the old stages behind:
they are never written, and any still waiting in the outbox are cancelled before they are sent.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only, sessionmaker

from domain.calendar import ServiceCalendar, ftc_target
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.incidents import deadlines, notices, rules
from domain.incidents.records import OPEN, Incident
from domain.notifications.records import CANCELLED, PENDING, Notification
from domain.notifications.service import by_key, enqueue, enqueue_update
from handlers.blocks.reminders import FTC_STAGE
from scheduler.sweeps import Clock, each_unit, written_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Post:
    incident_id: int
    due_at: datetime
    stage: deadlines.FtcStage
    late: bool
    in_thread: bool  # the card was written, so the warning goes under it


def sweep_ftc_deadlines(db: sessionmaker[Session], clock: Clock) -> int:
    """Write every FTC stage due now; returns how many notifications were written."""
    now = clock()
    with db() as session:
        waiting = _waiting(session)
        _cancel_stale(session, waiting)
        session.commit()
        plans = {incident.id: (incident, _stages(incident, contract, now)) for incident, contract in waiting.values()}
        keys = {deadlines.stage_key(i.id, _due(i), s.name): (i.id, s.name)
                for i, stages in plans.values() for s in _worth_asking(stages, now)}
        cards = {notices.card_key(i): i.id for i, _stages_ in plans.values()}
        written = written_keys(session, [*keys, *cards])
    stages_written: dict[int, dict[str, datetime]] = {}
    for key, at in written.items():
        if key in keys:
            incident_id, stage = keys[key]
            stages_written.setdefault(incident_id, {})[stage] = at
    posts = []
    for incident, stages in plans.values():
        choice = deadlines.stage_to_post(stages, now=now, written=stages_written.get(incident.id, {}))
        if choice is not None:
            posts.append(_Post(incident.id, _due(incident), choice.stage, choice.late,
                               in_thread=notices.card_key(incident) in written))
    return each_unit(db, posts, lambda session, post: _write(session, post, now), what="FTC warning")


def _waiting(session: Session) -> dict[int, tuple[Incident, Contract]]:
    """Open incidents whose FTC is due and not yet made, and their contracts: two queries. Not one join: with
    statistics, SQLite would scan the contracts and read every incident of each (the resolved history too)
    through the contract index; alone, the incident query reads only open rows (ix_incident_open_due)."""
    found = list(session.scalars(select(Incident).options(load_only(
        Incident.id, Incident.key, Incident.contract_id, Incident.impact, Incident.opened_at, Incident.ftc_due_at))
        .where(Incident.status == OPEN, Incident.ftc_due_at.is_not(None), Incident.ftc_at.is_(None))))
    ids = sorted({incident.contract_id for incident in found})
    contracts = {c.id: c for c in session.scalars(select(Contract).where(Contract.id.in_(ids)))} if ids else {}
    return {incident.id: (incident, contracts[incident.contract_id]) for incident in found}


def _cancel_stale(session: Session, waiting: dict[int, tuple[Incident, Contract]]) -> None:
    """Cancel stages still in the outbox whose incident made FTC, was resolved or got a new due instant."""
    rows = session.execute(select(Notification.id, Notification.key).where(
        Notification.status == PENDING, Notification.kind == FTC_STAGE, Notification.claimed_by.is_(None)))
    stale = []
    for row_id, key in rows:
        incident_id, stem = _parse(key)
        current = waiting.get(incident_id)
        if current is None or deadlines.stage_key(incident_id, _due(current[0]), "") != stem:
            stale.append(row_id)
    if stale:
        session.execute(update(Notification).where(Notification.id.in_(stale), Notification.status == PENDING,
                                                   Notification.claimed_by.is_(None)).values(status=CANCELLED))
        log.info("cancelled %d FTC warnings whose due instant moved or whose FTC was made", len(stale))


def _parse(key: str) -> tuple[int, str]:
    """(incident id, the key without its stage name) of `incident:<id>:ftc:<due>:<stage>`."""
    stem = key[:key.rindex(":") + 1]
    return int(key.split(":")[1]), stem


def _worth_asking(stages: list[deadlines.FtcStage], now: datetime) -> list[deadlines.FtcStage]:
    """The stages whose outbox rows `stage_to_post` needs to see: the breach and the latest due one. Another
    earlier stage cannot have been written at or after the latest's instant (a sweep then would have chosen the
    latest), so only the breach, written late after downtime, can cover a later stage."""
    due = [s for s in stages if s.at <= now]
    return [s for s in due if s.is_breach or s is due[-1]]


def _due(incident: Incident) -> datetime:
    if incident.ftc_due_at is None:
        raise ValueError(f"incident {incident.key} has no FTC due instant")
    return incident.ftc_due_at.astimezone(UTC)


def _stages(incident: Incident, contract: Contract, now: datetime) -> list[deadlines.FtcStage]:
    target = ftc_target(contract, incident.impact)
    if target is None:
        return []
    return deadlines.ftc_stages(ServiceCalendar.for_contract(contract), opened_at=incident.opened_at,
                                due_at=_due(incident), target=target, now=now)


def _write(session: Session, post: _Post, now: datetime) -> int:
    """One stage of one incident, re-checked under the incident's lock (an FTC stamp may have just landed)."""
    incident = session.scalars(select(Incident).where(Incident.id == post.incident_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    if not incident.is_open or incident.ftc_at is not None or incident.ftc_due_at is None \
            or _due(incident) != post.due_at:
        return 0
    contract = session.get_one(Contract, incident.contract_id)
    card = notices.card_key(incident)
    enqueue(session, key=deadlines.stage_key(incident.id, post.due_at, post.stage.name),
            channel=incident.card_channel, kind=FTC_STAGE, params=_facts(incident, contract, post, now=now), now=now,
            thread_of=card if post.in_thread else None)
    if post.stage.is_breach and post.in_thread:
        # The card shows the breach too: updated in place, like every other change (domain.incidents.notices).
        enqueue_update(session, target_key=card, kind=notices.CARD, key=deadlines.breach_card_key(card, post.due_at),
                       params=_overdue_card(incident, contract, now=now), now=now)
        copy = notices.thread_copy_key(incident)
        if by_key(session, copy) is not None:
            enqueue_update(session, target_key=copy, kind=notices.CARD,
                           key=deadlines.breach_card_key(copy, post.due_at), now=now,
                           params=_overdue_card(incident, contract, now=now, copy="thread"))
    return 1


def _overdue_card(incident: Incident, contract: Contract, *, now: datetime, copy: str = "channel") -> dict[str, Any]:
    """The card's facts at the breach. At the due instant itself no service time has passed it yet (or none
    can, when it falls on closing time, FC-DEC-7), yet the card must read "overdue", not "0 min left"."""
    facts = notices.card_facts(incident, contract, now=now, copy=copy)
    facts["time_left_seconds"] = min(facts["time_left_seconds"] or 0, -1)
    return facts


def _facts(incident: Incident, contract: Contract, post: _Post, *, now: datetime) -> dict[str, Any]:
    clock = ServiceCalendar.for_contract(contract)
    tam = None
    if post.stage.is_breach:
        try:
            tam = rules.escalation_target(contract.options, incident.product, rules.EscalationKind.TECHNICAL).person
        except FlexcareError:
            log.info("contract %s has no TAM to name in the FTC breach of %s", contract.id, incident.key)
    return {"key": incident.key, "stage": post.stage.name, "stage_at": post.stage.at.isoformat(), "late": post.late,
            "impact": incident.impact, "owner": incident.owner, "tam": tam, "due_at": post.due_at.isoformat(),
            "left_seconds": int(rules.ftc_time_left(clock, due=post.due_at, now=now).total_seconds()),
            "timezone": contract.timezone, "language": contract.language}
