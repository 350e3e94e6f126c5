"""Incident use cases on a real database (SQLite and PostgreSQL): numbering, idempotency, the FTC clock,
routing, events and the outbox rows people will see (FC-INC-1..7)."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.records import Contract, ContractPerson
from domain.contracts.spec import parse_contract_file
from domain.errors import FlexcareError, NotAllowed
from domain.incidents import notices
from domain.incidents import service as incidents
from domain.incidents.records import Incident, IncidentEvent
from domain.incidents.rules import EscalationKind, InvalidIncident
from tests.domain.outbox import outbox

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 09:00 London, 17:00 Taipei, 04:00 New York
OBR = "Operations Bridge"


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=MONDAY_9)
    return db


def new(contract: str = "ACME-FC-01", product: str = OBR, impact: int = 1, **changes: Any) -> incidents.NewIncident:
    values: dict[str, Any] = {"contract_id": contract, "summary": "Event pipeline down",
                              "description": "No events since 08:10.", "impact": impact, "product": product} | changes
    return incidents.NewIncident(**values)


def open_one(db: sessionmaker[Session], *, key: str = "view:1", by: str = "U0MEMB01", now: datetime = MONDAY_9,
             **changes: Any) -> Incident:
    with db.begin() as session:
        return incidents.open_incident(session, new=new(**changes), opened_by=by, idempotency_key=key, now=now)


def act(db: sessionmaker[Session], step: Callable[..., Incident], **kwargs: Any) -> Incident:
    with db.begin() as session:
        return step(session, **kwargs)


def count(db: sessionmaker[Session], model: type[Any]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_fc_inc_ids_are_numbered_per_contract(db: sessionmaker[Session]) -> None:
    keys = [open_one(db, key="v1").key, open_one(db, key="v2").key,
            open_one(db, key="v3", contract="FORMOSA-FC-07", product="Data Protector", by="U0MEMB03").key]
    assert keys == ["ACME-FC-01-0001", "ACME-FC-01-0002", "FORMOSA-FC-07-0001"]


def open_at_once(db: sessionmaker[Session], keys: list[str]) -> list[str]:
    results: list[str] = []
    errors: list[BaseException] = []

    def opener(key: str) -> None:
        try:
            results.append(open_one(db, key=key).key)
        except BaseException as exc:  # collected and asserted below, with the thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=opener, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sorted(results)


def test_fc_inc_concurrent_openers_on_one_contract_get_distinct_numbers(db: sessionmaker[Session]) -> None:
    assert open_at_once(db, [f"view:{n}" for n in range(6)]) == [f"ACME-FC-01-{n:04d}" for n in range(1, 7)]


def test_a_double_submit_racing_itself_makes_one_incident(db: sessionmaker[Session]) -> None:
    assert open_at_once(db, ["view:V1"] * 4) == ["ACME-FC-01-0001"] * 4
    assert count(db, Incident) == 1 and len(outbox(db)) == 1


def test_the_same_submission_twice_makes_one_incident_and_one_card(db: sessionmaker[Session]) -> None:
    first = open_one(db, key="view:V1")
    again = open_one(db, key="view:V1")
    assert (again.id, again.key) == (first.id, first.key)
    assert count(db, Incident) == 1
    assert [n.key for n in outbox(db) if n.kind == notices.CARD] == ["incident:1:card"]


def test_fc_inc_2_due_is_stored_at_opening_on_24x7_and_business_hours(db: sessionmaker[Session]) -> None:
    acme = open_one(db, key="a")  # 24x7: 1 h after opening
    formosa = open_one(db, key="f", contract="FORMOSA-FC-07", product="Data Protector", impact=2, by="U0MEMB03")
    assert acme.ftc_due_at == MONDAY_9 + timedelta(hours=1) and acme.ftc_clock_starts_at is None
    # 17:00 in Taipei is closing time: the clock starts Tuesday 08:00 and runs four service hours.
    assert formosa.ftc_clock_starts_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert formosa.ftc_due_at == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    with db() as session:
        stored = session.scalars(select(Incident).order_by(Incident.id)).all()
        assert [i.ftc_due_at for i in stored] == [acme.ftc_due_at, formosa.ftc_due_at]
        assert all(i.ftc_due_at and i.ftc_due_at.tzinfo is UTC for i in stored)


def test_fc_inc_2_a_later_calendar_change_does_not_move_a_stored_due(db: sessionmaker[Session]) -> None:
    formosa = open_one(db, contract="FORMOSA-FC-07", product="Data Protector", impact=2, by="U0MEMB03")
    with db.begin() as session:
        session.get_one(Contract, "FORMOSA-FC-07").extra_holidays_json = ["2026-12-01"]
    with db() as session:
        assert incidents.get(session, formosa.key).ftc_due_at == formosa.ftc_due_at


def test_fc_inc_2_impact_3_without_a_contract_target_has_no_due(db: sessionmaker[Session]) -> None:
    hudson = open_one(db, contract="HUDSON-FC-03", product="Service Management Automation X", impact=3,
                      by="U0MEMB04")
    assert hudson.ftc_due_at is None


def test_fc_inc_4_routing_and_the_priority_team_at_night_on_24x7(db: sessionmaker[Session]) -> None:
    day = open_one(db, key="d")
    night = open_one(db, key="n", now=MONDAY_9 + timedelta(hours=12))
    esm = open_one(db, key="e", product="IT Operations Management")
    agsm = open_one(db, key="g", product="Network Automation")
    assert (day.owner, day.owner_role, day.priority_team) == ("U0NASE01", "NASE", False)
    assert (night.owner, night.priority_team) == ("U0NASE01", True)
    assert (esm.owner, esm.owner_role) == ("U0ESM001", "ESM")
    assert (agsm.owner, agsm.owner_role) == ("U0AGSM01", "AGSM")


def test_bad_input_is_refused_field_by_field_and_writes_nothing(db: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidIncident) as caught:
        open_one(db, contract="FORMOSA-FC-07", product="Operations Bridge", summary="", by="U0MEMB03")
    assert set(caught.value.errors) == {"product", "summary"}
    assert count(db, Incident) == count(db, IncidentEvent) == 0 and outbox(db) == []


def test_someone_not_on_the_contract_cannot_open_an_incident(db: sessionmaker[Session]) -> None:
    with pytest.raises(NotAllowed, match="not on contract ACME-FC-01"):
        open_one(db, by="U0MEMB03")


def test_opening_posts_the_card_to_the_incidents_channel_and_the_escalated_thread(db: sessionmaker[Session]) -> None:
    open_one(db, source_channel="C0TALK", source_ts="1764493200.000100", source_link="https://acme/p1")
    rows = {n.key: n for n in outbox(db)}
    assert set(rows) == {"incident:1:card", "incident:1:card:thread"}
    card, copy = rows["incident:1:card"], rows["incident:1:card:thread"]
    assert (card.channel, card.thread_ts, card.params["copy"]) == ("C0INCID1", None, "channel")
    assert (copy.channel, copy.thread_ts, copy.params["copy"]) == ("C0TALK", "1764493200.000100", "thread")
    assert card.params["owner"] == "U0NASE01" and card.params["source_link"] == "https://acme/p1"
    assert card.params["time_left_seconds"] == 3600


def test_fc_inc_2_first_contact_is_met_or_missed_on_service_time(db: sessionmaker[Session]) -> None:
    acme = open_one(db, key="a")
    met = act(db, incidents.record_first_contact, key=acme.key, actor="U0NASE01", now=MONDAY_9 + timedelta(minutes=40))
    assert (met.ftc_met, met.ftc_service_seconds, met.ftc_by) == (True, 2400, "U0NASE01")
    formosa = open_one(db, key="f", contract="FORMOSA-FC-07", product="Data Protector", impact=2, by="U0MEMB03")
    late = act(db, incidents.record_first_contact, key=formosa.key, actor="U0NASE02",
               now=datetime(2026, 12, 1, 5, 0, tzinfo=UTC))  # Tuesday 13:00 Taipei: five service hours
    assert (late.ftc_met, late.ftc_service_seconds) == (False, 5 * 3600)
    with pytest.raises(FlexcareError, match="already recorded"):
        act(db, incidents.record_first_contact, key=formosa.key, actor="U0NASE02", now=MONDAY_9 + timedelta(days=1))


def test_only_vendor_staff_record_first_contact_or_escalate(db: sessionmaker[Session]) -> None:
    acme = open_one(db)
    with pytest.raises(NotAllowed, match="may not record first technical contact"):
        act(db, incidents.record_first_contact, key=acme.key, actor="U0MEMB01", now=MONDAY_9)
    with pytest.raises(NotAllowed, match="may not escalate an incident"):
        act(db, incidents.escalate, key=acme.key, actor="U0ADMIN1", kind=EscalationKind.TECHNICAL, reason="x",
            now=MONDAY_9)
    with pytest.raises(NotAllowed, match="not on contract ACME-FC-01"):
        act(db, incidents.post_update, key=acme.key, actor="U0MEMB03", text="hello", now=MONDAY_9)
    assert count(db, IncidentEvent) == 1


def test_fc_inc_2_changing_impact_recomputes_due_from_opening(db: sessionmaker[Session]) -> None:
    acme = open_one(db, impact=3)
    assert acme.ftc_due_at == MONDAY_9 + timedelta(hours=8)  # the contract's impact-3 target
    later = MONDAY_9 + timedelta(hours=3)
    changed = act(db, incidents.change_impact, key=acme.key, actor="U0MEMB01", impact=1, now=later)
    assert changed.ftc_due_at == MONDAY_9 + timedelta(hours=1)  # from opening, not from now: already overdue
    with db() as session:
        event = session.scalars(select(IncidentEvent).where(IncidentEvent.kind == "impact_changed")).one()
        assert (event.actor, event.at) == ("U0MEMB01", later)
        assert event.before["impact"] == 3 and event.after["impact"] == 1
        assert event.after["ftc_due_at"] == (MONDAY_9 + timedelta(hours=1)).isoformat()
    with pytest.raises(FlexcareError, match="already impact 1"):
        act(db, incidents.change_impact, key=acme.key, actor="U0MEMB01", impact=1, now=later)
    with pytest.raises(InvalidIncident):
        act(db, incidents.change_impact, key=acme.key, actor="U0MEMB01", impact=7, now=later)


def test_fc_inc_6_escalation_notifies_the_tam_in_the_thread_and_directly(db: sessionmaker[Session]) -> None:
    acme = open_one(db)
    escalated = act(db, incidents.escalate, key=acme.key, actor="U0NASE01", kind=EscalationKind.TECHNICAL,
                    reason="Needs R&D", now=MONDAY_9 + timedelta(minutes=5))
    assert (escalated.escalation, escalated.escalated_to) == ("technical", "U0TAM001")
    rows = {n.key: n for n in outbox(db)}
    line = rows["incident:1:event:2"]
    assert (line.kind, line.channel, line.thread_of) == (notices.TIMELINE, "C0INCID1", "incident:1:card")
    assert line.params["after"]["escalated_to"] == "U0TAM001" and line.params["note"] == "Needs R&D"
    dm = rows["incident:1:escalation-dm:2"]
    assert (dm.kind, dm.channel, dm.params["reason"]) == (notices.ESCALATION_DM, "U0TAM001", "Needs R&D")
    update = rows["incident:1:card:update:2"]
    assert update.updates == "incident:1:card" and update.params["escalated_to"] == "U0TAM001"


def test_every_change_appends_an_event_and_updates_the_card(db: sessionmaker[Session]) -> None:
    acme = open_one(db)
    step = MONDAY_9
    steps: list[tuple[Callable[..., Incident], dict[str, str]]] = [
        (incidents.post_update, {"actor": "U0TAM001", "text": "Collecting logs"}),
        (incidents.resolve, {"actor": "U0TAM001", "resolution": "Restarted the collector"}),
        (incidents.reopen, {"actor": "U0MEMB01"})]
    for fn, kwargs in steps:
        step += timedelta(minutes=10)
        act(db, fn, key=acme.key, now=step, **kwargs)
    with db() as session:
        events = session.scalars(select(IncidentEvent).order_by(IncidentEvent.id)).all()
        assert [(e.kind, e.actor) for e in events] == [("opened", "U0MEMB01"), ("update", "U0TAM001"),
                                                      ("resolved", "U0TAM001"), ("reopened", "U0MEMB01")]
        assert events[2].after == {"status": "resolved"} and events[3].before["resolution"] == "Restarted the collector"
        stored = incidents.get(session, acme.key)
        assert (stored.status, stored.resolved_at) == ("open", None)
        assert stored.last_update_at == MONDAY_9 + timedelta(minutes=10)
    kinds = [n.kind for n in outbox(db) if n.key.startswith("incident:1:event:")]
    assert kinds == [notices.TIMELINE] * 3
    assert len([n for n in outbox(db) if n.updates == "incident:1:card"]) == 3


def test_a_resolved_incident_takes_no_steps_until_reopened(db: sessionmaker[Session]) -> None:
    acme = open_one(db)
    act(db, incidents.resolve, key=acme.key, actor="U0MEMB01", resolution="Fine now", now=MONDAY_9)
    with pytest.raises(FlexcareError, match=r"is resolved\. Reopen it first"):
        act(db, incidents.post_update, key=acme.key, actor="U0MEMB01", text="x", now=MONDAY_9)
    with pytest.raises(FlexcareError, match="Reopen it first"):
        act(db, incidents.resolve, key=acme.key, actor="U0MEMB01", resolution="again", now=MONDAY_9)
    act(db, incidents.reopen, key=acme.key, actor="U0MEMB01", now=MONDAY_9)
    with pytest.raises(FlexcareError, match="already open"):
        act(db, incidents.reopen, key=acme.key, actor="U0MEMB01", now=MONDAY_9)


def test_list_open_sorts_by_ftc_due_and_leaves_out_resolved(db: sessionmaker[Session]) -> None:
    low = open_one(db, key="1", impact=4)  # due +16 h
    high = open_one(db, key="2", impact=1)  # due +1 h
    mid = open_one(db, key="3", impact=2)  # due +4 h
    gone = open_one(db, key="4", impact=1)
    act(db, incidents.resolve, key=gone.key, actor="U0MEMB01", resolution="dup", now=MONDAY_9)
    with db() as session:
        listed = incidents.list_open(session, contract_ids=["ACME-FC-01"])
        assert [i.key for i in listed] == [high.key, mid.key, low.key]


def test_the_event_log_is_append_only(db: sessionmaker[Session]) -> None:
    open_one(db)
    with pytest.raises(ValueError, match="history"), db.begin() as session:
        session.scalars(select(IncidentEvent)).one().note = "rewritten"


def test_a_message_in_another_contracts_channel_gets_no_copy_of_the_card(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(ContractPerson(contract_id="FORMOSA-FC-07", slack_user="U0MEMB01", role="customer_member"))
    formosa = open_one(db, contract="FORMOSA-FC-07", product="Data Protector", source_channel="C0ALERT1",
                       source_ts="1.000100", source_link="https://acme/p1")
    assert (formosa.card_channel, formosa.source_channel, formosa.source_link) == ("C0INCID2", None, "https://acme/p1")
    assert [(n.key, n.channel) for n in outbox(db)] == [("incident:1:card", "C0INCID2")]
