"""Reading the ledger as people do: newest first in pages, and a year's entries as a CSV file."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.contracts.records import Contract
from domain.points import rules
from domain.points.records import OPEN_STATUSES, PointsEntry, ServiceRequest

PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    entries: list[PointsEntry]
    total: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.entries)
        return following if following < self.total else None


def history(session: Session, contract: Contract, *, year: int | None = None, offset: int = 0,
            limit: int = PAGE_SIZE) -> Page:
    """The ledger, newest first, one page at a time (optionally one contract year)."""
    where = [PointsEntry.contract_id == contract.id]
    if year is not None:
        where.append(PointsEntry.contract_year == year)
    total = session.scalar(select(func.count()).select_from(PointsEntry).where(*where)) or 0
    entries = list(session.scalars(select(PointsEntry).where(*where).order_by(PointsEntry.id.desc())
                                   .offset(max(offset, 0)).limit(limit)))
    return Page(entries=entries, total=total, offset=max(offset, 0))


def latest(session: Session, contract: Contract, *, limit: int = 5) -> list[PointsEntry]:
    return list(session.scalars(select(PointsEntry).where(PointsEntry.contract_id == contract.id)
                                .order_by(PointsEntry.id.desc()).limit(limit)))


def year_entries(session: Session, contract: Contract, year: int) -> list[PointsEntry]:
    return list(session.scalars(select(PointsEntry).where(PointsEntry.contract_id == contract.id,
                                                          PointsEntry.contract_year == year)
                                .order_by(PointsEntry.id)))


def open_requests(session: Session, contract: Contract) -> list[ServiceRequest]:
    return list(session.scalars(select(ServiceRequest).where(ServiceRequest.contract_id == contract.id,
                                                             ServiceRequest.status.in_(OPEN_STATUSES))
                                .order_by(ServiceRequest.service_on, ServiceRequest.id)))


CSV_COLUMNS = ("entry", "recorded_at_utc", "contract", "contract_year", "kind", "points", "reserved_points",
               "request", "corrects_entry", "by", "reason", "reference", "available_after")


def ledger_csv(entries: Sequence[PointsEntry]) -> str:
    """One year's ledger, oldest first, with the running available balance; points exact (FC-DEC-3).

    Column names are fixed identifiers for spreadsheets and scripts, not sentences, so they stay
    untranslated; the reasons are the ledger's own words.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    running = 0
    for entry in entries:
        running += entry.tenths
        writer.writerow([entry.id, entry.recorded_at.isoformat(), entry.contract_id, entry.contract_year, entry.kind,
                         rules.points_number(entry.tenths), rules.points_number(entry.held_tenths),
                         entry.request_id or "", entry.corrects_id or "", entry.actor, _safe(entry.reason),
                         _safe(entry.reference or ""), rules.points_number(running)])
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
