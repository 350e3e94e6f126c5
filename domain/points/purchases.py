"""Points bought per contract year (FC-PTS-1) enter the ledger from the contract file, exactly once.

The file is the record of what was bought; the ledger follows it. A year's first figure becomes a
purchase entry; a later, different figure becomes a correction of that entry by the difference,
with the old and new figures as its reason. Re-importing an unchanged file writes nothing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.contracts.records import Contract
from domain.contracts.spec import ContractFileError
from domain.points import ledger, reasons, rules
from domain.points.records import CORRECTION, PURCHASE, PointsEntry


def sync_purchases(session: Session, contract: Contract, now: datetime, *,
                   actor: str = reasons.CONTRACT_FILE) -> list[PointsEntry]:
    """Make each year's purchase entries add up to the file's figure; returns the entries written."""
    written = []
    for year in contract.years:
        ledger.lock_year(session, contract, year.number)
        purchase_key = f"purchase:{contract.id}:{year.number}"
        purchase = ledger.entry_with_key(session, purchase_key)
        if purchase is not None:
            # A correction of an ended year's purchase expires at once inside ledger.correct.
            correction = _correct_purchase(session, contract, purchase, year.points_tenths, actor, now)
            written += [correction] if correction is not None else []
            continue
        if year.points_tenths == 0:
            continue
        written.append(ledger.append(session, PointsEntry(
            contract_id=contract.id, contract_year=year.number, kind=PURCHASE, tenths=year.points_tenths,
            held_tenths=0, actor=actor, recorded_at=now, idempotency_key=purchase_key,
            reason=reasons.purchased(contract, year=year.number, tenths=year.points_tenths))))
        # Points recorded for a year that is already over were never spendable (FC-PTS-1).
        expired = ledger.expire_year(session, contract=contract, number=year.number, now=now)
        written += [expired] if expired is not None else []
    return written


def _correct_purchase(session: Session, contract: Contract, purchase: PointsEntry, wanted: int, actor: str,
                      now: datetime) -> PointsEntry | None:
    corrections = list(session.scalars(select(PointsEntry.tenths).where(
        PointsEntry.kind == CORRECTION, PointsEntry.corrects_id == purchase.id)))
    recorded = purchase.tenths + sum(corrections)
    if recorded == wanted:
        return None
    unused = ledger.year_balance(session, contract, purchase.contract_year, now=now).unused
    if unused + wanted - recorded < 0:
        used = recorded - unused
        raise ContractFileError([
            f"{contract.id}: points[year {purchase.contract_year}]: {rules.points_number(wanted)} points is less than "
            f"the {rules.points_number(used)} already spent, reserved, expired or cashed out in that year; "
            "the figure can only go down to that (FC-PTS-1)"])
    return ledger.correct(
        session, contract=contract, corrects_id=purchase.id, tenths=wanted - recorded, by=actor, now=now,
        key=f"correction:{purchase.idempotency_key}:{len(corrections) + 1}",
        reason=reasons.file_changed(contract, year=purchase.contract_year, before=recorded, after=wanted))
