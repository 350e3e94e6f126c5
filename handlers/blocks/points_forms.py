"""The points request modal and its reader (FC-PTS-3, FC-PTS-4), and every Slack id the points flow shares.

The modal shows the price, any short-notice surcharge and the balance after as the person fills it in
(`dispatch_action` on each field; the listener redraws it with `views.update`). The reader turns view
state into a `RequestForm` plus {block_id: sentence} errors for `ack(response_action="errors")`.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from domain import formats
from domain.points.menu import DELIVERIES, HOURS, MAX_DAYS, ServiceMenu
from domain.points.rules import points_text
from domain.points.service import Quote, RequestForm
from domain.words import N_, _, n_
from handlers.blocks.text import without_controls

REQUEST_MODAL = "flexcare_points_request"
OPEN_REQUEST, SHOW_HISTORY, EXPORT_CSV, MORE_HISTORY = ("points_open_request", "points_history",
                                                         "points_export_csv", "points_history_more")
ACCEPT, DECLINE, DELIVER, CANCEL = "points_accept", "points_decline", "points_deliver", "points_cancel"
SERVICE, DATE, DAYS, DELIVERY, HOURS_BLOCK, NOTES, PRICE = ("service", "date", "days", "delivery", "hours",
                                                            "notes", "price")
FIELD_PREFIX = "points_field_"  # action ids of the modal's fields: any change redraws the price
CARD_ACTIONS = "points_card_actions"
EXTRA_DAYS_BUTTON, EXTRA_DAYS_MODAL = "points_extra_days", "flexcare_points_extra_days"
EXTRA_DAYS_COUNT, EXTRA_DAYS_REASON = "extra_days", "extra_days_reason"
# Where a domain RequestFormError.field is shown in the modal.
FIELD_BLOCK = {"service": SERVICE, "date": DATE, "days": DAYS, "options": DELIVERY, "points": SERVICE}
DELIVERY_LABEL = {"onsite": N_("Onsite"), "remote": N_("Remote")}
HOURS_LABEL = {"standard": N_("Standard service hours"), "outside": N_("Outside service hours")}


@dataclass(frozen=True)
class ModalState:
    contract_id: str
    customer: str
    example_prices: bool


@dataclass(frozen=True)
class Draft:
    """The modal's fields as filled in so far (any may still be empty)."""

    item_code: str | None = None
    service_on: str | None = None  # ISO date, as the date picker gives it
    days: int = 1
    delivery: str = "remote"
    hours: str = "standard"
    notes: str = ""


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    return loaded


def request_modal(state: ModalState, menu: ServiceMenu, draft: Draft, *, price_text: str, channel: str | None) -> View:
    """The request form; `draft` keeps what was chosen so far when the price is redrawn."""
    services = [Option(value=i.code, text=i.name[:75]) for i in menu.items]
    chosen = next((o for o in services if o.value == draft.item_code), None)
    day_options = [Option(value=str(n), text=str(n)) for n in range(1, MAX_DAYS + 1)]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_("*%(contract)s* · %(customer)s", contract=state.contract_id,
                                                    customer=state.customer))),
        InputBlock(block_id=SERVICE, label=_("Service"), dispatch_action=True, element=StaticSelectElement(
            action_id=FIELD_PREFIX + SERVICE, placeholder=_("Choose from the menu"), options=services,
            initial_option=chosen)),
        InputBlock(block_id=DATE, label=_("Service date"), dispatch_action=True, element=DatePickerElement(
            action_id=FIELD_PREFIX + DATE, initial_date=draft.service_on),
            hint=_("Three weeks' notice or more keeps the normal price (FC-PTS-4).")),
        InputBlock(block_id=DAYS, label=_("Days (per-day services)"), dispatch_action=True, optional=True,
                   element=StaticSelectElement(action_id=FIELD_PREFIX + DAYS, options=day_options,
                                               initial_option=day_options[min(max(draft.days, 1), MAX_DAYS) - 1])),
        InputBlock(block_id=DELIVERY, label=_("Where"), dispatch_action=True, element=RadioButtonsElement(
            action_id=FIELD_PREFIX + DELIVERY, options=_choices(DELIVERY_LABEL, DELIVERIES),
            initial_option=_choice(DELIVERY_LABEL, draft.delivery))),
        InputBlock(block_id=HOURS_BLOCK, label=_("When"), dispatch_action=True, element=RadioButtonsElement(
            action_id=FIELD_PREFIX + HOURS_BLOCK, options=_choices(HOURS_LABEL, HOURS),
            initial_option=_choice(HOURS_LABEL, draft.hours))),
        InputBlock(block_id=NOTES, label=_("Notes for the vendor"), optional=True, element=PlainTextInputElement(
            action_id=FIELD_PREFIX + NOTES, multiline=True, max_length=3000,
            initial_value=draft.notes or None)),
        SectionBlock(block_id=PRICE, text=MarkdownTextObject(text=price_text[:3000])),
    ]
    if state.example_prices:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(
            "The prices on this menu are examples; your FlexCare administrator sets the real ones."))]))
    return View(type="modal", callback_id=REQUEST_MODAL, title=_("Request a service"), submit=_("Request"),
                close=_("Cancel"), blocks=blocks,
                private_metadata=json.dumps({"contract": state.contract_id, "channel": channel}))


def _choices(labels: dict[str, str], values: tuple[str, ...]) -> list[Option]:
    return [_choice(labels, v) for v in values]


def _choice(labels: dict[str, str], value: str) -> Option:
    return Option(value=value, text=_(labels[value]))


def price_sentence(quote: Quote) -> str:
    """Price, surcharge, the date the normal price starts, and the balance after (shown before confirming)."""
    price = quote.price
    unit_points = points_text(price.base_tenths // quote.units)
    each = (n_("%(count)s day at %(unit)s points", "%(count)s days at %(unit)s points", quote.units, unit=unit_points)
            if quote.item.per_day else _("one request at %(unit)s points", unit=unit_points))
    lines = [_("*Price:* %(points)s points (%(each)s)", points=points_text(price.total_tenths), each=each)]
    if price.short_notice:
        lines.append(_("Includes the 50%% short-notice surcharge of %(surcharge)s points: the date is %(days)s days "
                       "away, less than three weeks (FC-PTS-4). The normal price applies to services from "
                       "%(normal_from)s. Vendor staff may decline a short-notice request.",
                       surcharge=points_text(price.surcharge_tenths), days=price.notice_days,
                       normal_from=formats.iso_date(price.normal_price_from)))
    else:
        lines.append(_("Normal price: the date is %(days)s days away.", days=price.notice_days))
    if quote.balance_after < 0:
        lines.append(_("Not enough points: contract year %(year)s has %(available)s points available. Choose fewer "
                       "days or another service.", year=quote.contract_year, available=points_text(quote.available)))
    else:
        lines.append(_("Contract year %(year)s: %(available)s points available, %(after)s after this request.",
                       year=quote.contract_year, available=points_text(quote.available),
                       after=points_text(quote.balance_after)))
    return "\n".join(lines)


def read_draft(view: dict[str, Any]) -> Draft:
    values = (view.get("state") or {}).get("values") or {}

    def picked(block: str) -> dict[str, Any]:
        found: dict[str, Any] = (values.get(block) or {}).get(FIELD_PREFIX + block) or {}
        return found

    def option(block: str) -> str | None:
        value = (picked(block).get("selected_option") or {}).get("value")
        return str(value) if value else None

    days = option(DAYS)
    return Draft(item_code=option(SERVICE), service_on=picked(DATE).get("selected_date") or None,
                 days=int(days) if days and days.isdigit() else 1, delivery=option(DELIVERY) or "remote",
                 hours=option(HOURS_BLOCK) or "standard", notes=without_controls(str(picked(NOTES).get("value") or "")))


def form_of(draft: Draft) -> tuple[RequestForm | None, dict[str, str]]:
    """A bookable form, or None with {block_id: sentence} for what is still missing."""
    errors: dict[str, str] = {}
    if not draft.item_code:
        errors[SERVICE] = _("Choose a service from the menu.")
    if not draft.service_on:
        errors[DATE] = _("Choose the service date.")
    if errors or draft.item_code is None or draft.service_on is None:
        return None, errors
    return RequestForm(item_code=draft.item_code, service_on=date.fromisoformat(draft.service_on), days=draft.days,
                       delivery=draft.delivery, hours=draft.hours, notes=draft.notes), {}


def requested_modal(request_id: int, item_name: str, service_on: date, total_tenths: int, channel: str | None) -> View:
    where = _("Vendor staff will see it in <#%(channel)s>.", channel=channel) if channel else ""
    text = _("Request %(request)s for %(service)s on %(day)s is booked: %(points)s points are reserved. %(where)s",
             request=request_id, service=item_name, day=formats.iso_date(service_on), points=points_text(total_tenths),
             where=where)
    return View(type="modal", title=_("Service requested"), close=_("Done"),
                blocks=[SectionBlock(text=MarkdownTextObject(text=text.strip()))])


def extra_days_modal(request_id: int, headline: str, extra_day_tenths: int, available_tenths: int) -> View:
    """Vendor staff add days for size or complexity before delivery, with the reason (FC-PTS-5, FC-TRM-2)."""
    day_options = [Option(value=str(n), text=str(n)) for n in range(1, MAX_DAYS + 1)]
    explain = _("Each extra day costs %(points)s points, taken from the request's contract year, which has "
                "%(available)s points available. The customer sees the reason on the request (FC-PTS-5).",
                points=points_text(extra_day_tenths), available=points_text(available_tenths))
    return View(type="modal", callback_id=EXTRA_DAYS_MODAL, title=_("Add extra days"), submit=_("Add"),
                close=_("Cancel"), private_metadata=json.dumps({"request": request_id}), blocks=[
                    SectionBlock(text=MarkdownTextObject(text=f"*{headline}*"[:3000])),
                    ContextBlock(elements=[MarkdownTextObject(text=explain)]),
                    InputBlock(block_id=EXTRA_DAYS_COUNT, label=_("Extra days"), element=StaticSelectElement(
                        action_id=EXTRA_DAYS_COUNT, options=day_options, initial_option=day_options[0])),
                    InputBlock(block_id=EXTRA_DAYS_REASON, label=_("Why (environment size or complexity)"),
                               element=PlainTextInputElement(action_id=EXTRA_DAYS_REASON, multiline=True,
                                                             max_length=400)),
                ])


def read_extra_days(view: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
    """(days, reason, {block_id: sentence}) from the extra-days modal."""
    values = (view.get("state") or {}).get("values") or {}
    picked = ((values.get(EXTRA_DAYS_COUNT) or {}).get(EXTRA_DAYS_COUNT) or {}).get("selected_option") or {}
    reason = without_controls(str(((values.get(EXTRA_DAYS_REASON) or {}).get(EXTRA_DAYS_REASON) or {}).get("value")
                                  or "")).strip()
    days = int(picked["value"]) if str(picked.get("value", "")).isdigit() else 0
    errors = {EXTRA_DAYS_REASON: _("Say why the extra days are needed; the customer sees it.")} if not reason else {}
    if not 1 <= days <= MAX_DAYS:
        errors[EXTRA_DAYS_COUNT] = _("Choose between 1 and %(max)s extra days.", max=MAX_DAYS)
    return days, reason, errors
