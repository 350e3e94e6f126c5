"""The contract card (`/flexcare contract`) and the replies of link and unlink."""

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from domain import formats
from domain.contracts.records import CUSTOMER_ADMIN, CUSTOMER_MEMBER, PURPOSE_WORDS, Contract
from domain.contracts.rules import contract_year_of
from domain.errors import OutsideTerm
from domain.words import N_, _
from handlers.blocks.message import SlackMessage
from handlers.blocks.text import clip
from handlers.blocks.time import local_time, slack_date

SECTION_MAX, CONTEXT_MAX = 3000, 2000  # Block Kit: a section's text, a context element's text
BASE_SUPPORT = {
    "standard": N_("Enterprise Support Standard (24x7): FlexCare runs around the clock."),
    "basic": N_("Enterprise Support Basic (business hours): FlexCare runs %(opens)s-%(closes)s local time on "
             "business days, without bank and public holidays."),
}


def contract_card(contract: Contract, *, now: datetime, open_now: bool, next_opening: datetime | None) -> SlackMessage:
    hours = _(BASE_SUPPORT[contract.base_support], opens=formats.clock(contract.service_opens),
              closes=formats.clock(contract.service_closes))
    where = " ".join(p for p in (contract.country, contract.subdivision, contract.timezone) if p)
    if open_now:
        status = _("Service hours now.")
    elif next_opening is not None:
        status = _("Outside service hours; the next opening is %(when)s.", when=slack_date(next_opening))
    else:
        status = ""
    fields = [
        MarkdownTextObject(text=_("*Base support*\n%(hours)s", hours=hours)),
        MarkdownTextObject(text=_("*Location*\n%(where)s, local time %(now)s. %(status)s",
                                  where=where, now=local_time(now, contract.timezone), status=status)),
        MarkdownTextObject(text=_("*Term*\n%(start)s to %(end)s", start=formats.iso_date(contract.starts_on),
                                  end=formats.iso_date(contract.ends_on))),
        MarkdownTextObject(text=_year_line(contract, now)),
    ]
    options = "\n".join(_option_line(o.type, o.scope, o.person, o.unavailable, o.transferred_from)
                        for o in contract.options) or _("No options.")
    people = _("*Customer admins* %(admins)s\n*Customer members* %(members)s",
               admins=_mentions(contract.people_with(CUSTOMER_ADMIN)),
               members=_mentions(contract.people_with(CUSTOMER_MEMBER)))
    channels = (", ".join(f"<#{c.channel_id}> ({_(PURPOSE_WORDS[c.purpose])})" for c in contract.channels)
                or _("none linked"))
    return SlackMessage(
        text=_("Contract %(contract)s: %(customer)s", contract=contract.id, customer=contract.customer),
        blocks=[
            HeaderBlock(text=f"{contract.id} · {contract.customer}"[:150]),
            SectionBlock(fields=fields),
            DividerBlock(),
            # A large contract (dozens of options, hundreds of members) is cut at Block Kit's limits, never refused.
            SectionBlock(text=MarkdownTextObject(text=clip(_("*Options*\n%(options)s", options=options), SECTION_MAX))),
            SectionBlock(text=MarkdownTextObject(text=clip(people, SECTION_MAX))),
            ContextBlock(elements=[MarkdownTextObject(text=clip(_("Channels: %(channels)s", channels=channels),
                                                                CONTEXT_MAX))]),
        ],
    )


def _year_line(contract: Contract, now: datetime) -> str:
    today = now.astimezone(ZoneInfo(contract.timezone)).date()
    try:
        number = contract_year_of(contract.starts_on, contract.ends_on, today)
    except OutsideTerm:
        return _("*Contract year*\nnone today: the term has not started or has ended")
    year = next(y for y in contract.years if y.number == number)
    return _("*Contract year*\n%(number)s of %(total)s, %(start)s to %(end)s",
             number=number, total=len(contract.years), start=formats.iso_date(year.starts_on),
             end=formats.iso_date(year.ends_on))


def _option_line(kind: str, scope: str, person: str, unavailable: bool, transferred_from: str | None) -> str:
    line = _("• *%(kind)s* for %(scope)s: <@%(person)s>", kind=kind, scope=scope or _("everything"), person=person)
    if transferred_from:
        line += " " + _("(transferred from %(product)s)", product=transferred_from)
    if unavailable:
        line += " " + _("(not available in this region, FC-CON-8)")
    return line


def _mentions(users: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in users) or "-"


def linked(contract_id: str, purpose: str, *, new: bool) -> str:
    if not new:
        return _("This channel was already linked to %(contract)s for %(purpose)s.", contract=contract_id,
                 purpose=_(PURPOSE_WORDS[purpose]))
    return _("Linked this channel to %(contract)s for %(purpose)s.", contract=contract_id,
             purpose=_(PURPOSE_WORDS[purpose]))


def unlinked(contract_id: str, purposes: list[str]) -> str:
    return _("Unlinked this channel from %(contract)s (%(purposes)s).", contract=contract_id,
             purposes=", ".join(_(PURPOSE_WORDS[p]) for p in purposes))
