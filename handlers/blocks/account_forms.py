"""Account management modals and their readers: a new notice, a notice's action plan; and every Slack id the
notice, plan and onboarding listeners and builders share, named here once.
"""

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from domain.account import rules
from domain.account.notices import ActionPlan, NewNotice
from domain.account.records import NOTICE_KINDS, SEVERITIES
from domain.words import N_, _
from handlers.blocks.text import without_controls

NOTICE_MODAL, PLAN_MODAL = "flexcare_notice_new", "flexcare_notice_plan"
ACKNOWLEDGE, PLAN, TICK, REVIEWED = "notice_acknowledge", "notice_plan", "onboarding_tick", "account_doc_reviewed"
NOTICE_HEADER, NOTICE_ACTIONS, CHECKLIST_ACTIONS = "notice_card_header", "notice_card_actions", "onboarding_actions"
PRODUCT, KIND, SEVERITY, TITLE, DETAILS, LINK, RISKS = ("product", "kind", "severity", "title", "details", "link",
                                                        "risks")
INSTALL_ON, MODE, SERVICE_DAYS, POINTS_REQUEST, NOTE = "install_on", "mode", "service_days", "points_request", "note"
INPUT = "value"  # the action id of the one element in each input block

KIND_LABEL = {"critical_patch": N_("Critical patch"), "security_issue": N_("Security issue"),
              "critical_problem": N_("Critical problem")}
SEVERITY_LABEL = {"critical": N_("Critical"), "high": N_("High"), "medium": N_("Medium")}
MODE_LABEL = {"remote": N_("Remote"), "onsite": N_("Onsite")}
RISK_LABEL = {"data_loss": N_("Risk of data loss"), "disruption": N_("High risk of disruption")}


def notice_modal(known_products: list[str]) -> View:
    """`/flexcare notice new` (FC-INC-9): what vendor staff announce, and to which product's contracts."""
    hint = _("Products the contracts cover: %(products)s", products=", ".join(known_products) or _("none yet"))
    blocks: list[Any] = [
        InputBlock(block_id=PRODUCT, label=_("Product family or solution"), hint=hint[:2000],
                   element=PlainTextInputElement(action_id=INPUT, max_length=150)),
        InputBlock(block_id=KIND, label=_("Kind"), element=RadioButtonsElement(action_id=INPUT, options=[
            Option(value=k, text=_(KIND_LABEL[k])) for k in NOTICE_KINDS])),
        InputBlock(block_id=SEVERITY, label=_("Severity"), element=StaticSelectElement(action_id=INPUT, options=[
            Option(value=s, text=_(SEVERITY_LABEL[s])) for s in SEVERITIES])),
        InputBlock(block_id=TITLE, label=_("Title"), element=PlainTextInputElement(
            action_id=INPUT, max_length=rules.TITLE_MAX)),
        InputBlock(block_id=DETAILS, label=_("Details"), element=PlainTextInputElement(
            action_id=INPUT, multiline=True, max_length=rules.DETAILS_MAX)),
        InputBlock(block_id=LINK, label=_("Link"), optional=True, element=PlainTextInputElement(
            action_id=INPUT, max_length=rules.LINK_MAX, placeholder=_("https://…"))),
        InputBlock(block_id=RISKS, label=_("Risks"), optional=True, element=CheckboxesElement(
            action_id=INPUT, options=[Option(value=k, text=_(v)) for k, v in RISK_LABEL.items()])),
    ]
    return View(type="modal", callback_id=NOTICE_MODAL, title=_("New notice")[:24], submit=_("Send")[:24],
                close=_("Cancel")[:24], blocks=blocks)


def plan_modal(delivery_id: int, notice: str, contract: str) -> View:
    """The TAM's action plan for one contract (FC-INC-9 enhanced patch management)."""
    blocks: list[Any] = [
        InputBlock(block_id=INSTALL_ON, label=_("Install date for %(contract)s", contract=contract)[:2000],
                   element=DatePickerElement(action_id=INPUT)),
        InputBlock(block_id=MODE, label=_("Remote or onsite"), element=RadioButtonsElement(action_id=INPUT, options=[
            Option(value=m, text=_(v)) for m, v in MODE_LABEL.items()])),
        InputBlock(block_id=SERVICE_DAYS, label=_("Technical service days, if any"), optional=True,
                   element=PlainTextInputElement(action_id=INPUT, max_length=2)),
        InputBlock(block_id=POINTS_REQUEST, label=_("Points"), optional=True, element=CheckboxesElement(
            action_id=INPUT, options=[Option(value="yes", text=_("Offer to book it as a points request"))])),
        InputBlock(block_id=NOTE, label=_("Note"), optional=True, element=PlainTextInputElement(
            action_id=INPUT, multiline=True, max_length=rules.NOTE_MAX)),
    ]
    return View(type="modal", callback_id=PLAN_MODAL, title=_("Plan %(notice)s", notice=notice)[:24],
                submit=_("Save plan")[:24], close=_("Cancel")[:24], blocks=blocks,
                private_metadata=json.dumps({"delivery_id": delivery_id}))


def values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: the submitted value}: text, the chosen option, the ticked options or the picked date."""
    found: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            if "selected_options" in element:
                found[block_id] = [o["value"] for o in element["selected_options"] or []]
            elif "selected_option" in element:
                found[block_id] = (element["selected_option"] or {}).get("value")
            elif "selected_date" in element:
                found[block_id] = element["selected_date"]
            else:
                found[block_id] = without_controls(element.get("value"))
    return found


def read_notice(view: dict[str, Any]) -> NewNotice:
    got = values(view)
    risks = got.get(RISKS) or []
    return NewNotice(product=got.get(PRODUCT) or "", kind=got.get(KIND) or "", severity=got.get(SEVERITY) or "",
                     title=got.get(TITLE) or "", details=got.get(DETAILS) or "", link=got.get(LINK),
                     data_loss_risk="data_loss" in risks, disruption_risk="disruption" in risks)


def read_plan(view: dict[str, Any]) -> tuple[int, ActionPlan, dict[str, str]]:
    """The plan, plus what Slack cannot check for us (service days that are not a number)."""
    got, errors = values(view), {}
    days_text = (got.get(SERVICE_DAYS) or "").strip()
    whole = days_text.isascii() and days_text.isdigit()  # "²" is a digit to isdigit(), but not to int()
    if days_text and not whole:
        errors[SERVICE_DAYS] = _("Give the technical service days as a whole number, or leave it empty.")
    install = got.get(INSTALL_ON)
    plan = ActionPlan(install_on=date.fromisoformat(install) if install else None, mode=got.get(MODE),
                      service_days=int(days_text) if whole else None,
                      points_request="yes" in (got.get(POINTS_REQUEST) or []), note=got.get(NOTE))
    delivery_id = int(json.loads(view.get("private_metadata") or "{}").get("delivery_id", 0))
    return delivery_id, plan, errors


NOTICE_FIELDS = {"product": PRODUCT, "kind": KIND, "severity": SEVERITY, "title": TITLE, "details": DETAILS,
                 "link": LINK}
PLAN_FIELDS = {"install_on": INSTALL_ON, "mode": MODE, "service_days": SERVICE_DAYS, "note": NOTE}
