"""The review calendar in Slack (FC-REV): `/flexcare reviews`, the reminders and change notices, the reschedule
modal and the App Home section. Builders take the plain facts `domain.reviews.reminders.review_facts` writes,
so a review reads the same in a reminder, a list and the home tab.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain import formats
from domain.reviews import reminders
from domain.reviews.service import KindUse, YearUse
from domain.words import N_, _, n_, speaking
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer

CONFIRM, RESCHEDULE, HELD = "review_confirm", "review_reschedule", "review_held"
MENU = "review_menu"  # the overflow beside each review in `/flexcare reviews`: "confirm:12", ...
RESCHEDULE_MODAL, DATE_BLOCK, DATE_PICK = "flexcare_review_reschedule", "review_date", "review_date_pick"
REMINDER_ACTIONS = "review_reminder_actions"
LIST_MAX = 20
HOME_PER_CONTRACT = 3
HOME_MAX_BLOCKS = 100

TITLE = {"start": N_("FlexCare start: welcome kit and call"), "kickoff": N_("Kick-off onsite visit"),
         "remote_review": N_("Remote review"), "technical_review": N_("Quarterly technical review"),
         "business_review": N_("Quarterly business review"), "strategy_review": N_("Quarterly strategy review"),
         "onsite_visit": N_("Yearly onsite visit"),
         "support_statistics": N_("Quarterly support statistics and KPI analysis")}
PLURAL = {"start": N_("FlexCare start (welcome kit and call)"), "kickoff": N_("kick-off onsite visit"),
          "remote_review": N_("remote reviews"), "technical_review": N_("technical reviews"),
          "business_review": N_("business reviews"), "strategy_review": N_("strategy reviews"),
          "onsite_visit": N_("yearly onsite visits"), "support_statistics": N_("support statistics and KPI analyses")}
MODE = {"onsite": N_("onsite"), "remote": N_("remote")}
STATUS = {"scheduled": N_("scheduled"), "confirmed": N_("confirmed"), "rescheduled": N_("rescheduled, to be confirmed"),
          "held": N_("held"), "cancelled": N_("cancelled")}
STAGE = {
    reminders.THREE_WEEKS: N_("Three weeks' notice: %(review)s on %(day)s, %(when)s. %(owner)s owns it: confirm it "
                           "with the customer, or reschedule it."),
    reminders.ONE_WEEK: N_("One week to go: %(review)s on %(day)s, %(when)s. %(owner)s owns it."),
    reminders.DAY_BEFORE: N_("Next business day: %(review)s on %(day)s, %(when)s. %(owner)s owns it; afterwards, "
                          "mark it held."),
}
CHANGE = {"confirmed": N_("<@%(by)s> confirmed %(review)s on %(day)s."),
          "rescheduled": N_("<@%(by)s> moved %(review)s from %(from)s to %(day)s."),
          "held": N_("<@%(by)s> marked %(review)s on %(day)s as held.")}


@dataclass(frozen=True)
class ContractReviews:
    """One contract's part of `/flexcare reviews` and of App Home."""

    contract_id: str
    customer: str
    upcoming: Sequence[dict[str, Any]]
    awaiting: Sequence[dict[str, Any]]  # past, not yet marked held
    use: YearUse | None
    may_act: bool  # vendor staff: the menu beside each review


def day_text(value: str) -> str:
    return formats.weekday_date(date.fromisoformat(value))


def review_name(facts: dict[str, Any]) -> str:
    """`*Quarterly technical review* (onsite, Operations Bridge)`."""
    detail = ", ".join(x for x in (_(MODE[facts["mode"]]), facts.get("scope") or "") if x)
    return _("*%(title)s* (%(detail)s)", title=_(TITLE[facts["kind"]]), detail=detail)


def review_line(facts: dict[str, Any]) -> str:
    return _("%(day)s · %(review)s · <@%(owner)s> · %(status)s", day=day_text(facts["on"]), review=review_name(facts),
             owner=facts["owner"], status=_(STATUS[facts["status"]]))


def use_line(use: KindUse) -> str:
    """FC-REV: e.g. `technical reviews: 1 of 2 onsite, 1 of 2 remote held`."""
    if use.onsite_owed and use.remote_owed:
        return _("%(what)s: %(onsite_held)s of %(onsite)s onsite, %(remote_held)s of %(remote)s remote held",
                 what=_(PLURAL[use.kind]), onsite_held=use.onsite_held, onsite=use.onsite_owed,
                 remote_held=use.remote_held, remote=use.remote_owed)
    return _("%(what)s: %(held)s of %(owed)s held", what=_(PLURAL[use.kind]),
             held=use.onsite_held + use.remote_held, owed=use.onsite_owed + use.remote_owed)


def _menu(facts: dict[str, Any]) -> OverflowMenuElement:
    review = facts["review_id"]
    options = [Option(value=f"{step}:{review}", text=_(label)) for step, label in (
        ("confirm", N_("Confirm")), ("reschedule", N_("Reschedule")), ("held", N_("Mark held")))]
    return OverflowMenuElement(action_id=MENU, options=options)


def _review_sections(lines: Sequence[dict[str, Any]], may_act: bool) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=review_line(f)[:3000]), accessory=_menu(f) if may_act else None)
            for f in lines[:LIST_MAX]]


def reviews_message(contract: ContractReviews) -> SlackMessage:
    blocks: list[Block] = [HeaderBlock(text=_("Reviews of %(contract)s", contract=contract.contract_id)[:150])]
    if contract.upcoming:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*Next reviews*"))))
        blocks += _review_sections(contract.upcoming, contract.may_act)
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("No reviews are coming in this term."))))
    if contract.awaiting:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*Took place? Not yet marked held*"))))
        blocks += _review_sections(contract.awaiting, contract.may_act)
    if contract.use is not None:
        lines = "\n".join(use_line(u) for u in contract.use.kinds) or _("Nothing is owed this year.")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_(
            "*Contract year %(year)s (%(start)s to %(end)s), held so far*\n%(lines)s", year=contract.use.contract_year,
            start=formats.iso_date(contract.use.starts_on), end=formats.iso_date(contract.use.ends_on),
            lines=lines)[:3000])))
    return SlackMessage(text=_("Reviews of %(contract)s: %(count)s coming", contract=contract.contract_id,
                               count=len(contract.upcoming)), blocks=blocks)


def _when(days_left: int) -> str:
    return _("today") if days_left <= 0 else n_("in %(count)s day", "in %(count)s days", days_left)


def reminder(params: dict[str, Any]) -> SlackMessage:
    text = _(STAGE[params["stage"]], review=review_name(params), day=day_text(params["on"]),
             when=_when(int(params["days_left"])), owner=f"<@{params['owner']}>")
    value = str(params["review_id"])
    buttons = [ButtonElement(action_id=RESCHEDULE, text=_("Reschedule"), value=value),
               ButtonElement(action_id=HELD, text=_("Mark held"), value=value)]
    if params["status"] != "confirmed":
        buttons.insert(0, ButtonElement(action_id=CONFIRM, text=_("Confirm"), value=value, style="primary"))
    return SlackMessage(text=text, blocks=[
        SectionBlock(text=MarkdownTextObject(text=text[:3000])),
        ContextBlock(elements=[MarkdownTextObject(text=_("%(contract)s · %(customer)s · status: %(status)s",
                                                         contract=params["contract"], customer=params["customer"],
                                                         status=_(STATUS[params["status"]])))]),
        ActionsBlock(block_id=REMINDER_ACTIONS, elements=buttons),
    ])


def changed(params: dict[str, Any]) -> SlackMessage:
    text = _(CHANGE[params["what"]], by=params["by"], review=review_name(params), day=day_text(params["on"]),
             **({"from": day_text(params["moved_from"])} if params.get("moved_from") else {}))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text[:3000]))]
    if params.get("warnings"):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":warning: {w}"[:3000])
                                             for w in params["warnings"][:10]]))
    return SlackMessage(text=text, blocks=blocks)


@renderer(reminders.REMINDER)
def render_reminder(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):  # posted for a channel: the contract's language
        return reminder(params)


@renderer(reminders.CHANGED)
def render_changed(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return changed(params)


def reschedule_modal(facts: dict[str, Any]) -> View:
    return View(type="modal", callback_id=RESCHEDULE_MODAL, title=_("Reschedule a review"), submit=_("Reschedule"),
                close=_("Cancel"), private_metadata=json.dumps({"review": facts["review_id"]}), blocks=[
                    SectionBlock(text=MarkdownTextObject(text=review_line(facts)[:3000])),
                    InputBlock(block_id=DATE_BLOCK, label=_("New date"),
                               element=DatePickerElement(action_id=DATE_PICK, initial_date=facts["on"]),
                               hint=_("A business day inside the term. Remote reviews stay at least 7 days apart "
                                      "and at least one a month (FC-DEC-5).")),
                ])


def read_reschedule(view: dict[str, Any]) -> tuple[int, date | None, dict[str, str]]:
    """The review id, the date picked, and {block_id: sentence} if none was."""
    review = int(json.loads(view.get("private_metadata") or "{}")["review"])
    picked = (((view.get("state") or {}).get("values") or {}).get(DATE_BLOCK) or {}).get(DATE_PICK) or {}
    chosen = picked.get("selected_date")
    if not chosen:
        return review, None, {DATE_BLOCK: _("Choose the new date.")}
    return review, date.fromisoformat(chosen), {}


def rescheduled_view(facts: dict[str, Any], warnings: Sequence[str]) -> View:
    """After a move that breaks FC-DEC-5: what moved, and which rule it breaks."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=_("Moved: %(line)s", line=review_line(facts))))]
    blocks += [SectionBlock(text=MarkdownTextObject(text=f":warning: {w}"[:3000])) for w in warnings]
    return View(type="modal", title=_("Review rescheduled"), close=_("Done"), blocks=blocks)


def home_section(sections: Sequence[ContractReviews]) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=_("Upcoming reviews"))]
    for contract in sections:
        lines = "\n".join(review_line(f) for f in contract.upcoming[:HOME_PER_CONTRACT]) or _("None coming.")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*%(contract)s* · %(customer)s\n%(lines)s",
                                                                  contract=contract.contract_id,
                                                                  customer=contract.customer, lines=lines)[:3000])))
    return blocks


def with_upcoming_reviews(view: View, sections: Sequence[ContractReviews]) -> View:
    """The home tab with the upcoming-reviews section at the end, as far as the 100-block limit allows."""
    current = list(view.blocks or [])
    section = home_section(sections) if sections else []
    room = HOME_MAX_BLOCKS - len(current)
    if section and room >= 3:
        view.blocks = current + section[:room]
    return view
