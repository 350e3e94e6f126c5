"""The incident card's buttons and modals, and `/flexcare incident new|list|show`.

Buttons acknowledge at once; the work runs in a lazy listener that checks who may press the button
(domain.access through the incident service) and says so in one ephemeral sentence if not. Buttons
that need a form check first, then open the modal from the trigger_id straight away.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, may, require
from domain.contracts.channels import contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotAllowed, NotFound
from domain.incidents import notices, rules
from domain.incidents import service as incidents
from domain.incidents.records import Incident
from domain.incidents.rules import EscalationKind, IncidentStep, InvalidIncident
from domain.words import N_, _
from handlers.blocks import incident_forms as forms
from handlers.blocks import incidents as blocks
from handlers.blocks.text import echoed
from handlers.deps import Deps
from handlers.escalation import contract_choice, open_new_incident_modal
from handlers.replies import error_sentence, guarded
from handlers.router import Invocation, Router

USAGE = "incident new [SUMMARY] | list | show INCIDENT-ID"


def acknowledge(ack: Ack) -> None:
    ack()


# Lazy button listeners name `respond` although only `guarded` uses it: Bolt passes a listener just
# the arguments it declares, and `guarded` answers a refusal through it.


def _pressed(body: dict[str, Any]) -> tuple[str, str]:
    action = body["actions"][0]
    return action["value"], body["user"]["id"]


@guarded
def record_first_contact(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    key, user = _pressed(body)
    with deps.db.begin() as session:
        incidents.record_first_contact(session, key=key, actor=user, now=deps.clock())
    deps.kick_outbox()


@guarded
def reopen(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    key, user = _pressed(body)
    with deps.db.begin() as session:
        incidents.reopen(session, key=key, actor=user, now=deps.clock())
    deps.kick_outbox()


def _checked(session: Session, key: str, user: str, step: IncidentStep) -> tuple[Incident, Contract]:
    """Refuse before a form is opened that could not be submitted."""
    incident = incidents.get(session, key)
    contract = session.get_one(Contract, incident.contract_id)
    require(contract, user, rules.STEP_ACTION[step])
    if not incident.is_open:
        raise FlexcareError(_("%(key)s is resolved. Reopen it first.", key=incident.key))
    return incident, contract


def _modal_button(step: IncidentStep, build: Callable[[Incident, Contract], Any]) -> Callable[..., None]:
    @guarded
    def open_form(body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
        key, user = _pressed(body)
        with deps.db() as session:
            view = build(*_checked(session, key, user, step))
        client.views_open(trigger_id=body["trigger_id"], view=view)
    return open_form


def _escalate_form(incident: Incident, contract: Contract) -> Any:
    names: dict[EscalationKind, str | None] = {}
    for kind in EscalationKind:
        try:
            names[kind] = f"<@{rules.escalation_target(contract.options, incident.product, kind).person}>"
        except rules.NoOneToEscalateTo:
            names[kind] = None  # that kind is left out of the form
    return forms.escalate_modal(incident.key, technical=names[EscalationKind.TECHNICAL],
                                business=names[EscalationKind.BUSINESS])


def _step_submitted(step: Callable[[Session, str, str, dict[str, Any], datetime], object],
                    fields: dict[str, str]) -> Callable[..., None]:
    """A step's modal submitted: the change in one transaction, then ack (errors beside their field)."""
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
        key, got = forms.metadata(view)["key"], forms.values(view)
        first_block = next(iter(fields.values()))
        try:
            with deps.db.begin() as session:
                step(session, key, body["user"]["id"], got, deps.clock())
        except InvalidIncident as exc:
            ack(response_action="errors", errors={fields.get(k, first_block): v for k, v in exc.errors.items()})
            return
        except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
            ack(response_action="errors", errors={first_block: error_sentence(exc)})
            return
        ack()
        deps.kick_outbox()
    return submitted


def _escalate(session: Session, key: str, user: str, got: dict[str, Any], now: datetime) -> None:
    if got.get(forms.KIND) not in {k.value for k in EscalationKind}:
        raise InvalidIncident({"kind": _("Choose technical or business escalation.")})
    incidents.escalate(session, key=key, actor=user, kind=EscalationKind(got[forms.KIND]),
                       reason=got.get(forms.REASON) or "", now=now)


def _impact(session: Session, key: str, user: str, got: dict[str, Any], now: datetime) -> None:
    level = got.get(forms.IMPACT) or ""
    incidents.change_impact(session, key=key, actor=user, impact=int(level) if level.isdigit() else 0, now=now)


def _update(session: Session, key: str, user: str, got: dict[str, Any], now: datetime) -> None:
    incidents.post_update(session, key=key, actor=user, text=got.get(forms.UPDATE) or "", now=now)


def _resolve(session: Session, key: str, user: str, got: dict[str, Any], now: datetime) -> None:
    incidents.resolve(session, key=key, actor=user, resolution=got.get(forms.RESOLUTION) or "", now=now)


def open_lines(session: Session, contracts: list[Contract], now: datetime) -> list[dict[str, Any]]:
    """Open incidents on these contracts, soonest FTC due first, as card facts with time left as of now."""
    by_id = {c.id: c for c in contracts}
    found = incidents.list_open(session, contract_ids=list(by_id))
    return [notices.card_facts(i, by_id[i.contract_id], now=now) for i in found]


def incident_command(invocation: Invocation) -> None:
    verb = invocation.args[0].lower() if invocation.args else "list"
    if verb == "new":
        open_new_incident_modal(client=invocation.client, deps=invocation.deps, trigger_id=invocation.trigger_id,
                                user=invocation.user, channel=invocation.channel, team=invocation.team,
                                summary=" ".join(invocation.args[1:]))
    elif verb == "list":
        list_incidents(invocation)
    elif verb == "show" and len(invocation.args) > 1:
        show_incident(invocation, invocation.args[1])
    else:
        raise FlexcareError(_("Use `/flexcare %(usage)s`.", usage=USAGE))


def list_incidents(invocation: Invocation) -> None:
    """The channel's contract, or all of the person's contracts elsewhere (a DM)."""
    now = invocation.deps.clock()
    with invocation.deps.db() as session:
        linked = contract_of_channel(session, invocation.channel, team_id=invocation.team)
        if linked is not None:
            require(linked, invocation.user, Action.VIEW)
            chosen, scope = [linked], linked.id
        else:
            chosen, scope = contracts_of(session, invocation.user, team_id=invocation.team), _("your contracts")
            if not chosen:
                raise NotAllowed(_("You are not on any FlexCare contract yet. Ask your company's FlexCare admin "
                                   "or your vendor account manager to add your Slack user to the contract file."))
        message = blocks.open_incidents(open_lines(session, chosen, now), scope=scope)
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def show_incident(invocation: Invocation, key: str) -> None:
    with invocation.deps.db() as session:
        try:
            incident = incidents.get(session, key)
        except NotFound:
            raise incidents_not_found(key) from None
        contract = session.get_one(Contract, incident.contract_id)
        if not may(contract, invocation.user, Action.VIEW):
            raise incidents_not_found(key)
        message = blocks.incident_card(notices.card_facts(incident, contract, now=invocation.deps.clock()))
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def incidents_not_found(key: str) -> FlexcareError:
    # Someone off the contract learns nothing about it, not even that it exists.
    return FlexcareError(_("There is no incident %(key)s. `/flexcare incident list` shows the open ones.",
                           key=echoed(key)))


def home_lines(session: Session, *, user: str, team: str | None, now: datetime) -> list[dict[str, Any]]:
    """App Home: the viewer's open incidents across their contracts."""
    return open_lines(session, contracts_of(session, user, team_id=team), now)


def register(app: App, router: Router) -> None:
    router.add("incident", usage=USAGE, summary=N_("Open an incident, list the open ones, or show one."))(
        incident_command)
    for action_id, listener in ((forms.RECORD_FTC, record_first_contact), (forms.REOPEN, reopen),
                                (forms.ESCALATE, _modal_button(IncidentStep.ESCALATE, _escalate_form)),
                                (forms.CHANGE_IMPACT, _modal_button(IncidentStep.CHANGE_IMPACT, lambda i, c:
                                 forms.impact_modal(i.key, contract_choice(c), i.impact))),
                                (forms.POST_UPDATE, _modal_button(IncidentStep.POST_UPDATE,
                                                                  lambda i, c: forms.update_modal(i.key))),
                                (forms.RESOLVE, _modal_button(IncidentStep.RESOLVE,
                                                              lambda i, c: forms.resolve_modal(i.key)))):
        app.action(action_id)(ack=acknowledge, lazy=[listener])
    app.view(forms.ESCALATE_MODAL)(_step_submitted(_escalate, {"kind": forms.KIND, "reason": forms.REASON}))
    app.view(forms.IMPACT_MODAL)(_step_submitted(_impact, {"impact": forms.IMPACT}))
    app.view(forms.UPDATE_MODAL)(_step_submitted(_update, {"update": forms.UPDATE}))
    app.view(forms.RESOLVE_MODAL)(_step_submitted(_resolve, {"resolution": forms.RESOLUTION}))
