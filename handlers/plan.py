"""`/flexcare plan`: the customer support plan and account operational profile (FC-REV) with their owners and last
reviews; owners update a link or press Mark reviewed. Also the onboarding checklist's tick buttons (FC-REV: FlexCare
start, kick-off), and what App Home shows of both.
"""

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, may
from domain.account import documents, onboarding
from domain.account.records import ONBOARDING_ITEMS, OPERATIONAL_PROFILE, SUPPORT_PLAN
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.words import N_, _
from handlers.blocks import account as blocks
from handlers.blocks import account_forms as forms
from handlers.blocks.account_onboarding import open_item_line
from handlers.context import choose_contract
from handlers.deps import Deps
from handlers.replies import guarded
from handlers.router import Invocation, Router

USAGE = "plan [CONTRACT-ID] [support-plan|profile LINK]"
KIND_WORDS = {"support-plan": SUPPORT_PLAN, "plan": SUPPORT_PLAN, "support_plan": SUPPORT_PLAN,
              "profile": OPERATIONAL_PROFILE, "operational-profile": OPERATIONAL_PROFILE,
              "operational_profile": OPERATIONAL_PROFILE}


def acknowledge_press(ack: Ack) -> None:
    ack()


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    return team.get("id") if isinstance(team, dict) else None


def plain_link(word: str) -> str:
    """Slack sends a pasted address as `<https://…>` or `<https://…|label>`."""
    return word.strip().removeprefix("<").removesuffix(">").split("|", 1)[0]


def plan_message(session: Session, contract: Contract, now: datetime) -> Any:
    changed_at = documents.last_change(session, contract.id)
    docs = [documents.document_facts(d, contract, changed_at=changed_at, now=now)
            for d in documents.ensure_documents(session, contract=contract)]
    return blocks.plan_view(contract.id, docs)


def plan_command(invocation: Invocation) -> None:
    args = list(invocation.args)
    named = args.pop(0) if args and args[0].lower() not in KIND_WORDS else None
    deps, now = invocation.deps, invocation.deps.clock()
    if not args:
        with deps.db.begin() as session:  # a contract imported before documents existed gets its rows here
            contract = choose_contract(session, user=invocation.user, channel=invocation.channel,
                                       team=invocation.team, named=named, usage="plan")
            message = plan_message(session, contract, now)
        invocation.respond(response_type="ephemeral", **message.as_kwargs())
        return
    if len(args) != 2 or args[0].lower() not in KIND_WORDS:
        raise FlexcareError(_("Use `/flexcare %(usage)s`.", usage=USAGE))
    kind = KIND_WORDS[args[0].lower()]
    with deps.db.begin() as session:
        contract = choose_contract(session, user=invocation.user, channel=invocation.channel, team=invocation.team,
                                   named=named, action=Action.KEEP_DOCUMENTS, usage="plan")
        documents.update_link(session, contract=contract, kind=kind, link=plain_link(args[1]), actor=invocation.user,
                              now=now)
        onboarding.tick_linked(session, contract=contract, kind=kind, actor=invocation.user, now=now)
        message = plan_message(session, contract, now)
    deps.kick_outbox()
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def _contract_and_word(session: Session, body: dict[str, Any], action: Action) -> tuple[Contract, str]:
    contract_id, _sep, word = body["actions"][0]["value"].partition(":")
    contract = choose_contract(session, user=body["user"]["id"], channel=None, team=_team(body), named=contract_id,
                               action=action)
    return contract, word


@guarded
def mark_reviewed(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    now = deps.clock()
    with deps.db.begin() as session:
        contract, kind = _contract_and_word(session, body, Action.KEEP_DOCUMENTS)
        documents.mark_reviewed(session, contract=contract, kind=kind, actor=body["user"]["id"], now=now)
        message = plan_message(session, contract, now)
    respond(response_type="ephemeral", replace_original=True, **message.as_kwargs())


@guarded
def tick(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    with deps.db.begin() as session:
        contract, item = _contract_and_word(session, body, Action.TICK_ONBOARDING)
        if item not in ONBOARDING_ITEMS:
            raise FlexcareError(_("That checklist item no longer exists; `/flexcare plan` shows the documents."))
        onboarding.tick(session, contract=contract, item=item, actor=body["user"]["id"], now=deps.clock())
    deps.kick_outbox()  # every copy of the checklist is updated through the outbox


def home_onboarding(session: Session, *, user: str, team: str | None) -> list[str]:
    """App Home: open onboarding items, for vendor staff of the contract (they tick them)."""
    mine = [c.id for c in contracts_of(session, user, team_id=team) if may(c, user, Action.TICK_ONBOARDING)]
    return [open_item_line(i.contract_id, i.item) for i in onboarding.open_items(session, contract_ids=mine)]


def register(app: App, router: Router) -> None:
    router.add("plan", usage=USAGE, summary=N_("The support plan and operational profile: links, owners, reviews."))(
        plan_command)
    app.action(forms.REVIEWED)(ack=acknowledge_press, lazy=[mark_reviewed])
    app.action(forms.TICK)(ack=acknowledge_press, lazy=[tick])
