"""The incident card, its timeline lines, the escalation DM, the open-incidents list and App Home section.

Builders take the plain facts `domain.incidents.notices` writes to the outbox, so the card a person
sees in the channel, in the escalated thread and in `/flexcare incident show` is one function.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from domain.incidents import notices
from domain.words import N_, _, speaking
from handlers.blocks import incident_forms as ids
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.text import clip, escape, url
from handlers.blocks.time import both, duration, slack_date

STATUS = {"open": N_("Open"), "resolved": N_("Resolved")}
ESCALATION = {"technical": N_("Technical escalation to %(who)s (the TAM coordinates it, FC-INC-6)"),
              "business": N_("Business escalation to %(who)s (managed end to end, FC-INC-6)")}
LIST_MAX = 25  # lines in a list or the home section; the rest are counted
HOME_MAX_BLOCKS = 100  # Slack's limit for a home tab


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(value)


def _span(seconds: Any) -> timedelta | None:
    return timedelta(seconds=seconds) if seconds is not None else None


def impact_label(level: int) -> str:
    return _(ids.IMPACT_MEANING[level])


def ftc_line(facts: dict[str, Any]) -> str:
    """FC-INC-2: due (reader's time, contract time, time left), made (met or missed), or no target."""
    zone = facts["timezone"]
    made = _when(facts.get("ftc_at"))
    if made is not None:
        taken = duration(_span(facts.get("ftc_service_seconds")) or timedelta(0))
        verdict = {True: _("met"), False: _("missed"), None: _("no target")}[facts.get("ftc_met")]
        return _("*First technical contact*\n%(when)s by <@%(who)s>: %(verdict)s, after %(taken)s of service time",
                 when=both(made, zone), who=facts["ftc_by"], verdict=verdict, taken=taken)
    due = _when(facts.get("ftc_due_at"))
    if due is None:
        return _("*First technical contact*\nNo target for impact %(impact)s on this contract",
                 impact=facts["impact"])
    left = _span(facts.get("time_left_seconds"))
    if left is None:
        return _("*First technical contact due*\n%(due)s", due=both(due, zone))
    if left < timedelta(0):
        return _("*First technical contact due*\n%(due)s\n*Overdue* by %(late)s of service time",
                 due=both(due, zone), late=duration(-left))
    return _("*First technical contact due*\n%(due)s\n%(left)s left on the FTC clock",
             due=both(due, zone), left=duration(left))


def owner_line(facts: dict[str, Any]) -> str:
    line = _("*Owner*\n<@%(owner)s> (%(role)s)", owner=facts["owner"], role=facts["owner_role"])
    if facts.get("priority_team"):
        line += "\n" + _("Opened outside the NASE's working hours: the priority team has it now (FC-INC-4).")
    return line


def status_line(facts: dict[str, Any]) -> str:
    line = _("*Status*\n%(status)s", status=_(STATUS.get(facts["status"], facts["status"])))
    if facts.get("escalation") and facts.get("escalated_to"):
        line += "\n" + _(ESCALATION[facts["escalation"]], who=f"<@{facts['escalated_to']}>")
    return line


def incident_card(facts: dict[str, Any]) -> SlackMessage:
    """The card: posted once per copy, then updated in place as the incident changes."""
    key, zone = facts["key"], facts["timezone"]
    fields = [
        MarkdownTextObject(text=_("*Impact*\n%(level)s", level=impact_label(facts["impact"]))),
        MarkdownTextObject(text=_("*Product*\n%(product)s", product=escape(facts["product"]))),
        MarkdownTextObject(text=owner_line(facts)),
        MarkdownTextObject(text=status_line(facts)),
        MarkdownTextObject(text=ftc_line(facts)),
    ]
    if facts.get("vendor"):
        fields.append(MarkdownTextObject(text=_(
            "*Third-party software* (FC-INC-7)\n%(vendor)s, their case %(case)s",
            vendor=escape(facts["vendor"]), case=escape(facts.get("case_ref") or "") or _("not given yet"))))
    description = escape(facts["description"]) + ("…" if facts.get("description_cut") else "")
    blocks: list[Block] = [
        HeaderBlock(block_id=ids.CARD_HEADER, text=f"{key} · {facts['summary']}"[:150]),
        SectionBlock(block_id=ids.CARD_FIELDS, fields=fields),
        SectionBlock(text=MarkdownTextObject(text=clip(_quote(description), 3000))),
    ]
    notes = _card_notes(facts)
    if facts["status"] == "resolved" and facts.get("resolution"):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(_(
            "*Resolved* %(when)s\n%(resolution)s", when=both(_at(facts["resolved_at"]), zone),
            resolution=escape(facts["resolution"])), 3000))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=n[:3000]) for n in notes]))
    blocks.append(ActionsBlock(block_id=ids.CARD_ACTIONS, elements=_buttons(facts)))
    text = _("%(key)s: %(summary)s (impact %(impact)s, %(status)s, owner <@%(owner)s>)",
             key=key, summary=escape(facts["summary"]), impact=facts["impact"],
             status=_(STATUS.get(facts["status"], facts["status"])).lower(), owner=facts["owner"])
    return SlackMessage(text=text, blocks=blocks)


def _card_notes(facts: dict[str, Any]) -> list[str]:
    zone = facts["timezone"]
    notes = []
    starts = _when(facts.get("ftc_clock_starts_at"))
    if starts is not None:
        notes.append(_("Opened outside service hours: the FTC clock starts %(when)s.", when=both(starts, zone)))
    opened = _("Opened by <@%(who)s> %(when)s.", who=facts["opened_by"], when=slack_date(_at(facts["opened_at"])))
    if facts["copy"] == "thread":
        notes.append(opened + " " + _("Card and timeline: %(key)s in <#%(channel)s>.", key=facts["key"],
                                      channel=facts["card_channel"]))
    elif facts.get("source_link"):
        notes.append(opened + " " + _("<%(link)s|The escalated message>.", link=url(facts["source_link"])))
    else:
        notes.append(opened)
    if facts.get("last_update_at"):
        notes.append(_("Last status update %(when)s.", when=slack_date(_at(facts["last_update_at"]))))
    if facts.get("time_left_seconds") is not None and facts.get("as_of"):
        notes.append(_("Time left as of %(when)s.", when=slack_date(_at(facts["as_of"]))))
    return notes


def _buttons(facts: dict[str, Any]) -> list[ButtonElement]:
    key = facts["key"]
    if facts["status"] != "open":
        return [ButtonElement(action_id=ids.REOPEN, text=_("Reopen"), value=key)]
    buttons = []
    if not facts.get("ftc_at"):
        buttons.append(ButtonElement(action_id=ids.RECORD_FTC, text=_("Record first contact"), value=key,
                                     style="primary"))
    buttons += [ButtonElement(action_id=ids.ESCALATE, text=_("Escalate"), value=key),
                ButtonElement(action_id=ids.CHANGE_IMPACT, text=_("Change impact"), value=key),
                ButtonElement(action_id=ids.POST_UPDATE, text=_("Post update"), value=key),
                ButtonElement(action_id=ids.RESOLVE, text=_("Resolve"), value=key)]
    return buttons


def _quote(text: str) -> str:
    return "\n".join(f">{line}" for line in text.splitlines() or [""])


ESCALATION_KIND = {"technical": N_("technical"), "business": N_("business")}
TIMELINE = {
    "first_contact": N_("<@%(actor)s> recorded first technical contact: %(verdict)s, after %(taken)s of service time."),
    "escalated": N_("<@%(actor)s> escalated (%(kind)s) to <@%(to)s>: %(note)s"),
    "impact_changed": N_("<@%(actor)s> changed impact %(old)s → %(new)s; first contact now due %(due)s."),
    "update": N_("<@%(actor)s> posted an update: %(note)s"),
    "resolved": N_("<@%(actor)s> resolved it: %(note)s"),
    "reopened": N_("<@%(actor)s> reopened it."),
}


def timeline_line(facts: dict[str, Any]) -> SlackMessage:
    """One short line in the card's thread per change (the timeline)."""
    after, before = facts.get("after") or {}, facts.get("before") or {}
    met = after.get("met")
    due = _when(after.get("ftc_due_at"))
    params = {
        "actor": facts["actor"], "note": escape(facts.get("note") or ""), "to": after.get("escalated_to", ""),
        "kind": _(ESCALATION_KIND.get(after.get("escalation", ""), "")),
        "old": before.get("impact"), "new": after.get("impact"),
        "due": both(due, facts["timezone"]) if due else _("never (no target at this impact)"),
        "verdict": {True: _("met"), False: _("missed"), None: _("no target")}[met],
        "taken": duration(_span(after.get("service_seconds")) or timedelta(0)),
    }
    sentence = _(TIMELINE.get(facts["kind"], "<@%(actor)s>: %(note)s"), **params)
    text = f"{slack_date(_at(facts['at']), '{time}')} {sentence}"
    text = clip(text, 3000)
    return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def escalation_dm(facts: dict[str, Any]) -> SlackMessage:
    """FC-INC-6: the person escalated to, told directly."""
    kind = _("technical") if facts["escalation"] == "technical" else _("business")
    text = _("<@%(by)s> asks you to take the %(kind)s escalation of %(key)s (impact %(impact)s, %(product)s): "
             "%(summary)s", by=facts["by"], kind=kind, key=facts["key"], impact=facts["impact"],
             product=escape(facts["product"]), summary=escape(facts["summary"]))
    detail = _("Reason: %(reason)s\nThe card and its timeline are in <#%(channel)s>.",
               reason=escape(facts.get("reason") or "-"), channel=facts["card_channel"])
    text, detail = clip(text, 3000), clip(detail, 3000)
    return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text)),
                                           SectionBlock(text=MarkdownTextObject(text=detail))])


def list_line(facts: dict[str, Any]) -> str:
    left = _span(facts.get("time_left_seconds"))
    if facts.get("ftc_at"):
        clock = _("first contact made")
    elif facts.get("ftc_due_at") is None:
        clock = _("no FTC target")
    elif left is not None and left < timedelta(0):
        clock = _("FTC overdue by %(late)s", late=duration(-left))
    else:
        clock = _("FTC due %(due)s, %(left)s left", due=slack_date(_at(facts["ftc_due_at"])),
                  left=duration(left or timedelta(0)))
    return _("*%(key)s* · impact %(impact)s · %(summary)s\n%(clock)s · owner <@%(owner)s>",
             key=facts["key"], impact=facts["impact"], summary=escape(facts["summary"]), clock=clock,
             owner=facts["owner"])


def open_incidents(lines: Sequence[dict[str, Any]], *, scope: str) -> SlackMessage:
    """`/flexcare incident list`: open incidents, the soonest FTC due first."""
    if not lines:
        return SlackMessage(text=_("No open incidents on %(scope)s.", scope=scope), blocks=[])
    head = _("Open incidents on %(scope)s, soonest first contact first:", scope=scope)
    return SlackMessage(text=head, blocks=[SectionBlock(text=MarkdownTextObject(text=head)), *_line_blocks(lines)])


def home_section(lines: Sequence[dict[str, Any]]) -> list[Block]:
    """App Home: the viewer's open incidents, sorted by FTC due, with time left."""
    if not lines:
        return [SectionBlock(text=MarkdownTextObject(text=_("*Open incidents*\nNone on your contracts.")))]
    return [HeaderBlock(text=_("Open incidents")), *_line_blocks(lines)]


def _line_blocks(lines: Sequence[dict[str, Any]]) -> list[Block]:
    shown = [SectionBlock(text=MarkdownTextObject(text=list_line(f)[:3000])) for f in lines[:LIST_MAX]]
    if len(lines) > LIST_MAX:
        return [*shown, ContextBlock(elements=[MarkdownTextObject(text=_(
            "%(count)s more; `/flexcare incident list` in a contract's channel shows that contract's.",
            count=len(lines) - LIST_MAX))])]
    return list(shown)


@renderer(notices.CARD)
def render_card(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):  # posted for a channel: the contract's language
        return incident_card(params)


@renderer(notices.TIMELINE)
def render_timeline(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return timeline_line(params)


@renderer(notices.ESCALATION_DM)
def render_escalation_dm(params: dict[str, Any]) -> SlackMessage:
    with speaking(params.get("language")):
        return escalation_dm(params)


def with_open_incidents(view: View, lines: Sequence[dict[str, Any]]) -> View:
    """The home view with the open-incidents section under its header (the most urgent first), within 100 blocks."""
    blocks = list(view.blocks or [])
    view.blocks = [*blocks[:1], *home_section(lines), *blocks[1:]][:HOME_MAX_BLOCKS]
    return view
