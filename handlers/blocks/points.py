"""What people see of points: `/flexcare points`, its history pages, the request card in the alerts channel,
and the App Home section (FC-PTS-1, FC-PTS-4, FC-DEC-3: amounts exact, shown as `4.5 points`)."""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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
from domain.points.ledger import YearBalance
from domain.points.reasons import CONTRACT_FILE, SYSTEM
from domain.points.records import PointsEntry
from domain.points.rules import last_normal_price_booking_day, points_text
from domain.words import N_, _, n_, speaking
from handlers.blocks import points_forms as ids
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.text import clip, escape
from handlers.blocks.time import local_time

MAX_BLOCKS = 50  # a message's limit
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")  # most ledger actors are Slack users
SYSTEM_ACTOR = {CONTRACT_FILE: N_("contract file"), SYSTEM: N_("FlexCare")}  # entries no person wrote
KIND_LABEL = {"purchase": N_("Purchase"), "correction": N_("Correction"), "reservation": N_("Reservation"),
              "extra_days": N_("Extra days"), "release": N_("Release"), "spend": N_("Spent"), "expiry": N_("Expiry"),
              "cashout": N_("Cash-out")}
STATUS_LINE = {"requested": N_("Requested by <@%(who)s>; waiting for vendor staff to accept or decline."),
               "accepted": N_("Accepted by <@%(who)s>."),
               "declined": N_("Declined by <@%(who)s>; the points are back."),
               "delivered": N_("Delivered; <@%(who)s> recorded it and the points are spent."),
               "cancelled": N_("Cancelled by <@%(who)s>; the points are back.")}


@dataclass(frozen=True)
class ContractPoints:
    contract_id: str
    customer: str
    timezone: str
    today: date  # in the contract's zone
    years: tuple[YearBalance, ...]  # the years not yet ended
    latest: tuple[PointsEntry, ...]
    may_request: bool
    example_prices: bool


def points_summary(views: Sequence[ContractPoints]) -> SlackMessage:
    blocks: list[Block] = []
    for view in views:
        section = _contract_section(view)
        if len(blocks) + len(section) > MAX_BLOCKS:
            break
        blocks += section
    names = ", ".join(v.contract_id for v in views)
    return SlackMessage(text=_("Points for %(contracts)s", contracts=names), blocks=blocks)


def _contract_section(view: ContractPoints) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=_("Points · %(contract)s · %(customer)s", contract=view.contract_id,
                                              customer=view.customer)[:150])]
    if not view.years:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_(
            "No open contract year: the term has ended, and unused points expired with each year (FC-PTS-1)."))))
    blocks += [SectionBlock(text=MarkdownTextObject(text=year_text(y, view.today))) for y in view.years]
    if view.latest:
        lines = "\n".join(entry_line(e, view.timezone) for e in view.latest)
        latest = clip(_("*Latest*\n%(lines)s", lines=lines), 3000)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=latest)]))
    buttons = []
    if view.may_request and view.years:
        buttons.append(ButtonElement(action_id=ids.OPEN_REQUEST, text=_("Request a service"), value=view.contract_id,
                                     style="primary"))
    buttons.append(ButtonElement(action_id=ids.SHOW_HISTORY, text=_("History"), value=view.contract_id))
    if view.years:
        buttons.append(ButtonElement(action_id=ids.EXPORT_CSV, text=_("Export CSV"),
                                     value=f"{view.contract_id}:{view.years[0].contract_year}"))
    blocks.append(ActionsBlock(block_id=f"points:{view.contract_id}"[:255], elements=buttons))
    return blocks


def year_text(year: YearBalance, today: date) -> str:
    left = (year.ends_on - today).days
    last_normal = last_normal_price_booking_day(year.ends_on)
    booking = (_("Book by %(day)s for the normal price on any day of the year.", day=formats.iso_date(last_normal))
               if today <= last_normal else
               _("Services in the rest of this year cost 50%% more: they are less than three weeks away "
                 "(FC-PTS-4); the last normal-price booking day was %(day)s.", day=formats.iso_date(last_normal)))
    return "\n".join([
        _("*Contract year %(year)s* (%(start)s to %(end)s)", year=year.contract_year,
          start=formats.iso_date(year.starts_on), end=formats.iso_date(year.ends_on)),
        _("Purchased %(purchased)s · Spent %(spent)s · Reserved %(reserved)s · *Available %(available)s* points",
          purchased=points_text(year.purchased), spent=points_text(year.spent), reserved=points_text(year.reserved),
          available=points_text(year.available)),
        n_("Unused points expire after %(end)s (%(count)s day left).",
           "Unused points expire after %(end)s (%(count)s days left).", left + 1, end=formats.iso_date(year.ends_on)),
        booking,
    ])


def entry_line(entry: PointsEntry, zone: str) -> str:
    """One ledger line; a spend shows the points it used up (they left the reserved balance)."""
    amount = entry.tenths if entry.kind != "spend" else -entry.held_tenths
    return _("%(when)s · %(kind)s · %(points)s points · year %(year)s · %(who)s · %(why)s",
             when=local_time(entry.recorded_at, zone), kind=_(KIND_LABEL[entry.kind]),
             points=points_text(amount) if amount <= 0 else f"+{points_text(amount)}", year=entry.contract_year,
             who=_actor(entry.actor), why=escape(entry.reason[:200]))


def _actor(actor: str) -> str:
    """The contract file and FlexCare itself in the reader's words; a Slack user as a mention; an operator's name
    (a cash-out's) as written."""
    if actor in SYSTEM_ACTOR:
        return _(SYSTEM_ACTOR[actor])
    return f"<@{actor}>" if SLACK_USER.match(actor) else escape(actor)


def history_page(contract_id: str, zone: str, year: int | None, entries: Sequence[PointsEntry], *, total: int,
                 offset: int, next_offset: int | None) -> SlackMessage:
    title = (_("Points history · %(contract)s · year %(year)s", contract=contract_id, year=year) if year
             else _("Points history · %(contract)s", contract=contract_id))
    if not entries:
        return SlackMessage(text=title, blocks=[HeaderBlock(text=title[:150]), SectionBlock(
            text=MarkdownTextObject(text=_("No points entries yet.")))])
    lines = "\n".join(entry_line(e, zone) for e in entries)
    blocks: list[Block] = [
        HeaderBlock(text=title[:150]),
        SectionBlock(text=MarkdownTextObject(text=clip(lines, 3000))),
        ContextBlock(elements=[MarkdownTextObject(text=_(
            "Newest first: entries %(first)s to %(last)s of %(total)s.", first=offset + 1,
            last=offset + len(entries), total=total))]),
    ]
    if next_offset is not None:
        value = json.dumps({"contract": contract_id, "year": year, "offset": next_offset})
        blocks.append(ActionsBlock(elements=[ButtonElement(action_id=ids.MORE_HISTORY, text=_("Older entries"),
                                                           value=value)]))
    return SlackMessage(text=title, blocks=blocks)


@renderer("points_request")
def request_card(facts: dict[str, Any]) -> SlackMessage:
    """The request in the alerts channel; drawn again from new facts at every step (updated in place)."""
    with speaking(facts.get("language")):
        return _request_card(facts)


def _request_card(facts: dict[str, Any]) -> SlackMessage:
    total = facts["base_tenths"] + facts["surcharge_tenths"] + facts.get("extra_tenths", 0)
    headline = _("Points request %(request)s · %(contract)s: %(service)s on %(day)s, %(points)s points",
                 request=facts["request_id"], contract=facts["contract"], service=facts["item_name"],
                 day=formats.iso_date(date.fromisoformat(facts["service_on"])), points=points_text(total))
    details = [_("%(delivery)s, %(hours)s; %(days)s unit(s); contract year %(year)s; %(notice)s days' notice.",
                 delivery=_(ids.DELIVERY_LABEL[facts["delivery"]]), hours=_(ids.HOURS_LABEL[facts["hours"]]),
                 days=facts["days"], year=facts["contract_year"], notice=facts["notice_days"])]
    if facts["surcharge_tenths"]:
        details.append(_("Includes a %(surcharge)s-point short-notice surcharge (50%%, FC-PTS-4).",
                         surcharge=points_text(facts["surcharge_tenths"])))
    if facts.get("extra_tenths"):
        details.append(_("Includes %(extra)s points for extra days (FC-PTS-5).",
                         extra=points_text(facts["extra_tenths"])))
    status = facts["status"]
    who = {"requested": facts["requested_by"], "accepted": facts.get("decided_by"),
           "declined": facts.get("decided_by")}.get(status, facts.get("closed_by"))
    details.append(_(STATUS_LINE[status], who=who))
    blocks: list[Block] = [
        SectionBlock(block_id="points_card_header", text=MarkdownTextObject(text=f"*{headline}*"[:3000])),
        ContextBlock(elements=[MarkdownTextObject(text=" ".join(details)[:3000])]),
    ]
    if facts.get("notes"):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(_("*Notes*\n%(notes)s",
                                                                       notes=escape(facts["notes"])), 3000))))
    buttons = _card_buttons(status, str(facts["request_id"]))
    if buttons:
        blocks.append(ActionsBlock(block_id=ids.CARD_ACTIONS, elements=buttons))
    return SlackMessage(text=headline, blocks=blocks)


def _card_buttons(status: str, value: str) -> list[ButtonElement]:
    extra = ButtonElement(action_id=ids.EXTRA_DAYS_BUTTON, text=_("Add extra days"), value=value)
    if status == "requested":
        return [ButtonElement(action_id=ids.ACCEPT, text=_("Accept"), value=value, style="primary"),
                ButtonElement(action_id=ids.DECLINE, text=_("Decline"), value=value, style="danger"), extra,
                ButtonElement(action_id=ids.CANCEL, text=_("Cancel request"), value=value)]
    if status == "accepted":
        return [ButtonElement(action_id=ids.DELIVER, text=_("Mark delivered"), value=value, style="primary"), extra,
                ButtonElement(action_id=ids.CANCEL, text=_("Cancel request"), value=value)]
    return []


def home_section(views: Sequence[ContractPoints]) -> list[Block]:
    """App Home: each contract's open years in one line each, with the button to request a service."""
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=_("Points"))]
    for view in views:
        lines = "\n".join(_("Year %(year)s: *%(available)s* of %(purchased)s points available; book by %(last)s for "
                            "the normal price; unused points expire after %(end)s.", year=y.contract_year,
                            available=points_text(y.available), purchased=points_text(y.purchased),
                            last=formats.iso_date(last_normal_price_booking_day(y.ends_on)),
                            end=formats.iso_date(y.ends_on)) for y in view.years) \
            or _("No open contract year.")
        section = SectionBlock(text=MarkdownTextObject(text=f"*{view.contract_id}*\n{lines}"[:3000]))
        if view.may_request and view.years:
            section.accessory = ButtonElement(action_id=ids.OPEN_REQUEST, text=_("Request a service"),
                                              value=view.contract_id)
        blocks.append(section)
    return blocks


def with_points(view: View, views: Sequence[ContractPoints], *, max_blocks: int = 100) -> View:
    """The home tab with the points section after what is there, as far as the 100-block limit allows."""
    section = home_section(views) if views else []
    current = list(view.blocks or [])
    if section and len(current) + len(section) <= max_blocks:
        view.blocks = current + section
    return view
