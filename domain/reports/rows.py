"""What a quarter's report reads, as plain values (FC-REV): the rows `service` loads and `kpis` counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import ServiceCalendar
from domain.points.ledger import YearBalance
from domain.reports.quarters import Quarter


@dataclass(frozen=True)
class IncidentRow:
    key: str
    opened_at: datetime
    impact: int
    product: str
    owner: str
    ftc_due_at: datetime | None
    ftc_at: datetime | None
    ftc_met: bool | None
    resolved_at: datetime | None
    third_party: bool


@dataclass(frozen=True)
class EscalationRow:
    at: datetime
    kind: str  # technical | business


@dataclass(frozen=True)
class SpendRow:
    at: datetime
    tenths: int  # points spent (delivered), positive


@dataclass(frozen=True)
class ReviewRow:
    kind: str
    mode: str
    status: str
    contract_year: int


@dataclass(frozen=True)
class ReportInput:
    """Everything the report reads, as values: no session, no clock."""

    contract_id: str
    customer: str
    timezone: str
    quarter: Quarter
    now: datetime
    ftc_clock: ServiceCalendar
    incidents: Sequence[IncidentRow]
    escalations: Sequence[EscalationRow]
    spends: Sequence[SpendRow]
    balances: Sequence[YearBalance]
    reviews: Sequence[ReviewRow]
