"""App Home: the viewer's contracts at a glance, within Block Kit's 100-block limit."""

from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from domain import formats
from domain.points.rules import points_text
from domain.words import _

MAX_BLOCKS = 100  # Slack's limit for a home tab
LANGUAGE_BLOCK = "home_language"
LANGUAGE_CHOICE = "home_language_choice"  # the action: save the person's choice, publish the tab again
FOLLOW_SLACK = "slack"  # the choice's value for "follow my Slack language" (no override)
NATIVE_NAMES = {"en": "English", "zh-TW": "繁體中文"}  # each language in its own words, so never translated


@dataclass(frozen=True)
class YearLine:
    number: int
    starts_on: date
    ends_on: date
    points_tenths: int
    current: bool


@dataclass(frozen=True)
class ContractSummary:
    id: str
    customer: str
    roles: tuple[str, ...]
    hours: str
    years: tuple[YearLine, ...]


def home_view(summaries: list[ContractSummary]) -> View:
    blocks: list[Block] = [HeaderBlock(text=_("FlexCare"))]
    if not summaries:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_(
            "You are not on any FlexCare contract yet. Ask your company's FlexCare admin or your vendor account "
            "manager to add your Slack user to the contract file."))))
        return View(type="home", blocks=blocks)
    for index, summary in enumerate(summaries):
        section = _contract_blocks(summary)
        if len(blocks) + len(section) + 1 > MAX_BLOCKS:
            rest = ", ".join(s.id for s in summaries[index:])
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(
                "More contracts: %(rest)s. `/flexcare contract CONTRACT-ID` shows each.", rest=rest)[:3000])]))
            break
        blocks.extend(section)
    return View(type="home", blocks=blocks)


def _contract_blocks(summary: ContractSummary) -> list[Block]:
    years = "\n".join(_year_line(y) for y in summary.years) or _("No contract years.")
    return [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=_("*%(contract)s* · %(customer)s\nYou are: %(roles)s",
                                                    contract=summary.id, customer=summary.customer,
                                                    roles=", ".join(_(r) for r in summary.roles)))),
        ContextBlock(elements=[MarkdownTextObject(text=summary.hours)]),
        SectionBlock(text=MarkdownTextObject(text=_("*Points per contract year*\n%(years)s", years=years))),
    ]


def _year_line(year: YearLine) -> str:
    line = _("Year %(number)s (%(start)s to %(end)s): %(points)s points bought, expiring after %(end)s",
             number=year.number, start=formats.iso_date(year.starts_on), end=formats.iso_date(year.ends_on),
             points=points_text(year.points_tenths))
    return f"*{line}*" if year.current else line


def with_language_choice(view: View, chosen: str | None) -> View:
    """The language switch right under the header, where it is found first; at 100 blocks the last give way."""
    follow = Option(value=FOLLOW_SLACK, text=_("Follow my Slack language"))
    options = [follow, *(Option(value=code, text=name) for code, name in NATIVE_NAMES.items())]
    switch = SectionBlock(
        block_id=LANGUAGE_BLOCK,
        text=MarkdownTextObject(text=_("*Language*\nFor your replies, forms and this tab. Messages posted in a "
                                       "contract's channels are in the contract's language.")),
        accessory=StaticSelectElement(action_id=LANGUAGE_CHOICE, options=options,
                                      initial_option=next((o for o in options if o.value == chosen), follow)))
    blocks = list(view.blocks or [])
    view.blocks = [*blocks[:1], switch, *blocks[1:]][:MAX_BLOCKS]
    return view
