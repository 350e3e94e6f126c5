"""Loading a quarter's rows with a few set-based queries, then computing the report (FC-REV).

Four reads whatever the number of incidents: the incidents that touch either quarter (columns only, no
ORM objects), their escalation events, the points spent in the two quarters (plus the years' running
totals), and the contract's reviews. `kpis.quarter_report` does the counting.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from domain.calendar import ServiceCalendar
from domain.contracts.records import Contract
from domain.incidents.records import Incident, IncidentEvent
from domain.points import ledger
from domain.points.records import SPEND, PointsEntry
from domain.reports.kpis import QuarterReport, quarter_report
from domain.reports.quarters import Quarter, local_today, parse_quarter
from domain.reports.rows import EscalationRow, IncidentRow, ReportInput, ReviewRow, SpendRow
from domain.reviews.records import Review

ESCALATED = "escalated"  # the incident event written by domain.incidents.service.escalate (FC-INC-6)


def report_for(session: Session, contract: Contract, *, quarter: str | None, now: datetime) -> QuarterReport:
    """The report of `quarter` (`2026-Q3`, `this`, or None: the last full quarter in the contract's zone)."""
    chosen = parse_quarter(quarter, today=local_today(now, contract.timezone))
    return build_report(session, contract, chosen, now=now)


def build_report(session: Session, contract: Contract, quarter: Quarter, *, now: datetime) -> QuarterReport:
    zone = contract.timezone
    since, until = quarter.previous().starts_at(zone), min(quarter.ends_at(zone), now)
    return quarter_report(ReportInput(
        contract_id=contract.id, customer=contract.customer, timezone=zone, quarter=quarter, now=now,
        ftc_clock=ServiceCalendar.for_contract(contract),
        incidents=incident_rows(session, contract.id, since=since, until=until),
        escalations=_escalations(session, contract.id, since=since, until=until),
        spends=_spends(session, contract.id, since=since, until=until),
        balances=ledger.balances(session, contract, now=now),
        reviews=[ReviewRow(*row) for row in session.execute(
            select(Review.kind, Review.mode, Review.status, Review.contract_year)
            .where(Review.contract_id == contract.id))]))


_COLUMNS = (Incident.key, Incident.opened_at, Incident.impact, Incident.product, Incident.owner, Incident.ftc_due_at,
            Incident.ftc_at, Incident.ftc_met, Incident.resolved_at, Incident.third_party_vendor.is_not(None))


def incident_rows(session: Session, contract_id: str, *, since: datetime, until: datetime) -> list[IncidentRow]:
    """Incidents opened before `until` that touch [since, until): opened, resolved, contacted or due in it, or open
    through it (one query, columns only)."""
    touches = or_(Incident.opened_at >= since, Incident.resolved_at.is_(None), Incident.resolved_at >= since,
                  Incident.ftc_at >= since, Incident.ftc_due_at >= since)
    query = (select(*_COLUMNS).where(Incident.contract_id == contract_id, Incident.opened_at < until, touches)
             .order_by(Incident.opened_at, Incident.id))
    return [_incident(row) for row in session.execute(query)]


def _incident(row: Sequence[Any]) -> IncidentRow:
    return IncidentRow(key=row[0], opened_at=row[1], impact=row[2], product=row[3], owner=row[4], ftc_due_at=row[5],
                       ftc_at=row[6], ftc_met=row[7], resolved_at=row[8], third_party=bool(row[9]))


def _escalations(session: Session, contract_id: str, *, since: datetime, until: datetime) -> list[EscalationRow]:
    query = (select(IncidentEvent.at, IncidentEvent.after).join(Incident, Incident.id == IncidentEvent.incident_id)
             .where(Incident.contract_id == contract_id, IncidentEvent.kind == ESCALATED,
                    IncidentEvent.at >= since, IncidentEvent.at < until))
    return [EscalationRow(at, str((after or {}).get("escalation", ""))) for at, after in session.execute(query)]


def _spends(session: Session, contract_id: str, *, since: datetime, until: datetime) -> list[SpendRow]:
    """FC-PTS-3: deliveries turn reserved points into spent ones; a spend entry's held_tenths is minus the amount."""
    query = select(PointsEntry.recorded_at, PointsEntry.held_tenths).where(
        PointsEntry.contract_id == contract_id, PointsEntry.kind == SPEND,
        and_(PointsEntry.recorded_at >= since, PointsEntry.recorded_at < until))
    return [SpendRow(at, -held) for at, held in session.execute(query)]


def quarter_incidents(session: Session, contract: Contract, quarter: Quarter, *,
                      now: datetime) -> list[tuple[IncidentRow, int]]:
    """The incidents opened in the quarter (so far), oldest first, each with its number of escalations (one query)."""
    zone = contract.timezone
    escalations = (select(IncidentEvent.incident_id, func.count().label("n")).where(IncidentEvent.kind == ESCALATED)
                   .group_by(IncidentEvent.incident_id).subquery())
    query = (select(*_COLUMNS, func.coalesce(escalations.c.n, 0))
             .outerjoin(escalations, escalations.c.incident_id == Incident.id)
             .where(Incident.contract_id == contract.id, Incident.opened_at >= quarter.starts_at(zone),
                    Incident.opened_at < min(quarter.ends_at(zone), now))
             .order_by(Incident.opened_at, Incident.id))
    return [(_incident(row[:10]), int(row[10])) for row in session.execute(query)]


def scheduled_reviews(session: Session, contract: Contract) -> list[Review]:
    """Every review of the contract's schedule, cancelled ones included (the calendar marks them cancelled)."""
    return list(session.scalars(select(Review).where(Review.contract_id == contract.id)
                                .order_by(Review.scheduled_on, Review.key)))
