"""What people hear about an incident, as outbox rows written in the same transaction as the change.

The card is posted once to the incidents channel and once into the thread of the escalated message,
then updated in place; each change adds a timeline line under the card; an escalation also goes to
the person escalated to by direct message. Params are plain JSON facts; handlers/blocks renders them.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.calendar import ServiceCalendar, ftc_target
from domain.contracts.records import Contract
from domain.incidents import rules
from domain.incidents.records import Incident, IncidentEvent
from domain.notifications.service import enqueue, enqueue_update

CARD = "incident_card"
TIMELINE = "incident_timeline"
ESCALATION_DM = "incident_escalation_dm"
CARD_DESCRIPTION_MAX = 600  # the card shows the start; `/flexcare incident show` has it all


def card_key(incident: Incident) -> str:
    return f"incident:{incident.id}:card"


def thread_copy_key(incident: Incident) -> str:
    return f"incident:{incident.id}:card:thread"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def card_facts(incident: Incident, contract: Contract, *, now: datetime, copy: str = "channel") -> dict[str, Any]:
    """Everything the card shows, as of `now` (the time left is the FTC clock's service time)."""
    clock = ServiceCalendar.for_contract(contract)
    target = ftc_target(contract, incident.impact)
    left = (rules.ftc_time_left(clock, due=incident.ftc_due_at, now=now)
            if incident.ftc_due_at is not None and incident.ftc_at is None and incident.is_open else None)
    return {
        "copy": copy,  # "channel": links to the escalated message; "thread": points to the card's channel
        "key": incident.key, "contract": contract.id, "timezone": contract.timezone, "language": contract.language,
        "around_the_clock": clock.around_the_clock,
        "summary": incident.summary, "description": incident.description[:CARD_DESCRIPTION_MAX],
        "description_cut": len(incident.description) > CARD_DESCRIPTION_MAX,
        "impact": incident.impact, "target_seconds": int(target.total_seconds()) if target else None,
        "product": incident.product, "owner": incident.owner, "owner_role": incident.owner_role,
        "priority_team": incident.priority_team, "status": incident.status,
        "opened_at": _iso(incident.opened_at), "opened_by": incident.opened_by,
        "ftc_due_at": _iso(incident.ftc_due_at), "ftc_clock_starts_at": _iso(incident.ftc_clock_starts_at),
        "time_left_seconds": int(left.total_seconds()) if left is not None else None, "as_of": _iso(now),
        "ftc_at": _iso(incident.ftc_at), "ftc_by": incident.ftc_by, "ftc_met": incident.ftc_met,
        "ftc_service_seconds": incident.ftc_service_seconds,
        "escalation": incident.escalation, "escalated_to": incident.escalated_to,
        "escalated_at": _iso(incident.escalated_at), "last_update_at": _iso(incident.last_update_at),
        "resolved_at": _iso(incident.resolved_at), "resolution": incident.resolution,
        "vendor": incident.third_party_vendor, "case_ref": incident.third_party_case,
        "source_link": incident.source_link, "card_channel": incident.card_channel,
    }


def card_posted(session: Session, incident: Incident, contract: Contract, *, now: datetime) -> None:
    """The new card: in the incidents channel, and in the escalated message's thread (links both ways)."""
    enqueue(session, key=card_key(incident), channel=incident.card_channel, kind=CARD,
            params=card_facts(incident, contract, now=now), now=now)
    if incident.source_channel and incident.source_ts:
        enqueue(session, key=thread_copy_key(incident), channel=incident.source_channel, kind=CARD,
                params=card_facts(incident, contract, now=now, copy="thread"), now=now,
                thread_ts=incident.source_ts)


def changed(session: Session, incident: Incident, contract: Contract, event: IncidentEvent, *,
            now: datetime) -> None:
    """One change: both copies of the card updated in place, and a timeline line under the card."""
    enqueue_update(session, target_key=card_key(incident), kind=CARD, key=f"{card_key(incident)}:update:{event.id}",
                   params=card_facts(incident, contract, now=now), now=now)
    if incident.source_channel and incident.source_ts:
        enqueue_update(session, target_key=thread_copy_key(incident), kind=CARD,
                       key=f"{thread_copy_key(incident)}:update:{event.id}",
                       params=card_facts(incident, contract, now=now, copy="thread"), now=now)
    enqueue(session, key=f"incident:{incident.id}:event:{event.id}", channel=incident.card_channel, kind=TIMELINE,
            params=timeline_facts(incident, contract, event), now=now, thread_of=card_key(incident))


def timeline_facts(incident: Incident, contract: Contract, event: IncidentEvent) -> dict[str, Any]:
    return {"key": incident.key, "kind": event.kind, "actor": event.actor, "at": _iso(event.at),
            "timezone": contract.timezone, "language": contract.language, "before": event.before,
            "after": event.after, "note": event.note}


def escalation_sent(session: Session, incident: Incident, contract: Contract, event: IncidentEvent, *,
                    now: datetime) -> None:
    """FC-INC-6: the person escalated to hears it directly too, not only by the mention in the thread."""
    if incident.escalated_to is None:
        return
    enqueue(session, key=f"incident:{incident.id}:escalation-dm:{event.id}", channel=incident.escalated_to,
            kind=ESCALATION_DM, now=now,
            params={"key": incident.key, "summary": incident.summary, "impact": incident.impact,
                    "escalation": incident.escalation, "by": event.actor, "reason": event.note,
                    "card_channel": incident.card_channel, "source_link": incident.source_link,
                    "product": incident.product, "language": contract.language})
