"""The points listeners called directly, with Mock(Ack) and Mock(WebClient) on a real database (STYLE 2.7):
the modal's live price (surcharge at 20 days, normal at 21), inline errors, booking, and the card's buttons."""

import json
from datetime import date
from typing import Any
from unittest.mock import ANY, Mock

import pytest
from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from domain.points import ledger
from handlers import points as listeners
from handlers import points_card
from handlers.blocks import points_forms as forms
from handlers.deps import Deps
from tests.domain.outbox import outbox
from tests.domain.points_setup import ADMIN, MEMBER, NOW, VENDOR, acme, import_acme


@pytest.fixture
def deps(db: sessionmaker[Session]) -> Deps:
    import_acme(db)
    return Deps(db=db, clock=lambda: NOW, kick_outbox=Mock())


def modal_body(*, service: str | None = "feature-coaching", day: date | None = None, days: int = 1,
               delivery: str = "remote", hours: str = "standard", user: str = ADMIN) -> dict[str, Any]:
    def field(block: str, value: dict[str, Any]) -> dict[str, Any]:
        return {block: {forms.FIELD_PREFIX + block: value}}

    values: dict[str, Any] = {}
    if service:
        values |= field(forms.SERVICE, {"selected_option": {"value": service}})
    if day:
        values |= field(forms.DATE, {"selected_date": day.isoformat()})
    values |= field(forms.DAYS, {"selected_option": {"value": str(days)}})
    values |= field(forms.DELIVERY, {"selected_option": {"value": delivery}})
    values |= field(forms.HOURS_BLOCK, {"selected_option": {"value": hours}})
    view = {"id": "V0MODAL", "hash": "h1", "state": {"values": values},
            "private_metadata": json.dumps({"contract": "ACME-FC-01", "channel": "C0ALERT1"})}
    return {"view": view, "user": {"id": user}, "team": {"id": None}}


def price_text(client: Mock) -> str:
    view = client.views_update.call_args.kwargs["view"].to_dict()
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == forms.PRICE)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 12, 20), "*Price:* 3 points (one request at 3 points)\nNormal price: the date is 21 days away."),
    (date(2026, 12, 19), "*Price:* 4.5 points (one request at 3 points)\nIncludes the 50% short-notice surcharge "
                         "of 1.5 points: the date is 20 days away"),
])
def test_fc_pts_4_the_modal_redraws_the_price_normal_at_21_days_surcharged_at_20(deps: Deps, day: date,
                                                                                 expected: str) -> None:
    client = Mock(WebClient)
    listeners.redraw_price(body=modal_body(day=day), client=client, deps=deps)
    client.views_update.assert_called_once_with(view_id="V0MODAL", hash="h1", view=ANY)
    assert price_text(client).startswith(expected)
    assert "Contract year 1: 120 points available" in price_text(client)


def test_the_modal_says_how_many_points_are_available_when_too_many_days_are_chosen(deps: Deps) -> None:
    client = Mock(WebClient)
    listeners.redraw_price(body=modal_body(service="service-day", day=date(2026, 12, 21), days=20), client=client,
                           deps=deps)
    assert "Not enough points: contract year 1 has 120 points available." in price_text(client)


@pytest.mark.parametrize(("body", "errors"), [
    (modal_body(day=None), {forms.DATE: "Choose the service date."}),
    (modal_body(day=date(2026, 11, 1)), {forms.DATE: "2026-11-01 has already passed. Choose today or a later day."}),
    (modal_body(day=date(2028, 2, 1)), {forms.DATE: ANY}),
    (modal_body(service="service-day", day=date(2026, 12, 21), days=30),
     {forms.DAYS: "Not enough points: this needs 210 points and contract year 1 has 120 available. Choose a smaller "
                  "service or fewer days, or ask your vendor account manager about buying more points for that year."}),
    (modal_body(day=date(2026, 12, 21), user=MEMBER), {forms.SERVICE: ANY}),
])
def test_a_submission_that_cannot_be_booked_keeps_the_modal_open_with_the_reason(
        deps: Deps, body: dict[str, Any], errors: dict[str, str]) -> None:
    ack = Mock(Ack)
    listeners.request_submitted(ack=ack, body=body, view=body["view"], deps=deps)
    assert ack.call_count == 1
    assert ack.call_args.kwargs == {"response_action": "errors", "errors": errors}
    assert outbox(deps.db) == []


def test_a_good_submission_books_reserves_and_posts_to_the_alerts_channel(deps: Deps) -> None:
    ack, body = Mock(Ack), modal_body(day=date(2026, 12, 19))
    listeners.request_submitted(ack=ack, body=body, view=body["view"], deps=deps)
    assert ack.call_args.kwargs["response_action"] == "update"
    assert "4.5 points are reserved" in str(ack.call_args.kwargs["view"].to_dict())
    [card] = outbox(deps.db)
    assert (card.channel, card.params["surcharge_tenths"]) == ("C0ALERT1", 15)
    deps.kick_outbox.assert_called_once_with()  # type: ignore[attr-defined]
    with deps.db() as session:
        assert ledger.year_balance(session, acme(session), 1, now=NOW).reserved == 45


def press(deps: Deps, action: str, request_id: int, user: str) -> Mock:
    respond = Mock(Respond)
    body = {"actions": [{"action_id": action, "value": str(request_id)}], "user": {"id": user},
            "response_url": "https://hooks.example/1"}
    points_card.card_step(action)(body=body, respond=respond, deps=deps)
    return respond


def test_accept_and_deliver_from_the_card_update_it_in_place(deps: Deps) -> None:
    body = modal_body(day=date(2026, 12, 21))
    listeners.request_submitted(ack=Mock(Ack), body=body, view=body["view"], deps=deps)
    press(deps, forms.ACCEPT, 1, VENDOR).assert_not_called()
    press(deps, forms.DELIVER, 1, VENDOR).assert_not_called()
    assert [n.params["status"] for n in outbox(deps.db)] == ["requested", "accepted", "delivered"]
    assert [n.updates for n in outbox(deps.db)][1:] == ["points-request:1", "points-request:1"]


def test_a_customer_pressing_accept_is_told_whom_to_ask(deps: Deps) -> None:
    body = modal_body(day=date(2026, 12, 21))
    listeners.request_submitted(ack=Mock(Ack), body=body, view=body["view"], deps=deps)
    respond = press(deps, forms.ACCEPT, 1, ADMIN)
    assert respond.call_args.kwargs == {"response_type": "ephemeral", "replace_original": False, "text": (
        "On contract ACME-FC-01 you may not accept or decline a points request. Ask <@U0TAM001>.")}
    assert len(outbox(deps.db)) == 1
