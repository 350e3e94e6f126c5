"""Incident modals and their readers: the new-incident form, escalation, impact, update and resolution.

Every Slack id the incident listeners and builders share is named here once. Readers turn a submitted
view into values plus {block_id: sentence} errors, so the listener can answer inline through `ack`.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from domain.incidents.rules import DESCRIPTION_MAX, REASON_MAX, RESOLUTION_MAX, SUMMARY_MAX, UPDATE_MAX
from domain.words import N_, _
from handlers.blocks.text import without_controls
from handlers.blocks.time import duration

SHORTCUT = "flexcare_escalate"  # app_manifest.yml: the message shortcut "Escalate to FlexCare"
NEW_MODAL, ESCALATE_MODAL = "flexcare_incident_new", "flexcare_incident_escalate"
IMPACT_MODAL, UPDATE_MODAL, RESOLVE_MODAL = "flexcare_incident_impact", "flexcare_incident_update", \
    "flexcare_incident_resolve"
CONTRACT, CONTRACT_PICKED = "contract", "incident_contract_picked"
SUMMARY, DESCRIPTION, IMPACT, OTHER_PRODUCT = "summary", "description", "impact", "other_product"
THIRD_PARTY, VENDOR, CASE_REF = "third_party", "vendor", "case_ref"
KIND, REASON, UPDATE, RESOLUTION = "kind", "reason", "update", "resolution"
RECORD_FTC, ESCALATE, CHANGE_IMPACT = "incident_record_ftc", "incident_escalate", "incident_change_impact"
POST_UPDATE, RESOLVE, REOPEN = "incident_post_update", "incident_resolve", "incident_reopen"
CARD_HEADER, CARD_FIELDS, CARD_ACTIONS = "incident_card_header", "incident_card_fields", "incident_card_actions"
INPUT = "value"  # the action id of the one element in each input block
OPTIONS_MAX = 100  # Block Kit's limit for a static select

IMPACT_MEANING = {
    1: N_("1 · Critical: production down or unusable, no workaround"),
    2: N_("2 · High: a major function impaired, production affected"),
    3: N_("3 · Medium: a function impaired, a workaround exists"),
    4: N_("4 · Low: a question, a minor fault or a request"),
}


def product_block(contract_id: str) -> str:
    """Per contract, so switching contracts in the form never keeps a product the new one does not cover."""
    return f"product:{contract_id}"[:255]


@dataclass(frozen=True)
class ContractChoice:
    id: str
    customer: str
    products: tuple[str, ...]
    everything: bool  # an AGSM: any product under FlexCare
    targets: dict[int, timedelta | None]  # FTC target per impact level (FC-INC-2)
    around_the_clock: bool


@dataclass(frozen=True)
class NewIncidentForm:
    contract_id: str
    summary: str
    description: str
    impact: int
    product: str
    product_block: str  # where a product error is shown
    vendor: str | None
    case_ref: str | None


def target_sentence(target: timedelta | None, around_the_clock: bool) -> str:
    if target is None:
        return _("No first-contact target on this contract")
    if around_the_clock:
        return _("First contact within %(span)s, around the clock", span=duration(target))
    return _("First contact within %(span)s of service hours", span=duration(target))


def impact_options(choice: ContractChoice) -> list[Option]:
    return [Option(value=str(level), text=_(IMPACT_MEANING[level])[:75],
                   description=target_sentence(choice.targets.get(level), choice.around_the_clock)[:75])
            for level in sorted(IMPACT_MEANING)]


def new_incident_modal(choices: Sequence[ContractChoice], chosen: ContractChoice, *, summary: str,
                       description: str, metadata: dict[str, Any]) -> View:
    """The form behind the message shortcut and `/flexcare incident new` (issue 5, "Opening an incident")."""
    shown = list(choices[:OPTIONS_MAX])  # a select holds 100; the chosen contract is always one of them
    if all(c.id != chosen.id for c in shown):
        shown = [*shown[:OPTIONS_MAX - 1], chosen]
    contract_options = [Option(value=c.id, text=f"{c.id} · {c.customer}"[:75]) for c in shown]
    initial = next(o for o in contract_options if o.value == chosen.id)
    products = [Option(value=p[:150], text=p[:75]) for p in chosen.products[:OPTIONS_MAX]]
    blocks: list[Any] = [
        InputBlock(block_id=CONTRACT, label=_("Contract"), dispatch_action=True,
                   element=StaticSelectElement(action_id=CONTRACT_PICKED, options=contract_options,
                                               initial_option=initial)),
        InputBlock(block_id=SUMMARY, label=_("Summary"), element=PlainTextInputElement(
            action_id=INPUT, initial_value=summary or None,
            placeholder=_("One line: what is wrong (up to %(max)s characters)", max=SUMMARY_MAX)[:150])),
        InputBlock(block_id=DESCRIPTION, label=_("Description"), element=PlainTextInputElement(
            action_id=INPUT, multiline=True, max_length=DESCRIPTION_MAX, initial_value=description or None)),
    ]
    if products:
        blocks.append(InputBlock(block_id=product_block(chosen.id), label=_("Product"), optional=chosen.everything,
                                 element=StaticSelectElement(action_id=INPUT, options=products,
                                                             placeholder=_("A product the contract covers"))))
    if chosen.everything:
        blocks.append(InputBlock(block_id=OTHER_PRODUCT, label=_("Another product under FlexCare"),
                                 optional=bool(products),
                                 hint=_("Your AGSM covers every product solution under FlexCare."),
                                 element=PlainTextInputElement(action_id=INPUT, max_length=150)))
    blocks += [
        InputBlock(block_id=IMPACT, label=_("Impact"), element=RadioButtonsElement(
            action_id=INPUT, options=impact_options(chosen))),
        InputBlock(block_id=THIRD_PARTY, label=_("Third-party software"), optional=True,
                   element=CheckboxesElement(action_id=INPUT, options=[Option(value="yes", text=_(
                       "The cause may lie in another vendor's software (FC-INC-7)"))])),
        InputBlock(block_id=VENDOR, label=_("Third-party vendor"), optional=True,
                   element=PlainTextInputElement(action_id=INPUT, max_length=100)),
        InputBlock(block_id=CASE_REF, label=_("Their case reference"), optional=True,
                   element=PlainTextInputElement(action_id=INPUT, max_length=100)),
    ]
    return View(type="modal", callback_id=NEW_MODAL, title=_("Escalate to FlexCare")[:24],
                submit=_("Open incident")[:24], close=_("Cancel")[:24], blocks=blocks,
                private_metadata=json.dumps(metadata)[:3000])


def opened_modal(key: str, owner: str, channel: str) -> View:
    return View(type="modal", title=_("Incident opened")[:24], close=_("Done")[:24], blocks=[
        SectionBlock(text=MarkdownTextObject(text=_(
            "*%(key)s* is open and routed to <@%(owner)s>. Follow it on its card in <#%(channel)s>.",
            key=key, owner=owner, channel=channel)))])


def message_modal(title: str, sentence: str) -> View:
    return View(type="modal", title=title[:24], close=_("Close")[:24],
                blocks=[SectionBlock(text=MarkdownTextObject(text=sentence[:3000]))])


def escalate_modal(key: str, *, technical: str | None, business: str | None) -> View:
    options = []
    if technical:
        options.append(Option(value="technical", text=_("Technical escalation")[:75], description=MarkdownTextObject(
            text=_("Coordinated by the TAM, %(who)s", who=technical)[:75])))  # mrkdwn: the mention renders
    if business:
        options.append(Option(value="business", text=_("Business escalation")[:75], description=MarkdownTextObject(
            text=_("Managed end to end by %(who)s", who=business)[:75])))
    return _step_modal(ESCALATE_MODAL, key, _("Escalate %(key)s", key=key), [
        InputBlock(block_id=KIND, label=_("Kind of escalation (FC-INC-6)"),
                   element=RadioButtonsElement(action_id=INPUT, options=options)),
        _text_input(REASON, _("Why does it need escalating?"), REASON_MAX)], submit=_("Escalate"))


def impact_modal(key: str, choice: ContractChoice, current: int) -> View:
    options = impact_options(choice)
    return _step_modal(IMPACT_MODAL, key, _("Impact of %(key)s", key=key), [
        InputBlock(block_id=IMPACT, label=_("New impact; the FTC due time is recomputed from opening"),
                   element=RadioButtonsElement(action_id=INPUT, options=options,
                                               initial_option=options[current - 1]))], submit=_("Change"))


def update_modal(key: str) -> View:
    return _step_modal(UPDATE_MODAL, key, _("Update on %(key)s", key=key),
                       [_text_input(UPDATE, _("Status update for the thread"), UPDATE_MAX)], submit=_("Post"))


def resolve_modal(key: str) -> View:
    return _step_modal(RESOLVE_MODAL, key, _("Resolve %(key)s", key=key),
                       [_text_input(RESOLUTION, _("How was it resolved?"), RESOLUTION_MAX)], submit=_("Resolve"))


def _text_input(block_id: str, label: str, limit: int) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=PlainTextInputElement(
        action_id=INPUT, multiline=True, max_length=limit))


def _step_modal(callback_id: str, key: str, title: str, blocks: list[Any], *, submit: str) -> View:
    # The title holds at most 24 characters; the incident id is repeated in the first block's label.
    return View(type="modal", callback_id=callback_id, title=title[:24], submit=submit[:24],
                close=_("Cancel")[:24], blocks=blocks, private_metadata=json.dumps({"key": key}))


def values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: the submitted value}: text, the selected option's value, or the ticked values.

    Inputs missing from the state (a block action sent before the person touched them) keep their
    initial value, so redrawing the form never loses what it was opened with."""
    found: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") == "input" and ("initial_value" in element or "initial_option" in element):
            found[block.get("block_id")] = element.get("initial_value") or element["initial_option"].get("value")
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            if "selected_options" in element:
                found[block_id] = [o["value"] for o in element["selected_options"] or []]
            elif "selected_option" in element:
                found[block_id] = (element["selected_option"] or {}).get("value")
            else:
                found[block_id] = without_controls(element.get("value"))
    return found


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    return loaded


def read_new_incident(view: dict[str, Any]) -> tuple[NewIncidentForm, dict[str, str]]:
    """The form's values, plus what Slack cannot check for us (an impact outside 1-4, a vendor missing)."""
    got, errors = values(view), {}
    contract_id = got.get(CONTRACT) or ""
    impact_text = got.get(IMPACT) or ""
    impact = int(impact_text) if impact_text.isdigit() else 0
    other = (got.get(OTHER_PRODUCT) or "").strip()
    product = other or (got.get(product_block(contract_id)) or "")
    vendor = (got.get(VENDOR) or "").strip() or None
    if got.get(THIRD_PARTY) and not vendor:
        errors[VENDOR] = _("Name the third-party vendor, or untick third-party software (FC-INC-7).")
    form = NewIncidentForm(contract_id=contract_id, summary=got.get(SUMMARY) or "",
                           description=got.get(DESCRIPTION) or "", impact=impact, product=product,
                           product_block=_product_error_block(got, contract_id, other),
                           vendor=vendor, case_ref=(got.get(CASE_REF) or "").strip() or None)
    return form, errors


def _product_error_block(got: dict[str, Any], contract_id: str, other: str) -> str:
    if other or (product_block(contract_id) not in got and OTHER_PRODUCT in got):
        return OTHER_PRODUCT
    # Submitted before the form caught up with a newly picked contract: show it on the contract.
    return product_block(contract_id) if product_block(contract_id) in got else CONTRACT


def field_errors(form: NewIncidentForm, errors: dict[str, str]) -> dict[str, str]:
    """Domain field names (domain.incidents.rules) to the blocks that show them."""
    blocks = {"summary": SUMMARY, "description": DESCRIPTION, "impact": IMPACT, "product": form.product_block,
              "vendor": VENDOR, "case_ref": CASE_REF}
    return {blocks.get(name, SUMMARY): sentence for name, sentence in errors.items()}
