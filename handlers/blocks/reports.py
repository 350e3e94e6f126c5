"""The quarterly support report as Block Kit (FC-REV): each headline figure with an arrow against the previous
quarter, FTC per impact level, escalations, points, reviews held against entitlement and the top products.
Also the outbox renderer of the report posted a week before a quarterly review."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from domain import formats
from domain.calendar import IMPACT_LEVELS
from domain.points.rules import points_text
from domain.reports.facts import report_from_facts
from domain.reports.kpis import Change, QuarterReport
from domain.words import _, n_, speaking
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import renderer
from handlers.blocks.reviews import TITLE as REVIEW_TITLES
from handlers.blocks.reviews import use_line
from handlers.blocks.time import duration

QUARTERLY_REPORT = "quarterly_report"
REPORT_BLOCK = "quarterly_report"
NOTHING = "–"


def report_title(report: QuarterReport) -> str:
    if report.to_date:
        return _("Support report %(quarter)s so far: %(contract)s", quarter=report.quarter, contract=report.contract_id)
    return _("Support report %(quarter)s: %(contract)s", quarter=report.quarter, contract=report.contract_id)


def report_message(report: QuarterReport, *, intro: str | None = None) -> SlackMessage:
    """The whole report; `intro` is a first line (the automatic post says which review it prepares)."""
    changes = {c.name: c for c in report.changes}
    current = report.current
    period = _("%(first)s to %(last)s, contract time (%(zone)s); arrows compare with %(previous)s.",
               first=formats.iso_date(report.first_day), last=formats.iso_date(report.last_day), zone=report.timezone,
               previous=report.previous_quarter)
    blocks: list[Block] = [HeaderBlock(text=report_title(report)[:150], block_id=REPORT_BLOCK)]
    if intro:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=intro)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("%(customer)s. %(period)s",
                                                                   customer=report.customer, period=period))]))
    blocks.append(SectionBlock(fields=_incident_fields(report, changes)))
    blocks.append(SectionBlock(fields=_ftc_fields(report, changes)))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_ftc_by_impact(report))))
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_points(report, changes["points_spent"]))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_reviews(report))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_products(report))))
    fallback = _("%(title)s: %(opened)s incidents opened, %(open)s still open, FTC met rate %(rate)s.",
                 title=report_title(report), opened=current.opened_total, open=current.still_open,
                 rate=_rate(changes["met_rate"].now))
    return SlackMessage(text=fallback, blocks=blocks)


def _incident_fields(report: QuarterReport, changes: dict[str, Change]) -> list[MarkdownTextObject]:
    previous = report.previous_quarter
    return [
        _field(_("Incidents opened"), changes["opened"], _count, previous,
               _("By impact: %(levels)s", levels=_levels(report.current.opened))),
        _field(_("Still open at the end"), changes["still_open"], _count, previous),
        _field(_("Resolved"), changes["resolved"], _count, previous),
        _field(_("Third-party software involved (FC-INC-7)"), changes["third_party"], _count, previous),
    ]


def _ftc_fields(report: QuarterReport, changes: dict[str, Change]) -> list[MarkdownTextObject]:
    previous, current = report.previous_quarter, report.current
    return [
        _field(_("First technical contact met (FC-INC-2)"), changes["met_rate"], _rate, previous,
               _("Met %(met)s · missed %(missed)s", met=sum(current.ftc_met), missed=sum(current.ftc_missed))),
        _field(_("Median time to first contact"), changes["median_ftc"], _hours, previous,
               _("90th percentile: %(p90)s (service hours)", p90=_hours(changes["p90_ftc"].now))),
        _field(_("Technical escalations (FC-INC-6)"), changes["escalations_technical"], _count, previous),
        _field(_("Business escalations (FC-INC-6)"), changes["escalations_business"], _count, previous),
    ]


def _field(title: str, change: Change, show: Callable[[float | None], str], previous: str,
           detail: str | None = None) -> MarkdownTextObject:
    lines = [f"*{title}*", f"{show(change.now)}  {_trend(change, show, previous)}"]
    if detail:
        lines.append(detail)
    return MarkdownTextObject(text="\n".join(lines))


def _trend(change: Change, show: Callable[[float | None], str], previous: str) -> str:
    """`↑ from 2 in 2026-Q2`; the arrow is the direction, the words say what it was."""
    if change.before is None or change.now is None:
        return _("(%(quarter)s: %(value)s)", quarter=previous, value=show(change.before))
    if change.now == change.before:
        return _("→ same as %(quarter)s", quarter=previous)
    arrow = "↑" if change.now > change.before else "↓"
    return _("%(arrow)s from %(value)s in %(quarter)s", arrow=arrow, value=show(change.before), quarter=previous)


def _count(value: float | None) -> str:
    return NOTHING if value is None else formats.number(int(value))


def _rate(value: float | None) -> str:
    return _("no target decided") if value is None else formats.percent(value)


def _hours(seconds: float | None) -> str:
    return NOTHING if seconds is None else duration(timedelta(seconds=seconds))


def _levels(counts: tuple[int, ...]) -> str:
    return " · ".join(_("%(level)s: %(count)s", level=level, count=count)
                      for level, count in zip(IMPACT_LEVELS, counts, strict=True))


def _ftc_by_impact(report: QuarterReport) -> str:
    lines = [_("*First technical contact by impact level*")]
    for level, met, missed in zip(IMPACT_LEVELS, report.current.ftc_met, report.current.ftc_missed, strict=True):
        if met or missed:
            lines.append(_("Impact %(level)s: %(met)s met, %(missed)s missed", level=level, met=met, missed=missed))
    if len(lines) == 1:
        lines.append(_("No first-contact target was decided this quarter."))
    return "\n".join(lines)


def _points(report: QuarterReport, spent: Change) -> str:
    points = report.points
    if points is None:
        return _("*Points*\nThis contract has no contract years with points.")
    lines = [_("*Points, contract year %(year)s* (%(start)s to %(end)s)", year=points.contract_year,
               start=formats.iso_date(points.starts_on), end=formats.iso_date(points.ends_on)),
             _("Purchased %(purchased)s · spent %(spent)s · reserved %(reserved)s · expired %(expired)s · "
               "*available %(available)s* points", purchased=points_text(points.purchased),
               spent=points_text(points.spent), reserved=points_text(points.reserved),
               expired=points_text(points.expired), available=points_text(points.available)),
             _("Spent in %(quarter)s: %(now)s points %(trend)s", quarter=report.quarter,
               now=points_text(int(spent.now or 0)),
               trend=_trend(spent, lambda v: points_text(int(v or 0)), report.previous_quarter))]
    if points.next_expiry_after is not None and points.next_expiry_tenths:
        lines.append(_("Next to expire: %(points)s points of contract year %(year)s, unused after %(day)s (FC-PTS-1).",
                       points=points_text(points.next_expiry_tenths), year=points.next_expiry_year,
                       day=formats.iso_date(points.next_expiry_after)))
    else:
        lines.append(_("No unused points are waiting to expire."))
    return "\n".join(lines)


def _reviews(report: QuarterReport) -> str:
    if report.reviews_year is None or not report.reviews:
        return _("*Reviews*\nNo reviews are scheduled for this contract year.")
    lines = [_("*Reviews held against entitlement, contract year %(year)s* (FC-REV)", year=report.reviews_year)]
    lines += [use_line(use) for use in report.reviews]
    return "\n".join(lines)


def _products(report: QuarterReport) -> str:
    if not report.top_products:
        return _("*Top products*\nNo incidents were opened.")
    lines = [_("*Top products by incidents opened*")]
    lines += [n_("%(rank)s. %(product)s: %(count)s incident", "%(rank)s. %(product)s: %(count)s incidents", count,
                 rank=rank, product=product) for rank, (product, count) in enumerate(report.top_products, start=1)]
    return "\n".join(lines)


@renderer(QUARTERLY_REPORT)
def render_quarterly_report(params: dict[str, Any]) -> SlackMessage:
    """Posted a week before a quarterly review: params {"report": facts, "review_kind", "review_on", "language"}."""
    with speaking(params.get("language")):
        report = report_from_facts(params["report"])
        intro = _("The support statistics for %(quarter)s, a week before the %(review)s on %(day)s. "
                  "`/flexcare report %(quarter)s` in this channel adds the chart; `csv` adds the incidents.",
                  quarter=report.quarter, review=_(REVIEW_TITLES.get(params["review_kind"], params["review_kind"])),
                  day=formats.iso_date(date.fromisoformat(params["review_on"])))
        return report_message(report, intro=intro)
