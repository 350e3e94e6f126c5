"""The request card's buttons in the alerts channel (issue 6): accept, decline, deliver, cancel, extra days.

Each press is acknowledged at once and worked in a lazy listener (`guarded`: a refusal, such as a
customer pressing Accept, is one ephemeral sentence). The card itself is never edited here: each step
writes its update to the outbox in the same transaction, and the dispatcher redraws the card in place.
"""

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from domain import formats
from domain.access import Action, require
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.points import ledger, rules
from domain.points import service as points
from domain.points.menu import load_menu
from domain.points.records import STATUS_WORDS
from domain.words import _
from handlers.blocks import points_forms as forms
from handlers.deps import Deps
from handlers.replies import error_sentence, guarded

CARD_STEPS = {forms.ACCEPT: points.accept_request, forms.DECLINE: points.decline_request,
              forms.DELIVER: points.deliver_request, forms.CANCEL: points.cancel_request}


def acknowledge(ack: Ack) -> None:
    ack()


def card_step(action_id: str) -> Callable[..., None]:
    step = CARD_STEPS[action_id]

    @guarded
    def pressed(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
        with deps.db.begin() as session:
            step(session, request_id=int(body["actions"][0]["value"]), by=body["user"]["id"], now=deps.clock())
        deps.kick_outbox()  # the card is updated in place through the outbox
    return pressed


@guarded
def open_extra_days(body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    """"Add extra days": vendor staff only; anyone else hears whom to ask instead of seeing a form."""
    user, menu = body["user"]["id"], deps.menu or load_menu()
    with deps.db() as session:
        request = points.get_request(session, int(body["actions"][0]["value"]))
        contract = session.get_one(Contract, request.contract_id)
        require(contract, user, Action.DECIDE_POINTS_REQUEST)
        if not request.is_open:
            raise FlexcareError(_("Request %(request)s is %(status)s; extra days can be added only before delivery.",
                                  request=request.id, status=_(STATUS_WORDS[request.status])))
        available = ledger.year_balance(session, contract, request.contract_year, now=deps.clock()).available
        headline = _("Request %(request)s: %(service)s on %(day)s", request=request.id, service=request.item_name,
                     day=formats.iso_date(request.service_on))
    client.views_open(trigger_id=body["trigger_id"],
                      view=forms.extra_days_modal(request.id, headline, menu.extra_day_tenths, available))


def extra_days_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    days, reason, errors = forms.read_extra_days(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    request_id = int(json.loads(view.get("private_metadata") or "{}")["request"])
    try:
        with deps.db.begin() as session:
            # The view id makes a double submit or Slack's retry one charge (the ledger's idempotency key).
            points.charge_extra_days(session, request_id=request_id, menu=deps.menu or load_menu(), days=days,
                                     reason=reason, by=body["user"]["id"], now=deps.clock(), key=f"view:{view['id']}")
    except (points.RequestFormError, rules.NotEnoughPoints) as exc:
        ack(response_action="errors", errors={forms.EXTRA_DAYS_COUNT: str(exc)})
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
        ack(response_action="errors", errors={forms.EXTRA_DAYS_COUNT: error_sentence(exc)})
        return
    ack()
    deps.kick_outbox()


def register(app: App) -> None:
    for action_id in CARD_STEPS:
        app.action(action_id)(ack=acknowledge, lazy=[card_step(action_id)])
    app.action(forms.EXTRA_DAYS_BUTTON)(ack=acknowledge, lazy=[open_extra_days])
    app.view(forms.EXTRA_DAYS_MODAL)(extra_days_submitted)
