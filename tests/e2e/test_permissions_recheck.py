"""Every button and every form submission checks, against the database, that the person may act on the contract it
names (issue 11): someone of contract A (ACME-FC-01) pressing a button of B's card (FORMOSA-FC-07) or submitting a
form whose private metadata names B's incident, request, review or notice is refused with a sentence, and the
database is left as it was. The action ids and callback ids come from the App's own registrations
(tests/e2e/listeners.py), so a listener added later fails here until it has a case.

The attacker is always someone who *may* do the same thing on their own contract A: refused for B, not for a role.
"""

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.standin import payloads
from domain.account import documents
from domain.account import notices as account_notices
from domain.account.records import NoticeDelivery
from domain.contracts.records import Contract
from domain.incidents import service as incidents
from domain.incidents.records import Incident
from domain.notifications.records import PENDING, Notification
from domain.points import service as points
from domain.points.menu import load_menu
from domain.reviews.records import Review
from domain.reviews.reminders import review_facts
from domain.schema import metadata
from handlers.blocks import account_forms, incident_forms, points_forms
from handlers.blocks import home as home_blocks
from handlers.blocks import reviews as review_blocks
from handlers.escalation import contract_choice
from tests.e2e import listeners
from tests.e2e.harness import TEAM, Harness

FORM = "application/x-www-form-urlencoded"
B = "FORMOSA-FC-07"
A_TAM, A_ADMIN, A_MEMBER = "U0TAM001", "U0ADMIN1", "U0MEMB01"  # vendor staff, customer admin, member of ACME-FC-01
REFUSED = re.compile(r"FORMOSA-FC-07|Pick one of your contracts\.|Only vendor staff named on a FlexCare contract")


@dataclass(frozen=True)
class World:
    """Contract B's things, which A's people will try to act on."""

    incident: str
    resolved: str
    request: int
    review: int
    delivery: int


def build_world(harness: Harness) -> World:
    now, menu = harness.clock(), load_menu()
    with harness.db.begin() as session:
        def opened(n: int) -> str:
            new = incidents.NewIncident(contract_id=B, summary=f"Backups fail {n}", description="Since 02:00",
                                        impact=3, product="Data Protector")
            return incidents.open_incident(session, new=new, opened_by="U0MEMB03", idempotency_key=f"world:{n}",
                                           now=now).key
        key, resolved = opened(1), opened(2)
        incidents.resolve(session, key=resolved, actor="U0NASE02", resolution="Fixed", now=now)
        contract = session.get_one(Contract, B)
        request = points.request_service(session, contract=contract, menu=menu, by="U0ADMIN2", now=now,
                                         key="world", form=points.RequestForm("feature-coaching", date(2027, 1, 15)))
        documents.ensure_documents(session, contract=contract)
        notice = account_notices.send_notice(session, sent_by="U0ESM002", team_id=None, idempotency_key="world",
                                             now=now, new=account_notices.NewNotice(
                                                 product="Data Protector", kind="critical_patch", severity="high",
                                                 title="DP 11 patch", details="Fixes restores."))
        delivery = next(d.id for d in notice.deliveries if d.contract_id == B)
        review = session.scalars(select(Review.id).where(Review.contract_id == B).order_by(Review.id)).first()
        assert review is not None
        world = World(incident=key, resolved=resolved, request=request.id, review=review, delivery=delivery)
    harness.bot.dispatcher.kick()  # B's cards go out as they would have
    return world


# -- what a case sends ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Press:
    """A button (or menu) on one of B's messages: its value names B's thing."""

    attacker: str
    value: Callable[[World], str]
    kind: str = "button"


@dataclass(frozen=True)
class InModal:
    """A field changed in a modal about B (dispatch_action): no reply channel, so the refusal goes to the log."""

    attacker: str
    view: Callable[[Session, World], dict[str, Any]]
    value: str


@dataclass(frozen=True)
class Personal:
    """An action that names no contract (App Home's language switch): it may change the presser's settings only."""

    attacker: str
    view: Callable[[Session, World], dict[str, Any]]
    value: str


@dataclass(frozen=True)
class Submit:
    """A modal submitted by A's person whose private metadata (or chosen contract) is B's."""

    attacker: str
    view: Callable[[Session, World], dict[str, Any]]
    answers: dict[str, Any]


def _choice(session: Session) -> incident_forms.ContractChoice:
    return contract_choice(session.get_one(Contract, B))


def _request_modal(session: Session, world: World) -> dict[str, Any]:
    state = points_forms.ModalState(B, "Formosa Semiconductor", False)
    return points_forms.request_modal(state, load_menu(), points_forms.Draft(), price_text="", channel=None).to_dict()


def _new_incident(session: Session, world: World) -> dict[str, Any]:
    return incident_forms.new_incident_modal([_choice(session)], _choice(session), summary="Ours now",
                                             description="", metadata={"channel": "C0INCID1"}).to_dict()


def _review(session: Session, world: World) -> dict[str, Any]:
    review = session.get_one(Review, world.review)
    return review_blocks.reschedule_modal(review_facts(review, session.get_one(Contract, B))).to_dict()


ACTIONS: dict[str, Press | InModal] = {
    incident_forms.RECORD_FTC: Press(A_TAM, lambda w: w.incident),
    incident_forms.REOPEN: Press(A_MEMBER, lambda w: w.resolved),
    incident_forms.ESCALATE: Press(A_TAM, lambda w: w.incident),
    incident_forms.CHANGE_IMPACT: Press(A_MEMBER, lambda w: w.incident),
    incident_forms.POST_UPDATE: Press(A_TAM, lambda w: w.incident),
    incident_forms.RESOLVE: Press(A_TAM, lambda w: w.incident),
    incident_forms.CONTRACT_PICKED: InModal(A_ADMIN, _new_incident, B),
    points_forms.OPEN_REQUEST: Press(A_ADMIN, lambda w: B),
    "^" + re.escape(points_forms.FIELD_PREFIX): InModal(A_ADMIN, _request_modal, "2"),
    points_forms.ACCEPT: Press(A_TAM, lambda w: str(w.request)),
    points_forms.DECLINE: Press(A_TAM, lambda w: str(w.request)),
    points_forms.DELIVER: Press(A_TAM, lambda w: str(w.request)),
    points_forms.CANCEL: Press(A_ADMIN, lambda w: str(w.request)),
    points_forms.EXTRA_DAYS_BUTTON: Press(A_TAM, lambda w: str(w.request)),
    points_forms.SHOW_HISTORY: Press(A_ADMIN, lambda w: B),
    points_forms.MORE_HISTORY: Press(A_ADMIN, lambda w: json.dumps({"contract": B, "offset": 0})),
    points_forms.EXPORT_CSV: Press(A_ADMIN, lambda w: f"{B}:1"),
    review_blocks.CONFIRM: Press(A_TAM, lambda w: str(w.review)),
    review_blocks.RESCHEDULE: Press(A_TAM, lambda w: str(w.review)),
    review_blocks.HELD: Press(A_TAM, lambda w: str(w.review)),
    review_blocks.MENU: Press(A_TAM, lambda w: f"confirm:{w.review}", kind="overflow"),
    account_forms.ACKNOWLEDGE: Press(A_MEMBER, lambda w: str(w.delivery)),
    account_forms.PLAN: Press(A_TAM, lambda w: str(w.delivery)),
    account_forms.REVIEWED: Press(A_TAM, lambda w: f"{B}:support_plan"),
    account_forms.TICK: Press(A_TAM, lambda w: f"{B}:welcome_call"),
}
PERSONAL: dict[str, Personal] = {home_blocks.LANGUAGE_CHOICE: Personal(
    "U0MEMB02", lambda s, w: home_blocks.with_language_choice(home_blocks.home_view([]), None).to_dict(), "zh-TW")}

VIEWS: dict[str, Submit] = {
    incident_forms.NEW_MODAL: Submit(A_ADMIN, _new_incident, {"summary": "Ours now", "description": "Really",
                                                             "impact": "3", f"product:{B}": "Data Protector"}),
    incident_forms.ESCALATE_MODAL: Submit(A_TAM, lambda s, w: incident_forms.escalate_modal(
        w.incident, technical="<@U0TAM002>", business=None).to_dict(), {"kind": "technical", "reason": "Ours"}),
    incident_forms.IMPACT_MODAL: Submit(A_MEMBER, lambda s, w: incident_forms.impact_modal(
        w.incident, _choice(s), 3).to_dict(), {"impact": "1"}),
    incident_forms.UPDATE_MODAL: Submit(A_TAM, lambda s, w: incident_forms.update_modal(w.incident).to_dict(),
                                        {"update": "Ours"}),
    incident_forms.RESOLVE_MODAL: Submit(A_TAM, lambda s, w: incident_forms.resolve_modal(w.incident).to_dict(),
                                         {"resolution": "Ours"}),
    points_forms.REQUEST_MODAL: Submit(A_ADMIN, _request_modal, {"service": "feature-coaching", "date": "2027-01-15"}),
    points_forms.EXTRA_DAYS_MODAL: Submit(A_TAM, lambda s, w: points_forms.extra_days_modal(
        w.request, "Request", 10, 100).to_dict(), {"extra_days": "1", "extra_days_reason": "Ours"}),
    review_blocks.RESCHEDULE_MODAL: Submit(A_TAM, _review, {review_blocks.DATE_BLOCK: "2027-01-19"}),
    account_forms.NOTICE_MODAL: Submit(A_ADMIN, lambda s, w: account_forms.notice_modal([]).to_dict(), {
        "product": "Data Protector", "kind": "critical_patch", "severity": "high", "title": "Ours", "details": "x"}),
    account_forms.PLAN_MODAL: Submit(A_TAM, lambda s, w: account_forms.plan_modal(w.delivery, "N", B).to_dict(),
                                     {"install_on": "2026-12-21", "mode": "remote"}),
}


# -- the database, before and after ----------------------------------------------------------------------------
def snapshot(harness: Harness, attacker: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the attacker's own `people` row aside: any request may note their locale)."""
    def settled() -> bool:
        with harness.db() as session:
            return session.scalars(select(Notification.id).where(Notification.status == PENDING)).first() is None
    harness.slack.wait_for(settled, timeout=10)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with harness.db() as session:
        for table in metadata.sorted_tables:
            found = [tuple(r) for r in session.execute(select(table))]
            if table.name == "people":
                found = [r for r in found if attacker not in r]
            rows[table.name] = sorted(found, key=repr)
    return rows


def refusal_of(harness: Harness, case: Press | InModal | Personal | Submit, name: str, action_id: str,
               world: World, caplog: pytest.LogCaptureFixture) -> str:
    """Send the case as A's person; returns the sentence they were refused with (or what they saw instead)."""
    if isinstance(case, Submit):
        with harness.db() as session:
            view = {**case.view(session, world), "id": f"VPERM{name}"}
        body = payloads.view_submission(view, payloads.fill(view, case.answers, require=False),
                                        user_id=case.attacker, team_id=TEAM)
        answer = harness.post(body, content_type=FORM)
        assert answer.status == 200, answer.body
        ack = json.loads(answer.body) if answer.body.strip() else {}
        assert ack.get("response_action") == "errors", f"{name} was not refused: {ack}"
        return " ".join(ack["errors"].values())
    if isinstance(case, InModal | Personal):
        with harness.db() as session:
            drawn = case.view(session, world)
        client = harness.bot.client  # the modal or tab open in the stand-in, as Slack would have it
        view = dict((client.views_open(trigger_id=f"opened-{name}", view=drawn) if isinstance(case, InModal)
                     else client.views_publish(user_id=case.attacker, view=drawn))["view"])
        since = len(harness.slack.calls)
        body = payloads.block_action(action_id, case.value, user_id=case.attacker, team_id=TEAM, view=view)
        assert harness.post(body, content_type=FORM).status == 200

        def outcome() -> str:
            redrawn = [json.dumps(c.args, ensure_ascii=False) for c in harness.slack.calls[since:]
                       if c.method in ("views.update", "views.publish")]
            if redrawn:  # the form or tab drawn again: with nothing of B's in it
                assert not any(B in r or "Formosa" in r for r in redrawn), redrawn
                return "redrawn without B: " + redrawn[0]
            return next((r.getMessage() for r in caplog.records if "refused without a reply channel" in r.getMessage()),
                        "")
        return str(harness.slack.wait_for(outcome))
    body = payloads.block_action(action_id, case.value(world), user_id=case.attacker, channel_id="C0INCID2",
                                 team_id=TEAM, action_type=case.kind, trigger_id=f"trigger-{name}",
                                 response_url=harness.slack.response_url(name))
    assert harness.post(body, content_type=FORM).status == 200
    replies = harness.slack.wait_for(lambda: harness.slack.responses(name))
    return str(replies[0]["text"])


def test_every_listener_the_app_registers_has_a_case_here() -> None:
    found = listeners.registered()
    actions = {a.pattern if isinstance(a, re.Pattern) else a for a in found.actions}
    assert actions == set(ACTIONS) | set(PERSONAL), "give each new block action a case in ACTIONS (or PERSONAL)"
    assert set(found.views) == set(VIEWS), "give each new modal a case in VIEWS"


def test_a_person_of_another_contract_is_refused_everywhere_and_nothing_changes(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    world = build_world(harness)
    said: dict[str, str] = {}
    cases: list[tuple[str, Press | InModal | Personal | Submit]] = [*ACTIONS.items(), *PERSONAL.items(),
                                                                     *VIEWS.items()]
    for number, (callback, case) in enumerate(cases):
        before = snapshot(harness, case.attacker)
        action_id = points_forms.FIELD_PREFIX + "days" if callback.startswith("^") else callback
        caplog.clear()
        said[callback] = refusal_of(harness, case, f"perm{number}", action_id, world, caplog)
        assert snapshot(harness, case.attacker) == before, f"{callback} changed the database"
        opened = [c for c in harness.slack.calls_to("views.open") if c.args["trigger_id"] == f"trigger-perm{number}"]
        assert not opened, f"{callback} opened a form that could not be submitted"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], callback
    wrong = {k: v for k, v in said.items() if not REFUSED.search(v) and k not in (
        incident_forms.CONTRACT_PICKED, *PERSONAL)}
    assert not wrong, wrong
    with harness.db() as session:  # and B's things are as they were made
        assert session.scalar(select(func.count()).select_from(Incident).where(Incident.contract_id == B)) == 2
        assert session.get_one(NoticeDelivery, world.delivery).acknowledged_at is None
