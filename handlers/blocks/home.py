"""App Home: the viewer's contracts at a glance, within Block Kit's 100-block limit."""

from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from domain.words import _

MAX_BLOCKS = 100  # Slack's limit for a home tab


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
    points = f"{year.points_tenths / 10:g}"
    line = _("Year %(number)s (%(start)s to %(end)s): %(points)s points bought, expiring after %(end)s",
             number=year.number, start=year.starts_on, end=year.ends_on, points=points)
    return f"*{line}*" if year.current else line
