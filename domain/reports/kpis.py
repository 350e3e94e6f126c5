"""A quarter's support statistics and KPIs from plain rows (FC-REV, FC-INC-1, 2, 6, 7, FC-PTS-1): one pure function.

How each figure is counted (the tests count the same way by hand):
- *opened*: incidents opened inside the period, by impact level (FC-INC-1); *third party*: those of them whose
  cause lies with another vendor's software (FC-INC-7); *top products*: the three with the most opened.
- *resolved*: incidents resolved inside the period, wherever they were opened; *still open*: opened before the
  period's end and not resolved by then.
- *FTC met / missed* (FC-INC-2): an incident counts once, in the period where its outcome was decided. Met: in
  the period of its first contact. Missed: in the period its due instant passed, whether contact came late or
  not yet (an overdue incident is a miss the moment it is due). Incidents without a target count in neither.
  The met rate is met / (met + missed).
- *time to first contact*: service time on the contract's FTC clock (FC-CAL, FC-DEC-6) from opening to first
  contact, for first contacts inside the period; median, and the 90th percentile by nearest rank.
- *escalations*: escalation events inside the period, technical and business (FC-INC-6).
- *points*: the contract year containing the period's last day, as the ledger stands now (FC-PTS-1); points
  spent inside the period; and the next unused points to expire.
- *reviews*: that contract year's reviews held against those its schedule owes, per deliverable (FC-REV).
"""

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.calendar import IMPACT_LEVELS
from domain.reports.quarters import local_midnight
from domain.reports.rows import IncidentRow, ReportInput, ReviewRow
from domain.reviews.records import CANCELLED, HELD
from domain.reviews.rules import ONSITE, REMOTE, Kind
from domain.reviews.service import KindUse

TOP_PRODUCTS = 3
TECHNICAL, BUSINESS = "technical", "business"


@dataclass(frozen=True)
class Figures:
    """One period's figures. Tuples by impact level hold levels 1..4 in order."""

    opened: tuple[int, ...]
    still_open: int
    resolved: int
    ftc_met: tuple[int, ...]
    ftc_missed: tuple[int, ...]
    median_ftc_seconds: float | None
    p90_ftc_seconds: float | None
    escalations_technical: int
    escalations_business: int
    third_party: int
    points_spent: int  # tenths

    @property
    def opened_total(self) -> int:
        return sum(self.opened)

    @property
    def met_rate(self) -> float | None:
        decided = sum(self.ftc_met) + sum(self.ftc_missed)
        return sum(self.ftc_met) / decided if decided else None


# The headline figures compared with the previous quarter, in display order: (name, attribute, higher_is_better).
HEADLINES: tuple[tuple[str, str, bool], ...] = (
    ("opened", "opened_total", False),
    ("still_open", "still_open", False),
    ("resolved", "resolved", True),
    ("met_rate", "met_rate", True),
    ("median_ftc", "median_ftc_seconds", False),
    ("p90_ftc", "p90_ftc_seconds", False),
    ("escalations_technical", "escalations_technical", False),
    ("escalations_business", "escalations_business", False),
    ("third_party", "third_party", False),
    ("points_spent", "points_spent", True),
)


@dataclass(frozen=True)
class Change:
    name: str
    now: float | None
    before: float | None
    higher_is_better: bool

    @property
    def delta(self) -> float | None:
        return None if self.now is None or self.before is None else self.now - self.before


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    opened: tuple[int, ...]  # by impact 1..4
    ftc_met: int
    ftc_missed: int

    @property
    def met_rate(self) -> float | None:
        decided = self.ftc_met + self.ftc_missed
        return self.ftc_met / decided if decided else None


@dataclass(frozen=True)
class PointsFigures:
    contract_year: int
    starts_on: date
    ends_on: date
    purchased: int
    spent: int
    reserved: int
    expired: int
    available: int
    next_expiry_year: int | None
    next_expiry_tenths: int
    next_expiry_after: date | None  # the last day the expiring points can be used


@dataclass(frozen=True)
class QuarterReport:
    contract_id: str
    customer: str
    timezone: str
    quarter: str  # 2026-Q3
    previous_quarter: str
    first_day: date
    last_day: date  # the last day covered: the quarter's last, or today for the quarter so far
    to_date: bool
    current: Figures
    previous: Figures
    top_products: list[tuple[str, int]]
    months: list[MonthFigures]
    points: PointsFigures | None
    reviews_year: int | None
    reviews: list[KindUse]

    @property
    def changes(self) -> list[Change]:
        return [Change(name, _number(getattr(self.current, attr)), _number(getattr(self.previous, attr)), better)
                for name, attr, better in HEADLINES]

def quarter_report(facts: ReportInput) -> QuarterReport:
    """The quarter's figures, the previous quarter's, and the monthly series of the chart (see the module doc)."""
    zone = facts.timezone
    start, end = facts.quarter.starts_at(zone), min(facts.quarter.ends_at(zone), facts.now)
    previous = facts.quarter.previous()
    before_start, before_end = previous.starts_at(zone), previous.ends_at(zone)
    last_day = (end - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()
    opened = [i for i in facts.incidents if start <= i.opened_at < end]
    products = Counter(i.product for i in opened)
    points = _points(facts, start, end, last_day)
    year = points.contract_year if points else None
    return QuarterReport(
        contract_id=facts.contract_id, customer=facts.customer, timezone=zone, quarter=facts.quarter.label,
        previous_quarter=previous.label, first_day=facts.quarter.first_day, last_day=max(last_day,
                                                                                          facts.quarter.first_day),
        to_date=end < facts.quarter.ends_at(zone),
        current=_figures(facts, start, end), previous=_figures(facts, before_start, before_end),
        top_products=sorted(products.items(), key=lambda item: (-item[1], item[0]))[:TOP_PRODUCTS],
        months=[_month(facts, month, end) for month in facts.quarter.months],
        points=points, reviews_year=year, reviews=_review_use(facts.reviews, year) if year else [])


def _figures(facts: ReportInput, start: datetime, end: datetime) -> Figures:
    def inside(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    rows = facts.incidents
    opened = [i for i in rows if inside(i.opened_at)]
    met, missed = _ftc_outcomes(rows, start, end)
    waits = sorted(facts.ftc_clock.service_time_between(i.opened_at, i.ftc_at).total_seconds()
                   for i in rows if i.ftc_at is not None and inside(i.ftc_at))
    return Figures(
        opened=_by_impact(opened),
        still_open=sum(1 for i in rows if i.opened_at < end and (i.resolved_at is None or i.resolved_at >= end)),
        resolved=sum(1 for i in rows if inside(i.resolved_at)),
        ftc_met=_by_impact(met), ftc_missed=_by_impact(missed),
        median_ftc_seconds=statistics.median(waits) if waits else None,
        p90_ftc_seconds=_nearest_rank(waits, 0.9),
        escalations_technical=sum(1 for e in facts.escalations if inside(e.at) and e.kind == TECHNICAL),
        escalations_business=sum(1 for e in facts.escalations if inside(e.at) and e.kind == BUSINESS),
        third_party=sum(1 for i in opened if i.third_party),
        points_spent=sum(s.tenths for s in facts.spends if inside(s.at)))


def _ftc_outcomes(rows: Sequence[IncidentRow], start: datetime,
                  end: datetime) -> tuple[list[IncidentRow], list[IncidentRow]]:
    """FC-INC-2: met in the period of first contact; missed in the period the due instant passed."""
    met = [i for i in rows if i.ftc_met is True and i.ftc_at is not None and start <= i.ftc_at < end]
    missed = [i for i in rows if i.ftc_met is not True and i.ftc_due_at is not None
              and start <= i.ftc_due_at < end and (i.ftc_at is None or i.ftc_met is False)]
    return met, missed


def _month(facts: ReportInput, first: date, end: datetime) -> MonthFigures:
    zone = facts.timezone
    start = local_midnight(first, zone)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    stop = min(local_midnight(following, zone), end)
    met, missed = _ftc_outcomes(facts.incidents, start, stop)
    return MonthFigures(month=first, opened=_by_impact([i for i in facts.incidents if start <= i.opened_at < stop]),
                        ftc_met=len(met), ftc_missed=len(missed))


def _points(facts: ReportInput, start: datetime, end: datetime, last_day: date) -> PointsFigures | None:
    """FC-PTS-1: the contract year containing the period's last day (the nearest year outside the term)."""
    if not facts.balances:
        return None
    years = sorted(facts.balances, key=lambda b: b.starts_on)
    year = next((b for b in years if b.starts_on <= last_day <= b.ends_on),
                years[0] if last_day < years[0].starts_on else years[-1])
    expiring = next((b for b in years if not b.ended and b.unused > 0), None)
    return PointsFigures(
        contract_year=year.contract_year, starts_on=year.starts_on, ends_on=year.ends_on, purchased=year.purchased,
        spent=year.spent, reserved=year.reserved, expired=year.expired + year.lapsing, available=year.available,
        next_expiry_year=expiring.contract_year if expiring else None,
        next_expiry_tenths=expiring.unused if expiring else 0,
        next_expiry_after=expiring.ends_on if expiring else None)


def _review_use(rows: Sequence[ReviewRow], year: int) -> list[KindUse]:
    """FC-REV: per deliverable, held against owed (every review of the year that is not cancelled), per mode."""
    mine = [r for r in rows if r.contract_year == year and r.status != CANCELLED]
    uses = []
    for kind in Kind:
        of_kind = [r for r in mine if r.kind == kind.value]
        if of_kind:
            uses.append(KindUse(kind.value, *_held_owed(of_kind, ONSITE), *_held_owed(of_kind, REMOTE)))
    return uses


def _held_owed(rows: Sequence[ReviewRow], mode: str) -> tuple[int, int]:
    return sum(1 for r in rows if r.mode == mode and r.status == HELD), sum(1 for r in rows if r.mode == mode)


def _by_impact(rows: Sequence[IncidentRow]) -> tuple[int, ...]:
    counts = Counter(i.impact for i in rows)
    return tuple(counts.get(level, 0) for level in IMPACT_LEVELS)


def _nearest_rank(sorted_values: Sequence[float], share: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[max(math.ceil(share * len(sorted_values)) - 1, 0)]


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)
