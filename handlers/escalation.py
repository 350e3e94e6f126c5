"""Opening an incident: the message shortcut "Escalate to FlexCare", `/flexcare incident new`, and the form.

The shortcut acknowledges, checks in one short read that there is something to pick, then opens the
modal from the trigger_id at once (it expires in about 3 s); the permalink is fetched afterwards and
put into the open modal. The submission opens the incident in one transaction before it answers, so
every problem is shown beside its field; the card itself goes out through the outbox.
"""

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, require
from domain.calendar import IMPACT_LEVELS, ServiceCalendar, ftc_target
from domain.contracts.channels import contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotAllowed
from domain.incidents import rules
from domain.incidents import service as incidents
from domain.words import _
from handlers.blocks import incident_forms as forms
from handlers.deps import Deps
from handlers.replies import error_sentence

log = logging.getLogger(__name__)


def contract_choice(contract: Contract) -> forms.ContractChoice:
    cover = rules.coverage(contract.options)
    return forms.ContractChoice(
        id=contract.id, customer=contract.customer, products=cover.products, everything=cover.everything,
        targets={level: ftc_target(contract, level) for level in IMPACT_LEVELS},
        around_the_clock=ServiceCalendar.for_contract(contract).around_the_clock)


def contract_choices(session: Session, *, user: str, channel: str | None, team: str | None,
                     linked_only: bool) -> tuple[list[forms.ContractChoice], forms.ContractChoice]:
    """The person's contracts, the channel's first (issue 5: "defaulted from the channel's link")."""
    linked = contract_of_channel(session, channel, team_id=team) if channel else None
    if linked is None and linked_only:
        raise FlexcareError(_("This channel is not linked to a FlexCare contract, so I cannot tell whose incident "
                              "this is. Link it with `/flexcare link CONTRACT-ID`, or use `/flexcare incident new` "
                              "to pick the contract yourself."))
    if linked is not None:
        require(linked, user, Action.OPEN_INCIDENT)
    mine = contracts_of(session, user, team_id=team)
    if not mine:
        raise NotAllowed(_("You are not on any FlexCare contract yet. Ask your company's FlexCare admin or your "
                           "vendor account manager to add your Slack user to the contract file."))
    choices = [contract_choice(c) for c in mine]
    chosen = next((c for c in choices if linked is not None and c.id == linked.id), choices[0])
    return choices, chosen


def first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= rules.SUMMARY_MAX else line[: rules.SUMMARY_MAX - 1].rstrip() + "…"


def is_our_card(message: dict[str, Any], context: BoltContext) -> bool:
    own = bool(message.get("bot_id")) and message.get("bot_id") == context.get("bot_id")
    card_ids = {forms.CARD_HEADER, forms.CARD_ACTIONS}
    return own or any(block.get("block_id") in card_ids for block in message.get("blocks") or [])


def escalate_shortcut(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext,
                      deps: Deps) -> None:
    ack()
    message, user, channel = body.get("message") or {}, body["user"]["id"], body["channel"]["id"]
    if is_our_card(message, context):
        respond(text=_("This is a FlexCare incident card already; use its buttons to act on it."),
                response_type="ephemeral", replace_original=False)
        return
    with deps.db() as session:
        choices, chosen = contract_choices(session, user=user, channel=channel, team=_team(body), linked_only=True)
    text = message.get("text") or ""
    meta = {"channel": channel, "source_channel": channel, "source_ts": message.get("ts")}
    view = forms.new_incident_modal(choices, chosen, summary=first_line(text), description=text, metadata=meta)
    opened = client.views_open(trigger_id=body["trigger_id"], view=view)
    # After the modal is up (the trigger_id is spent): the permalink, for the description and the card.
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=message["ts"]).get("permalink")
        if link:
            meta["source_link"] = link
            description = f"{text}\n\n{link}" if text else link
            view = forms.new_incident_modal(choices, chosen, summary=first_line(text), description=description,
                                            metadata=meta)
            client.views_update(view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view)
    except SlackApiError as exc:  # submitted, closed or changed first, or Slack unwell: the form works without it
        log.info("incident form kept without the message link: %s", exc.response.get("error"))


def open_new_incident_modal(*, client: WebClient, deps: Deps, trigger_id: str, user: str, channel: str,
                            team: str | None, summary: str) -> None:
    """`/flexcare incident new [summary]`: the same form, without a message behind it."""
    with deps.db() as session:
        choices, chosen = contract_choices(session, user=user, channel=channel, team=team, linked_only=False)
    view = forms.new_incident_modal(choices, chosen, summary=summary[: rules.SUMMARY_MAX], description="",
                                    metadata={"channel": channel})
    client.views_open(trigger_id=trigger_id, view=view)


def contract_picked(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """A different contract picked in the form: its products and FTC targets replace the old ones."""
    ack()
    view = body["view"]
    got, meta = forms.values(view), forms.metadata(view)
    picked = next(a for a in body.get("actions", []) if a.get("action_id") == forms.CONTRACT_PICKED)
    with deps.db() as session:
        choices, _chosen = contract_choices(session, user=body["user"]["id"], channel=None, team=_team(body),
                                            linked_only=False)
    chosen = next((c for c in choices if c.id == picked["selected_option"]["value"]), choices[0])
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=forms.new_incident_modal(
        choices, chosen, summary=got.get(forms.SUMMARY) or "", description=got.get(forms.DESCRIPTION) or "",
        metadata=meta))


def new_incident_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    form, errors = forms.read_new_incident(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    meta, user = forms.metadata(view), body["user"]["id"]
    new = incidents.NewIncident(
        contract_id=form.contract_id, summary=form.summary, description=form.description, impact=form.impact,
        product=form.product, vendor=form.vendor, case_ref=form.case_ref,
        source_channel=meta.get("source_channel") or meta.get("channel"), source_ts=meta.get("source_ts"),
        source_link=meta.get("source_link"))
    try:
        with deps.db.begin() as session:
            contract = session.get(Contract, form.contract_id)
            if contract is None or contract not in contracts_of(session, user, team_id=_team(body)):
                raise NotAllowed(_("Pick one of your contracts."))
            # The view id is the same for a double submit and for Slack's retry: one incident.
            incident = incidents.open_incident(session, new=new, opened_by=user, idempotency_key=f"view:{view['id']}",
                                               now=deps.clock())
            reply = forms.opened_modal(incident.key, incident.owner, incident.card_channel)
    except rules.InvalidIncident as exc:
        ack(response_action="errors", errors=forms.field_errors(form, exc.errors))
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
        ack(response_action="errors", errors={forms.CONTRACT: error_sentence(exc)})
        return
    ack(response_action="update", view=reply)
    deps.kick_outbox()


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    return team.get("id") if isinstance(team, dict) else None


def register(app: App) -> None:
    app.shortcut(forms.SHORTCUT)(escalate_shortcut)
    app.action(forms.CONTRACT_PICKED)(contract_picked)
    app.view(forms.NEW_MODAL)(new_incident_submitted)
