"""What the scheduler posts on its own: FTC deadline warnings in the incident card's thread (FC-INC-2) and
point-expiry reminders in the alerts channel (FC-PTS-1, FC-PTS-4). Builders take the plain facts the sweeps
write to the outbox (scheduler/sweeps.py) and return a `SlackMessage`."""

from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from domain import formats
from domain.points.menu import DELIVERY_WORDS, HOURS_WORDS
from domain.points.rules import points_text
from domain.words import _, n_, speaking
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.time import both, duration

FTC_STAGE = "ftc_stage"
POINTS_EXPIRY = "points_expiry_reminder"
BUYS_SHOWN = 6  # the menu is short; a long one is cut, and the rest counted


def _buy_line(buy: dict[str, Any]) -> str:
    # The count is its own sentence first: pybabel cannot extract a call nested in another's arguments.
    units = (n_("%(count)s day", "%(count)s days", buy["units"]) if buy["unit"] == "day"
             else n_("%(count)s request", "%(count)s requests", buy["units"]))
    return _("• %(name)s (%(delivery)s, %(hours)s hours): %(price)s points each, %(units)s", name=buy["name"],
             delivery=_(DELIVERY_WORDS[buy["delivery"]]), hours=_(HOURS_WORDS[buy["hours"]]),
             price=points_text(buy["price_tenths"]), units=units)


def _mentions(people: list[str]) -> str:
    return " ".join(f"<@{person}>" for person in people)


def _late_note(params: dict[str, Any]) -> list[Block]:
    if not params.get("late"):
        return []
    return [ContextBlock(elements=[MarkdownTextObject(text=_(
        "Posted late: this was due %(when)s, while the FlexCare scheduler was not running.",
        when=both(datetime.fromisoformat(params["stage_at"]), params["timezone"])))])]


def ftc_stage_message(params: dict[str, Any]) -> SlackMessage:
    """One FTC stage, in the card's thread: the owner is mentioned; at the breach the TAM too (FC-INC-6)."""
    stage, key, zone = params["stage"], params["key"], params["timezone"]
    due = both(datetime.fromisoformat(params["due_at"]), zone)
    left = timedelta(seconds=params["left_seconds"])
    owner = f"<@{params['owner']}>"
    if stage == "breach":
        text = _("%(owner)s First technical contact on *%(key)s* is overdue: it was due %(due)s "
                 "(impact %(impact)s, FC-INC-2). Record it on the card as soon as contact is made.",
                 owner=owner, key=key, due=due, impact=params["impact"])
        if params.get("tam"):
            text += " " + _("%(tam)s, as TAM you coordinate technical escalation (FC-INC-6).",
                            tam=f"<@{params['tam']}>")
    elif stage.startswith("reminder-"):
        text = _("%(owner)s First technical contact on *%(key)s* is still not recorded: overdue by %(late)s of "
                 "service time (it was due %(due)s).", owner=owner, key=key, late=duration(-left), due=due)
    else:
        text = _("%(owner)s First technical contact on *%(key)s* is due %(due)s: %(left)s of service time left "
                 "(impact %(impact)s, FC-INC-2).", owner=owner, key=key, due=due, left=duration(left),
                 impact=params["impact"])
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text[:3000])), *_late_note(params)]
    return SlackMessage(text=text, blocks=blocks)


def points_expiry_message(params: dict[str, Any]) -> SlackMessage:
    """How many points expire on which date, and what they still buy; the customer admins are mentioned."""
    zone = params["timezone"]
    gone = date.fromisoformat(params["expires_on"])
    last_normal = date.fromisoformat(params["last_normal_price_day"])
    today = date.fromisoformat(params["today"])
    head = _("%(admins)s %(points)s points of contract year %(year)s on %(contract)s expire on %(date)s "
             "(contract time, %(zone)s); unused points are not refunded (FC-PTS-1, FC-PTS-2).",
             admins=_mentions(params["admins"]), points=points_text(params["available_tenths"]),
             year=params["contract_year"], contract=params["contract"], date=formats.iso_date(gone), zone=zone)
    if today < last_normal:
        booking = _("Book by %(day)s to pay the normal price for a service on the year's last day; later "
                    "bookings need three weeks' notice or cost 50%% more (FC-PTS-4).",
                    day=formats.iso_date(last_normal))
    elif today == last_normal:
        booking = _("Today is the last day to book a service for the year's last day at the normal price "
                    "(FC-PTS-4).")
    else:
        booking = _("Every service day left in the year is under three weeks away now, so bookings cost 50% "
                    "more (FC-PTS-4).")
    buys = params.get("buys") or []
    lines = [_buy_line(b) for b in buys[:BUYS_SHOWN]]
    if len(buys) > BUYS_SHOWN:
        lines.append(n_("…and %(count)s more service.", "…and %(count)s more services.", len(buys) - BUYS_SHOWN))
    what = (_("They would still buy:") + "\n" + "\n".join(lines)) if lines else _(
        "They no longer cover any single service on the menu.")
    text = f"{head} {booking}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text[:3000])),
                           SectionBlock(text=MarkdownTextObject(text=what[:3000])),
                           ContextBlock(elements=[MarkdownTextObject(text=_(
                               "`/flexcare points %(contract)s` shows the year and books a service.",
                               contract=params["contract"]))]),
                           *_late_note(params)]
    return SlackMessage(text=text, blocks=blocks)


@renderer(FTC_STAGE)
def render_ftc_stage(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):  # posted for a channel: the contract's language
        return ftc_stage_message(params)


@renderer(POINTS_EXPIRY)
def render_points_expiry(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return points_expiry_message(params)
