"""Incident use cases (FC-INC): each one transaction's work on a caller's Session, never committed here.

Each use case loads and locks what it changes, checks who may act (domain.access), applies the rules,
appends an event and writes the outbox rows people will see, all in the caller's transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import Action, require
from domain.calendar import ServiceCalendar, ftc_due_at, ftc_target
from domain.contracts.channels import channel_for, contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotFound
from domain.incidents import notices, rules
from domain.incidents.records import OPEN, RESOLVED, Incident, IncidentEvent
from domain.incidents.rules import IncidentStep, InvalidIncident
from domain.words import _


@dataclass(frozen=True)
class NewIncident:
    """What a person fills in (the modal), plus where it came from."""

    contract_id: str
    summary: str
    description: str
    impact: int
    product: str
    vendor: str | None = None
    case_ref: str | None = None
    source_channel: str | None = None
    source_ts: str | None = None
    source_link: str | None = None


def open_incident(session: Session, *, new: NewIncident, opened_by: str, idempotency_key: str,
                  now: datetime) -> Incident:
    """Open, number, route and time an incident (FC-INC-1, 2, 4, 5); the same key twice gives the same incident."""
    # The contract row lock serialises openers on one contract: numbering and the idempotency check
    # below then see every earlier opener's committed row (SQLite: BEGIN IMMEDIATE does the same).
    contract = session.get(Contract, new.contract_id, with_for_update=True)
    if contract is None:
        raise NotFound(_("There is no contract %(contract)s. `/flexcare contract` shows yours.",
                         contract=new.contract_id))
    existing = session.scalar(select(Incident).where(Incident.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    require(contract, opened_by, Action.OPEN_INCIDENT)
    summary, product = new.summary.strip(), new.product.strip()
    vendor, case_ref = (new.vendor or "").strip() or None, (new.case_ref or "").strip() or None
    errors = rules.check_new_incident(summary=summary, description=new.description, impact=new.impact,
                                      product=product, cover=rules.coverage(contract.options),
                                      vendor=vendor, case_ref=case_ref)
    if errors:
        raise InvalidIncident(errors)
    # A message in another contract's channel may be escalated by someone on both contracts; the card
    # then stays out of that channel (its people are not on this contract) and only links to the message.
    source_channel = new.source_channel
    if source_channel and _channel_of_another_contract(session, source_channel, contract):
        source_channel = None
    card_channel = channel_for(contract, "incidents") or source_channel
    if card_channel is None:
        raise FlexcareError(_("Contract %(contract)s has no incidents channel. Link one with `/flexcare link "
                              "%(contract)s incidents` in that channel, then try again.", contract=contract.id))
    owner = rules.route_owner(contract.options, product)
    clock = ServiceCalendar.for_contract(contract)
    clock_starts = clock.next_service_start(now)
    number = (session.scalar(select(func.max(Incident.number)).where(Incident.contract_id == contract.id)) or 0) + 1
    incident = Incident(
        key=rules.incident_key(contract.id, number), contract_id=contract.id, number=number,
        summary=summary, description=new.description.strip(), impact=new.impact, product=product,
        owner=owner.person, owner_role=owner.role, status=OPEN, opened_at=now, opened_by=opened_by,
        priority_team=rules.handled_by_priority_team(owner, around_the_clock=contract.around_the_clock,
                                                     business_hours=ServiceCalendar.business_hours_for(contract),
                                                     at=now),
        ftc_due_at=_due(contract, new.impact, now),
        ftc_clock_starts_at=clock_starts.astimezone(UTC) if clock_starts > now else None,
        third_party_vendor=vendor, third_party_case=case_ref, card_channel=card_channel,
        source_channel=source_channel, source_ts=new.source_ts if source_channel else None,
        source_link=new.source_link,
        idempotency_key=idempotency_key,
    )
    session.add(incident)
    session.flush()
    _log(session, incident, actor=opened_by, kind="opened", now=now,
         after={"impact": incident.impact, "owner": incident.owner, "ftc_due_at": _iso(incident.ftc_due_at)})
    notices.card_posted(session, incident, contract, now=now)
    return incident


def record_first_contact(session: Session, *, key: str, actor: str, now: datetime) -> Incident:
    """Stamp first technical contact, met or missed on the FTC clock's service time (FC-INC-2)."""
    incident, contract = _load(session, key, actor, IncidentStep.RECORD_FIRST_CONTACT)
    _require_open(incident)
    if incident.ftc_at is not None:
        raise FlexcareError(_("First technical contact on %(key)s was already recorded by <@%(who)s>.",
                              key=incident.key, who=incident.ftc_by))
    clock = ServiceCalendar.for_contract(contract)
    incident.ftc_at, incident.ftc_by = now, actor
    incident.ftc_service_seconds = int(clock.service_time_between(incident.opened_at, now).total_seconds())
    incident.ftc_met = rules.ftc_met(clock, opened_at=incident.opened_at, first_contact_at=now,
                                     target=ftc_target(contract, incident.impact))
    return _changed(session, incident, contract, actor=actor, kind="first_contact", now=now,
                    after={"ftc_at": _iso(now), "met": incident.ftc_met,
                           "service_seconds": incident.ftc_service_seconds})


def escalate(session: Session, *, key: str, actor: str, kind: rules.EscalationKind, reason: str,
             now: datetime) -> Incident:
    """FC-INC-6: technical escalation to the TAM, business escalation to the ESM or AGSM."""
    incident, contract = _load(session, key, actor, IncidentStep.ESCALATE)
    _require_open(incident)
    rules.check_text(reason, field="reason", limit=rules.REASON_MAX,
                     missing=_("Say why the incident needs escalating."))
    target = rules.escalation_target(contract.options, incident.product, kind)
    before = {"escalation": incident.escalation, "escalated_to": incident.escalated_to}
    incident.escalation, incident.escalated_to, incident.escalated_at = kind.value, target.person, now
    event = _log(session, incident, actor=actor, kind="escalated", now=now, before=before, note=reason.strip(),
                 after={"escalation": kind.value, "escalated_to": target.person, "role": target.role})
    notices.changed(session, incident, contract, event, now=now)
    notices.escalation_sent(session, incident, contract, event, now=now)
    return incident


def change_impact(session: Session, *, key: str, actor: str, impact: int, now: datetime) -> Incident:
    """A new impact level: FTC due recomputed from when it was opened, under the new level (FC-INC-2)."""
    incident, contract = _load(session, key, actor, IncidentStep.CHANGE_IMPACT)
    _require_open(incident)
    problem = rules.check_impact(impact)
    if problem:
        raise InvalidIncident({"impact": problem})
    if impact == incident.impact:
        raise FlexcareError(_("%(key)s is already impact %(impact)s.", key=incident.key, impact=impact))
    before = {"impact": incident.impact, "ftc_due_at": _iso(incident.ftc_due_at), "met": incident.ftc_met}
    incident.impact = impact
    incident.ftc_due_at = _due(contract, impact, incident.opened_at)
    if incident.ftc_at is not None:
        incident.ftc_met = rules.ftc_met(ServiceCalendar.for_contract(contract), opened_at=incident.opened_at,
                                         first_contact_at=incident.ftc_at, target=ftc_target(contract, impact))
    return _changed(session, incident, contract, actor=actor, kind="impact_changed", now=now, before=before,
                    after={"impact": impact, "ftc_due_at": _iso(incident.ftc_due_at), "met": incident.ftc_met})


def post_update(session: Session, *, key: str, actor: str, text: str, now: datetime) -> Incident:
    """A status update in the card's thread (FC-INC-5: timely status updates)."""
    incident, contract = _load(session, key, actor, IncidentStep.POST_UPDATE)
    _require_open(incident)
    rules.check_text(text, field="update", limit=rules.UPDATE_MAX, missing=_("Write the update to post."))
    incident.last_update_at = now
    return _changed(session, incident, contract, actor=actor, kind="update", now=now, note=text.strip())


def resolve(session: Session, *, key: str, actor: str, resolution: str, now: datetime) -> Incident:
    incident, contract = _load(session, key, actor, IncidentStep.RESOLVE)
    _require_open(incident)
    rules.check_text(resolution, field="resolution", limit=rules.RESOLUTION_MAX,
                     missing=_("Summarise how the incident was resolved."))
    incident.status, incident.resolved_at, incident.resolution = RESOLVED, now, resolution.strip()
    return _changed(session, incident, contract, actor=actor, kind="resolved", now=now, note=resolution.strip(),
                    before={"status": OPEN}, after={"status": RESOLVED})


def reopen(session: Session, *, key: str, actor: str, now: datetime) -> Incident:
    incident, contract = _load(session, key, actor, IncidentStep.REOPEN)
    if incident.is_open:
        raise FlexcareError(_("%(key)s is already open.", key=incident.key))
    before = {"status": incident.status, "resolved_at": _iso(incident.resolved_at), "resolution": incident.resolution}
    incident.status, incident.resolved_at, incident.resolution = OPEN, None, None
    return _changed(session, incident, contract, actor=actor, kind="reopened", now=now, before=before,
                    after={"status": OPEN})


def get(session: Session, key: str) -> Incident:
    incident = session.scalar(select(Incident).where(func.upper(Incident.key) == key.strip().upper()))
    if incident is None:
        raise NotFound(_("There is no incident %(key)s. `/flexcare incident list` shows the open ones.", key=key))
    return incident


def list_open(session: Session, *, contract_ids: Iterable[str]) -> list[Incident]:
    """Open incidents, the soonest FTC due first; those without a target (or with FTC made) last."""
    query = (select(Incident).where(Incident.status == OPEN, Incident.contract_id.in_(list(contract_ids)))
             .order_by(Incident.ftc_at.is_not(None), Incident.ftc_due_at.is_(None), Incident.ftc_due_at,
                       Incident.opened_at, Incident.id))
    return list(session.scalars(query))


def _channel_of_another_contract(session: Session, channel: str, contract: Contract) -> bool:
    owner = contract_of_channel(session, channel, team_id=contract.team_id)
    return owner is not None and owner.id != contract.id


def _load(session: Session, key: str, actor: str, step: IncidentStep) -> tuple[Incident, Contract]:
    found = get(session, key)
    # Locked so two people pressing buttons on one card change it one after the other.
    incident = session.scalars(select(Incident).where(Incident.id == found.id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    contract = session.get_one(Contract, incident.contract_id)
    require(contract, actor, rules.STEP_ACTION[step])
    return incident, contract


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise FlexcareError(_("%(key)s is resolved. Reopen it first.", key=incident.key))


def _changed(session: Session, incident: Incident, contract: Contract, *, actor: str, kind: str, now: datetime,
             before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
             note: str | None = None) -> Incident:
    event = _log(session, incident, actor=actor, kind=kind, now=now, before=before, after=after, note=note)
    notices.changed(session, incident, contract, event, now=now)
    return incident


def _log(session: Session, incident: Incident, *, actor: str, kind: str, now: datetime,
         before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
         note: str | None = None) -> IncidentEvent:
    event = IncidentEvent(incident_id=incident.id, at=now, actor=actor, kind=kind, before=before or {},
                          after=after or {}, note=note)
    session.add(event)
    session.flush()  # the event id keys its notifications
    return event


def _due(contract: Contract, impact: int, opened_at: datetime) -> datetime | None:
    due = ftc_due_at(contract, impact, opened_at)  # in the contract's zone; kept in UTC like every instant
    return due.astimezone(UTC) if due is not None else None


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
