"""Onboarding messages (FC-REV: FlexCare start, welcome kit, kick-off): the welcome message, the vendor staff's
checklist with its tick buttons, and the reminder while items stay open."""

from datetime import date, datetime, time
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from domain import formats
from domain.account import onboarding
from domain.account.rules import ROLE_DUTIES
from domain.points.rules import points_text
from domain.words import N_, _, speaking
from handlers.blocks import account_forms as ids
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.time import both

ITEM_LABEL = {"welcome_call": N_("Welcome call held"), "kickoff_date": N_("Kick-off visit date set"),
              "support_plan_linked": N_("Customer support plan linked"),
              "operational_profile_linked": N_("Account operational profile linked")}
REVIEW_LABEL = {"start": N_("FlexCare start"), "kickoff": N_("Kick-off meeting"),
                "remote_review": N_("Remote review"), "technical_review": N_("Quarterly technical review"),
                "business_review": N_("Quarterly business review"), "strategy_review": N_("Quarterly strategy review"),
                "onsite_visit": N_("Onsite visit"), "support_statistics": N_("Support statistics and KPI analysis")}


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def who_is_who(roles: list[dict[str, Any]]) -> str:
    lines = []
    for role in roles:
        duty = _(ROLE_DUTIES.get(role["role"], "%(scope)s"), scope=role["scope"])
        if role["unavailable"]:
            duty = _("Not available in your region (FC-CON-8).")
        lines.append(_("*%(role)s* <@%(person)s>: %(duty)s", role=role["role"], person=role["person"], duty=duty))
    return _("*Who is who*") + "\n" + "\n".join(lines)


def _clock(value: str) -> str:
    return formats.clock(time.fromisoformat(value))  # facts keep `08:00`; the reader's language writes it


def incidents_text(facts: dict[str, Any]) -> str:
    hours = (_("around the clock (your base contract is 24x7)") if facts["around_the_clock"] else
             _("%(opens)s-%(closes)s on your local business days", opens=_clock(facts["opens"]),
               closes=_clock(facts["closes"])))
    where = (_("Cards appear in <#%(channel)s>.", channel=facts["incidents_channel"])
             if facts.get("incidents_channel") else "")
    return _("*Opening and escalating an incident*\nChoose *Escalate to FlexCare* on any message, or type "
             "`/flexcare incident new`. First technical contact: impact 1 within 1 hour, impact 2 within 4 hours, "
             "counted %(hours)s (FC-INC-2). %(where)s On the card, *Escalate* sends a technical escalation to the "
             "TAM or a business escalation to the ESM or AGSM (FC-INC-6).", hours=hours, where=where)


def points_line(facts: dict[str, Any]) -> str:
    if facts.get("year") is None:
        body = _("No contract year is running today; `/flexcare points` shows each year's points.")
    else:
        body = _("Contract year %(year)s has %(points)s points available until %(end)s; unused points expire at the "
                 "end of each contract year and cannot be refunded or moved (FC-PTS-1, 2).", year=facts["year"],
                 points=points_text(facts["available_tenths"]),
                 end=formats.long_date(date.fromisoformat(facts["year_ends_on"])))
    return _("*Points*") + "\n" + body + " " + _(
        "Book services from the menu with `/flexcare points` at least 3 weeks ahead; at shorter notice the vendor "
        "may accept and charge 50% more (FC-PTS-3, 4).")


def reviews_text(reviews: list[dict[str, Any]]) -> str:
    if not reviews:
        return _("*Next scheduled reviews*\nNone scheduled yet; `/flexcare reviews` will show them.")
    lines = [_("%(day)s · %(kind)s (%(mode)s) with <@%(owner)s>", day=formats.weekday_date(date.fromisoformat(r["on"])),
               kind=_(REVIEW_LABEL.get(r["kind"], r["kind"])), mode=_(r["mode"]), owner=r["owner"])
             for r in reviews]
    return _("*Next scheduled reviews*") + "\n" + "\n".join(lines)


def welcome(facts: dict[str, Any]) -> SlackMessage:
    title = _("Welcome to FlexCare, %(customer)s (%(contract)s)", customer=facts["customer"],
              contract=facts["contract"])
    blocks: list[Block] = [HeaderBlock(text=title[:150]), _section(who_is_who(facts["roles"])),
                           _section(incidents_text(facts)), _section(points_line(facts)),
                           _section(reviews_text(facts["reviews"])),
                           ContextBlock(elements=[MarkdownTextObject(text=_(
                               "`/flexcare help` lists every command."))])]
    return SlackMessage(text=title, blocks=blocks)


def checklist(facts: dict[str, Any]) -> SlackMessage:
    title = _("Kick-off checklist for %(contract)s (%(customer)s)", contract=facts["contract"],
              customer=facts["customer"])
    blocks: list[Block] = [HeaderBlock(text=title[:150])]
    for item in facts["items"]:
        label = _(ITEM_LABEL[item["item"]])
        if item.get("done_at"):
            section = _section(_("✅ %(item)s: <@%(who)s>, %(when)s", item=label, who=item["done_by"],
                                 when=both(datetime.fromisoformat(item["done_at"]), facts["timezone"])))
        else:
            section = _section(_("⬜ %(item)s", item=label))
            section.accessory = ButtonElement(action_id=ids.TICK, text=_("Done"),
                                              value=f"{facts['contract']}:{item['item']}")
        blocks.append(section)
    left = sum(1 for i in facts["items"] if not i.get("done_at"))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(
        "%(left)s of %(total)s items open. Linking a document with `/flexcare plan` ticks its item too.",
        left=left, total=len(facts["items"])))]))
    return SlackMessage(text=title, blocks=blocks)


def reminder(params: dict[str, Any]) -> SlackMessage:
    text = _("Kick-off of %(contract)s (%(customer)s) started more than 2 weeks ago and these items are still open: "
             "%(items)s.", contract=params["contract"], customer=params["customer"],
             items=", ".join(_(ITEM_LABEL[i]) for i in params["open"]))
    return SlackMessage(text=text, blocks=[_section(text)])


def open_item_line(contract: str, item: str) -> str:
    return f"{contract} · {_(ITEM_LABEL[item])}"


@renderer(onboarding.WELCOME)
def render_welcome(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):  # posted in the contract's channels: its language
        return welcome(params)


@renderer(onboarding.CHECKLIST)
def render_checklist(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return checklist(params)


@renderer(onboarding.REMINDER)
def render_reminder(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return reminder(params)
