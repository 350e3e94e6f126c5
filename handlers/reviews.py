"""`/flexcare reviews`, the reminders' Confirm / Reschedule / Mark held buttons, the reschedule modal, and the
App Home section (FC-REV, FC-DEC-5).

Buttons acknowledge at once and work in lazy listeners (`guarded`: a refusal is one ephemeral sentence);
only vendor staff may act, which the review service checks. The reschedule modal moves the review inside
Slack's 3 seconds, in one transaction, so a refusal is shown beside the date and an FC-DEC-5 warning replaces
the form. Change notices go through the outbox, kicked after each commit.
"""

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.access import Role, contracts_of, roles_of
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.reviews import service as reviews
from domain.reviews.reminders import review_facts
from domain.words import N_, _
from handlers.blocks import reviews as blocks
from handlers.context import choose_contract
from handlers.deps import Deps
from handlers.replies import error_sentence, guarded
from handlers.reports import reviews_ics
from handlers.router import Invocation, Router

USAGE = "reviews [ics] [CONTRACT-ID]"
DONE = {"confirm": N_("Confirmed: %(line)s"), "held": N_("Marked held: %(line)s")}


def acknowledge(ack: Ack) -> None:
    ack()


def contract_reviews(session: Session, contract: Contract, *, user: str, now: datetime) -> blocks.ContractReviews:
    return blocks.ContractReviews(
        contract_id=contract.id, customer=contract.customer,
        upcoming=[review_facts(r, contract) for r in reviews.upcoming(session, contract=contract, now=now)],
        awaiting=[review_facts(r, contract) for r in reviews.awaiting_held(session, contract=contract, now=now)],
        use=reviews.year_use(session, contract=contract, now=now), may_act=Role.VENDOR in roles_of(contract, user))


def reviews_command(invocation: Invocation) -> None:
    if invocation.args and invocation.args[0].lower() == "ics":  # the calendar file (issue 8, handlers/reports.py)
        return reviews_ics(invocation)
    named = invocation.args[0] if invocation.args else None
    with invocation.deps.db() as session:
        contract = choose_contract(session, user=invocation.user, channel=invocation.channel, team=invocation.team,
                                   named=named, usage="reviews")
        message = blocks.reviews_message(contract_reviews(session, contract, user=invocation.user,
                                                          now=invocation.deps.clock()))
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def home_reviews(session: Session, *, user: str, team: str | None, now: datetime) -> list[blocks.ContractReviews]:
    """App Home: the next reviews of each of the person's contracts."""
    return [contract_reviews(session, c, user=user, now=now) for c in contracts_of(session, user, team_id=team)]


# Lazy button listeners name `respond` although only `guarded` may use it: Bolt passes a listener just the
# arguments it declares, and `guarded` answers a refusal through it.


def _step(body: dict[str, Any], step: str, review_id: int, respond: Respond, client: WebClient, deps: Deps) -> None:
    user = body["user"]["id"]
    if step == "reschedule":
        with deps.db() as session:
            review, contract = reviews.changeable(session, review_id=review_id, by=user, lock=False)
            view = blocks.reschedule_modal(review_facts(review, contract))
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    change = reviews.confirm if step == "confirm" else reviews.mark_held
    with deps.db.begin() as session:
        review = change(session, review_id=review_id, by=user, now=deps.clock())
        line = blocks.review_line(review_facts(review, session.get_one(Contract, review.contract_id)))
    deps.kick_outbox()
    respond(text=_(DONE[step], line=line), response_type="ephemeral", replace_original=False)


def _button(step: str) -> Any:
    @guarded
    def pressed(body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
        _step(body, step, int(body["actions"][0]["value"]), respond, client, deps)
    return pressed


@guarded
def menu_chosen(body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    step, _sep, review_id = body["actions"][0]["selected_option"]["value"].partition(":")
    _step(body, step, int(review_id), respond, client, deps)


def reschedule_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    review_id, to, errors = blocks.read_reschedule(view)
    if to is None:
        ack(response_action="errors", errors=errors)
        return
    try:
        with deps.db.begin() as session:
            moved = reviews.reschedule(session, review_id=review_id, to=to, by=body["user"]["id"], now=deps.clock())
            facts = review_facts(moved.review, session.get_one(Contract, moved.review.contract_id))
    except FlexcareError as exc:
        ack(response_action="errors", errors={blocks.DATE_BLOCK: str(exc)})
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs it with an id
        ack(response_action="errors", errors={blocks.DATE_BLOCK: error_sentence(exc)})
        return
    if moved.warnings:
        ack(response_action="update", view=blocks.rescheduled_view(facts, moved.warnings))
    else:
        ack()
    deps.kick_outbox()


def register(app: App, router: Router) -> None:
    router.add("reviews", usage=USAGE,
               summary=N_("The next reviews and this contract year's use against entitlement."))(reviews_command)
    for step, action_id in (("confirm", blocks.CONFIRM), ("reschedule", blocks.RESCHEDULE), ("held", blocks.HELD)):
        app.action(action_id)(ack=acknowledge, lazy=[_button(step)])
    app.action(blocks.MENU)(ack=acknowledge, lazy=[menu_chosen])
    app.view(blocks.RESCHEDULE_MODAL)(reschedule_submitted)
