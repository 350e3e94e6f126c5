"""Critical patch and problem notices (FC-INC-9) and the account documents (FC-REV): the notice card, its reminder,
the `/flexcare notices` list, `/flexcare plan`, the stale-document reminder and the App Home section.

Builders take the plain facts domain.account writes to the outbox, so the card in a channel and in a list is one
function. Onboarding's messages live in handlers/blocks/onboarding.py.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain import formats
from domain.account import documents, notices
from domain.words import N_, _, n_, speaking
from handlers.blocks import account_forms as ids
from handlers.blocks import points_forms
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.text import bold, clip, escape, url
from handlers.blocks.time import both

LIST_MAX = 20  # notices in a list or the home section; the rest are counted
HOME_MAX_BLOCKS = 100
DOCUMENT_LABEL = {"support_plan": N_("Customer support plan"), "operational_profile": N_("Account operational profile")}


def _mentions(users: Sequence[str]) -> str:
    return ", ".join(f"<@{u}>" for u in users) or _("nobody named")


def _day(value: str) -> str:
    return formats.weekday_date(date.fromisoformat(value))


def headline(facts: dict[str, Any]) -> str:
    return _("%(kind)s · %(severity)s · %(product)s: %(title)s", kind=_(ids.KIND_LABEL[facts["kind"]]),
             severity=_(ids.SEVERITY_LABEL[facts["severity"]]), product=bold(facts["product"]),
             title=bold(facts["title"]))  # bold: the card shows the headline in *...*


def state_line(facts: dict[str, Any]) -> str:
    zone = facts["timezone"]
    if facts.get("acknowledged_by"):
        acknowledged = _("Acknowledged by <@%(who)s> %(when)s", who=facts["acknowledged_by"],
                         when=both(datetime.fromisoformat(facts["acknowledged_at"]), zone))
    else:
        acknowledged = _("Not acknowledged yet: customer members, press Acknowledge once you have read it.")
    return acknowledged + "\n" + plan_line(facts)


def plan_line(facts: dict[str, Any]) -> str:
    if not facts.get("plan_by"):
        return _("No action plan yet: %(tams)s reviews one (FC-INC-9).", tams=_mentions(facts["tams"] or facts["esms"]))
    line = _("*Action plan* by <@%(who)s>: install on %(day)s, %(mode)s", who=facts["plan_by"],
             day=_day(facts["install_on"]), mode=_(ids.MODE_LABEL[facts["plan_mode"]]).lower())
    if facts.get("service_days"):
        line += n_(", %(count)s technical service day", ", %(count)s technical service days", facts["service_days"])
    if facts.get("points_request"):
        line += "\n" + _("Offered as a points request: customer admins, press *Request a service* to book it.")
    if facts.get("plan_note"):
        line += "\n" + escape(facts["plan_note"])
    return line


def notice_card(facts: dict[str, Any]) -> SlackMessage:
    """The notice as one contract sees it, updated in place as it is acknowledged and planned (FC-INC-9)."""
    title = headline(facts)
    risks = [_(ids.RISK_LABEL[k]) for k, on in (("data_loss", facts["data_loss_risk"]),
                                                 ("disruption", facts["disruption_risk"])) if on]
    body = escape(facts["details"][:2000])
    if facts.get("link"):
        body += "\n<" + url(facts["link"]) + "|" + _("Vendor advisory") + ">"
    people = _("%(notice)s for %(contract)s · ESM %(esms)s · TAM %(tams)s", notice=facts["notice"],
               contract=facts["contract"], esms=_mentions(facts["esms"]), tams=_mentions(facts["tams"]))
    buttons = [ButtonElement(action_id=ids.PLAN, text=_("Plan") if not facts.get("plan_by") else _("Change plan"),
                             value=str(facts["delivery_id"]))]
    if not facts.get("acknowledged_by"):
        buttons.insert(0, ButtonElement(action_id=ids.ACKNOWLEDGE, text=_("Acknowledge"), style="primary",
                                        value=str(facts["delivery_id"])))
    if facts.get("points_request"):  # the points flow's own button: the request modal, nothing re-implemented
        buttons.append(ButtonElement(action_id=points_forms.OPEN_REQUEST, text=_("Request a service"),
                                     value=facts["contract"]))
    blocks: list[Block] = [
        SectionBlock(block_id=ids.NOTICE_HEADER, text=MarkdownTextObject(text=f"*{title}*"[:3000])),
        SectionBlock(text=MarkdownTextObject(text=clip(body, 3000))),
        ContextBlock(elements=[MarkdownTextObject(text=" · ".join([people, *risks])[:3000])]),
        SectionBlock(text=MarkdownTextObject(text=clip(state_line(facts), 3000))),
        ActionsBlock(block_id=ids.NOTICE_ACTIONS, elements=buttons),
    ]
    return SlackMessage(text=_("%(notice)s: %(headline)s", notice=facts["notice"], headline=title), blocks=blocks)


def ack_reminder(params: dict[str, Any]) -> SlackMessage:
    text = _("%(admins)s: %(notice)s (%(title)s) has not been acknowledged for 2 business days. Please read it and "
             "press Acknowledge (FC-INC-9).", admins=_mentions(params["admins"]), notice=params["notice"],
             title=bold(params["title"]))
    return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text[:3000]))])


def stale_document(params: dict[str, Any]) -> SlackMessage:
    label = _(DOCUMENT_LABEL[params["kind"]])
    reviewed = both(datetime.fromisoformat(params["reviewed_at"]), params["timezone"])
    if params["stale"] == "changed":
        text = _("<@%(owner)s>: the options or people of %(contract)s changed since the %(document)s was last "
                 "reviewed (%(reviewed)s). Please review it and mark it reviewed with `/flexcare plan %(contract)s`.",
                 owner=params["owner"], contract=params["contract"], document=label.lower(), reviewed=reviewed)
    else:
        text = _("<@%(owner)s>: the %(document)s of %(contract)s was last reviewed %(reviewed)s, more than "
                 "%(days)s days ago. Please review it and mark it reviewed with `/flexcare plan %(contract)s`.",
                 owner=params["owner"], contract=params["contract"], document=label.lower(), reviewed=reviewed,
                 days=params["stale_after_days"])
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text[:3000]))]
    if params.get("link"):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"<{url(params['link'])}|{label}>")]))
    return SlackMessage(text=text, blocks=blocks)


def notices_list(lines: Sequence[dict[str, Any]], *, scope: str) -> SlackMessage:
    """`/flexcare notices`: open notices (waiting for acknowledgement or a plan), newest first."""
    title = _("Open notices for %(scope)s", scope=scope)
    if not lines:
        text = _("No open notices for %(scope)s.", scope=scope)
        return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    blocks: list[Block] = [HeaderBlock(text=title[:150])]
    for facts in lines[:LIST_MAX]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=(
            f"*{facts['notice']}* · {facts['contract']} · {headline(facts)}\n{state_line(facts)}")[:3000])))
    if len(lines) > LIST_MAX:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("%(count)s more not shown.",
                                                                       count=len(lines) - LIST_MAX))]))
    return SlackMessage(text=title, blocks=blocks)


def plan_view(contract: str, docs: Sequence[dict[str, Any]]) -> SlackMessage:
    """`/flexcare plan`: each document's link, owner and last review, and a button to mark it reviewed."""
    title = _("Account documents of %(contract)s (FC-REV)", contract=contract)
    blocks: list[Block] = [HeaderBlock(text=title[:150])]
    for doc in docs:
        label = _(DOCUMENT_LABEL[doc["kind"]])
        link = f"<{url(doc['link'])}|{label}>" if doc.get("link") else _("%(document)s: not linked yet", document=label)
        reviewed = (_("last reviewed %(when)s by <@%(who)s>", who=doc["reviewed_by"],
                      when=both(datetime.fromisoformat(doc["reviewed_at"]), doc["timezone"]))
                    if doc.get("reviewed_at") else _("never reviewed"))
        state = {"changed": _("*Stale*: the contract changed since the review."),
                 "age": _("*Stale*: not reviewed for %(days)s days.", days=doc["stale_after_days"]),
                 None: _("Current.")}[doc.get("stale")]
        section = SectionBlock(text=MarkdownTextObject(text=_(
            "%(link)s\nOwner <@%(owner)s> · %(reviewed)s · %(state)s", link=link, owner=doc["owner"],
            reviewed=reviewed, state=state)[:3000]))
        if doc.get("link"):
            section.accessory = ButtonElement(action_id=ids.REVIEWED, text=_("Mark reviewed"),
                                              value=f"{contract}:{doc['kind']}")
        blocks.append(section)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(
        "Owners update a link with `/flexcare plan %(contract)s support-plan|profile LINK`.", contract=contract))]))
    return SlackMessage(text=title, blocks=blocks)


def home_section(notice_lines: Sequence[dict[str, Any]], onboarding: Sequence[str]) -> list[Block]:
    """App Home: open notices and open onboarding items of the viewer's contracts."""
    if not notice_lines and not onboarding:
        return []
    blocks: list[Block] = [DividerBlock()]
    if notice_lines:
        lines = [f"*{f['notice']}* · {f['contract']} · {headline(f)}" for f in notice_lines[:LIST_MAX]]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=(
            _("*Open notices*") + "\n" + "\n".join(lines))[:3000])))
    if onboarding:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=(
            _("*Onboarding still open*") + "\n" + "\n".join(onboarding[:LIST_MAX]))[:3000])))
    return blocks


def with_account(view: View, notice_lines: Sequence[dict[str, Any]], onboarding: Sequence[str]) -> View:
    blocks = list(view.blocks or [])
    view.blocks = [*blocks[:1], *home_section(notice_lines, onboarding), *blocks[1:]][:HOME_MAX_BLOCKS]
    return view


@renderer(notices.CARD)
def render_notice(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):  # posted for a channel: the contract's language
        return notice_card(params)


@renderer(notices.REMINDER)
def render_ack_reminder(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return ack_reminder(params)


@renderer(documents.STALE)
def render_stale_document(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return stale_document(params)
