"""Critical patch and problem notices (FC-INC-9): `/flexcare notice new` and its modal, the Acknowledge and Plan
buttons on each contract's card and the plan modal, and `/flexcare notices`.

Buttons acknowledge at once; the work runs in a lazy listener that checks who may press it (domain.access and the
notice service) and says so in one ephemeral sentence if not. Modal submissions do their work before they answer,
so every problem is shown beside its field.
"""

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, in_workspace, may, require
from domain.account import notices
from domain.account.records import NoticeDelivery
from domain.contracts.channels import contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotAllowed
from domain.incidents.rules import coverage
from domain.words import N_, _
from handlers.blocks import account as blocks
from handlers.blocks import account_forms as forms
from handlers.blocks.text import echoed
from handlers.deps import Deps
from handlers.replies import error_sentence, guarded
from handlers.router import Invocation, Router

NOTICE_USAGE = "notice new"
NOTICES_USAGE = "notices [CONTRACT-ID]"


def acknowledge_press(ack: Ack) -> None:
    ack()


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    return team.get("id") if isinstance(team, dict) else None


def _pressed(body: dict[str, Any]) -> tuple[int, str]:
    value = body["actions"][0]["value"]
    return int(value) if value.isdigit() else 0, body["user"]["id"]


def known_products(session: Session, team: str | None) -> list[str]:
    found = session.scalars(select(Contract).where(in_workspace(team)))
    return sorted({p for c in found for p in coverage(c.options).products})


def notice_command(invocation: Invocation) -> None:
    if not invocation.args or invocation.args[0].lower() != "new":
        raise FlexcareError(_("Use `/flexcare %(usage)s`; `/flexcare notices` lists the open ones.",
                              usage=NOTICE_USAGE))
    with invocation.deps.db() as session:
        mine = contracts_of(session, invocation.user, team_id=invocation.team)
        if not any(may(c, invocation.user, Action.SEND_NOTICE) for c in mine):
            raise NotAllowed(_("Only vendor staff named on a FlexCare contract may send notices (FC-INC-9)."))
        view = forms.notice_modal(known_products(session, invocation.team))
    invocation.client.views_open(trigger_id=invocation.trigger_id, view=view)


def notice_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    new = forms.read_notice(view)
    try:
        with deps.db.begin() as session:
            # The view id is the same for a double submit and for Slack's retry: one notice.
            notice = notices.send_notice(session, new=new, sent_by=body["user"]["id"], team_id=_team(body),
                                         idempotency_key=f"view:{view['id']}", now=deps.clock())
            reached = [(d.contract_id, d.channel) for d in notice.deliveries]
            key = notice.key
    except notices.InvalidNotice as exc:
        ack(response_action="errors", errors={forms.NOTICE_FIELDS.get(k, forms.PRODUCT): v
                                              for k, v in exc.errors.items()})
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
        ack(response_action="errors", errors={forms.PRODUCT: error_sentence(exc)})
        return
    lines = "\n".join(f"• {contract} in <#{channel}>" for contract, channel in reached)
    ack(response_action="update", view=View(type="modal", title=_("Notice sent")[:24], close=_("Done")[:24], blocks=[
        SectionBlock(text=MarkdownTextObject(text=_("*%(notice)s* goes to every contract that covers the product:"
                                                    "\n%(lines)s", notice=key, lines=lines)[:3000]))]))
    deps.kick_outbox()


@guarded
def acknowledge(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    delivery_id, user = _pressed(body)
    with deps.db.begin() as session:
        notices.acknowledge(session, delivery_id=delivery_id, actor=user, now=deps.clock())
    deps.kick_outbox()


@guarded
def open_plan(body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    """Refuse before a form is opened that could not be submitted; else the plan modal from the trigger_id."""
    delivery_id, user = _pressed(body)
    with deps.db() as session:
        delivery = notices.get_delivery(session, delivery_id)
        require(session.get_one(Contract, delivery.contract_id), user, Action.PLAN_NOTICE)
        notices.require_planner(delivery, user)
        view = forms.plan_modal(delivery.id, delivery.notice.key, delivery.contract_id)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def plan_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    delivery_id, plan, errors = forms.read_plan(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        with deps.db.begin() as session:
            notices.attach_plan(session, delivery_id=delivery_id, actor=body["user"]["id"], plan=plan,
                                now=deps.clock())
    except notices.InvalidNotice as exc:
        ack(response_action="errors", errors={forms.PLAN_FIELDS.get(k, forms.INSTALL_ON): v
                                              for k, v in exc.errors.items()})
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
        ack(response_action="errors", errors={forms.INSTALL_ON: error_sentence(exc)})
        return
    ack()
    deps.kick_outbox()


def notices_command(invocation: Invocation) -> None:
    """The channel's contract, the one named, or all of the person's contracts elsewhere (a DM)."""
    with invocation.deps.db() as session:
        chosen, scope = viewed_contracts(session, invocation)
        by_id = {c.id: c for c in chosen}
        lines = [notices.delivery_facts(d, d.notice, by_id[d.contract_id])
                 for d in notices.open_deliveries(session, contract_ids=list(by_id))]
    invocation.respond(response_type="ephemeral", **blocks.notices_list(lines, scope=scope).as_kwargs())


def viewed_contracts(session: Session, invocation: Invocation) -> tuple[list[Contract], str]:
    if invocation.args:
        named = next((c for c in contracts_of(session, invocation.user, team_id=invocation.team)
                      if c.id.upper() == invocation.args[0].upper()), None)
        if named is None:
            raise FlexcareError(_("There is no contract %(contract)s. `/flexcare contract` shows yours.",
                                  contract=echoed(invocation.args[0])))
        return [named], named.id
    linked = contract_of_channel(session, invocation.channel, team_id=invocation.team)
    if linked is not None:
        require(linked, invocation.user, Action.VIEW)
        return [linked], linked.id
    mine = contracts_of(session, invocation.user, team_id=invocation.team)
    if not mine:
        raise NotAllowed(_("You are not on any FlexCare contract yet. Ask your company's FlexCare admin or your "
                           "vendor account manager to add your Slack user to the contract file."))
    return mine, _("your contracts")


def home_notices(session: Session, *, user: str, team: str | None) -> list[dict[str, Any]]:
    """App Home: open notices on the viewer's contracts."""
    by_id = {c.id: c for c in contracts_of(session, user, team_id=team)}
    found: list[NoticeDelivery] = notices.open_deliveries(session, contract_ids=list(by_id))
    return [notices.delivery_facts(d, d.notice, by_id[d.contract_id]) for d in found]


def register(app: App, router: Router) -> None:
    router.add("notice", usage=NOTICE_USAGE, summary=N_("Send a critical patch or problem notice (vendor staff)."))(
        notice_command)
    router.add("notices", usage=NOTICES_USAGE, summary=N_("List open critical patch and problem notices."))(
        notices_command)
    app.action(forms.ACKNOWLEDGE)(ack=acknowledge_press, lazy=[acknowledge])
    app.action(forms.PLAN)(ack=acknowledge_press, lazy=[open_plan])
    app.view(forms.NOTICE_MODAL)(notice_submitted)
    app.view(forms.PLAN_MODAL)(plan_submitted)
