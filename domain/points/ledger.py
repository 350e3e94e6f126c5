"""The points ledger (FC-PTS-1, FC-PTS-2, FC-DEC-1, FC-DEC-4): balances, locks, expiry, corrections, cash-out.

Balances are what the append-only entries add up to per contract year, read from the year's running
totals (domain.points.totals), which every append moves in the same transaction: one row per year,
however long the ledger grows. Every write first locks the contract year's row (`FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers), then reads the balance and
appends, so no interleaving of writers can take a year below zero; the totals' CHECK refuses it too.
Points never leave their contract year, and no code moves them to another contract (FC-PTS-2).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.contracts.records import Contract, ContractYear
from domain.errors import FlexcareError, NotAllowed, NotFound
from domain.points import reasons, rules, totals
from domain.points.records import CASHOUT, CORRECTION, EXPIRY, PointsEntry
from domain.words import _


@dataclass(frozen=True)
class YearBalance:
    """One contract year's points, in tenths. `unused` is what the entries leave unspent and unreserved."""

    contract_year: int
    starts_on: date
    ends_on: date
    ended: bool
    purchased: int  # purchases and their corrections
    spent: int
    reserved: int
    expired: int
    cashed_out: int
    unused: int

    @property
    def available(self) -> int:
        """FC-PTS-1: an ended year has nothing to spend, even before its expiry entry is written."""
        return 0 if self.ended else self.unused

    @property
    def lapsing(self) -> int:
        """Points of an ended year that expire on read while the expiry entry is still to be written."""
        return self.unused if self.ended else 0


def balances(session: Session, contract: Contract, *, now: datetime) -> list[YearBalance]:
    """Every contract year's balance, from the years' running totals (one indexed read)."""
    return _balances(session, contract, now=now, only_year=None)


def year_balance(session: Session, contract: Contract, number: int, *, now: datetime) -> YearBalance:
    found = _balances(session, contract, now=now, only_year=number)
    if not found:
        raise NotFound(_("Contract %(contract)s has no contract year %(year)s.", contract=contract.id, year=number))
    return found[0]


def _balances(session: Session, contract: Contract, *, now: datetime, only_year: int | None) -> list[YearBalance]:
    recorded = totals.of_contract(session, contract.id, only_year=only_year)
    result = []
    for year in contract.years:
        if only_year is not None and year.number != only_year:
            continue
        of_year = recorded.get(year.number, totals.Totals())
        result.append(YearBalance(
            contract_year=year.number, starts_on=year.starts_on, ends_on=year.ends_on,
            ended=rules.year_has_ended(year, now=now, zone=contract.timezone), purchased=of_year.purchased,
            spent=of_year.spent, reserved=of_year.reserved, expired=of_year.expired, cashed_out=of_year.cashed_out,
            unused=of_year.unused))
    return result


def lock_year(session: Session, contract: Contract, number: int) -> ContractYear:
    """Take the contract year's row lock for the rest of the transaction: writers of one year queue here."""
    year = session.scalar(select(ContractYear).where(ContractYear.contract_id == contract.id,
                                                     ContractYear.number == number).with_for_update())
    if year is None:
        raise NotFound(_("Contract %(contract)s has no contract year %(year)s.", contract=contract.id, year=number))
    return year


def entry_with_key(session: Session, key: str) -> PointsEntry | None:
    return session.scalar(select(PointsEntry).where(PointsEntry.idempotency_key == key))


def append(session: Session, entry: PointsEntry) -> PointsEntry:
    """Add one entry; a replay of the same idempotency key returns the entry already written."""
    existing = entry_with_key(session, entry.idempotency_key)
    if existing is not None:
        return existing
    session.add(entry)
    session.flush()
    totals.add(session, entry)  # same transaction, same year lock: the totals never lag the entries
    return entry


def expire_year(session: Session, *, contract: Contract, number: int, now: datetime) -> PointsEntry | None:
    """FC-PTS-1: once year `number` has ended, its unused points expire in one entry. Idempotent.

    Contracts marked `cashout_required` are left alone: there local law says the unused points are
    owed to the customer (FC-PTS-2, FC-DEC-4), and an operator records the cash-out instead.
    """
    year = lock_year(session, contract, number)
    if not rules.year_has_ended(year, now=now, zone=contract.timezone) or contract.cashout_required:
        return None
    key = f"expiry:{contract.id}:{number}"
    existing = entry_with_key(session, key)
    if existing is not None:
        return existing
    return expire_unused(session, contract=contract, number=number, key=key, now=now,
                         reason=reasons.year_ended(contract, year=number, ended_on=year.ends_on))


def expire_unused(session: Session, *, contract: Contract, number: int, key: str, now: datetime,
                  reason: str) -> PointsEntry | None:
    """Expire whatever an ended year still holds unused (the caller holds the year's lock)."""
    if contract.cashout_required:
        return None
    unused = year_balance(session, contract, number, now=now).unused
    if unused <= 0:
        return None
    return append(session, PointsEntry(contract_id=contract.id, contract_year=number, kind=EXPIRY, tenths=-unused,
                                       held_tenths=0, actor=reasons.SYSTEM, recorded_at=now, reason=reason,
                                       idempotency_key=key))


def years_to_expire(session: Session, *, now: datetime) -> list[tuple[str, int]]:
    """(contract, year) pairs that may have ended with points left; `expire_year` decides each exactly.

    No zone on Earth is more than 14 hours ahead of UTC, so a year whose last day is before
    tomorrow's UTC date is a candidate; the precise check happens per contract, in its zone.
    """
    horizon = now.date() + timedelta(days=1)
    candidates = list(session.execute(select(ContractYear.contract_id, ContractYear.number)
                                      .where(ContractYear.ends_on < horizon)
                                      .order_by(ContractYear.contract_id, ContractYear.number)))
    done = set(session.scalars(select(PointsEntry.idempotency_key).where(
        PointsEntry.kind == EXPIRY, PointsEntry.idempotency_key.in_([f"expiry:{c}:{n}" for c, n in candidates]))))
    return [(c, n) for c, n in candidates if f"expiry:{c}:{n}" not in done]


def correct(session: Session, *, contract: Contract, corrects_id: int, tenths: int, reason: str, by: str,
            now: datetime, key: str) -> PointsEntry:
    """A correction names the entry it corrects and why; it may not take the year below zero."""
    target = session.get(PointsEntry, corrects_id)
    if target is None or target.contract_id != contract.id:
        raise NotFound(_("Contract %(contract)s has no points entry %(entry)s.", contract=contract.id,
                         entry=corrects_id))
    if tenths == 0 or not reason.strip():
        raise FlexcareError(_("A correction needs an amount other than 0 and a reason."))
    year = lock_year(session, contract, target.contract_year)
    unused = year_balance(session, contract, year.number, now=now).unused
    if unused + tenths < 0:
        raise rules.NotEnoughPoints(needed=-tenths, available=unused, year=year.number)
    entry = append(session, PointsEntry(
        contract_id=contract.id, contract_year=year.number, kind=CORRECTION, tenths=tenths, held_tenths=0,
        corrects_id=target.id, actor=by, recorded_at=now, reason=reason.strip()[:500], idempotency_key=key))
    if tenths > 0 and rules.year_has_ended(year, now=now, zone=contract.timezone):
        # Points added to an ended year were never spendable; they expire with it (FC-PTS-1).
        expire_unused(session, contract=contract, number=year.number, key=f"expiry:correction:{entry.id}", now=now,
                      reason=reasons.corrected_after_year_end(contract, correction=entry.id, year=year.number))
    return entry


def cash_out(session: Session, *, contract: Contract, number: int, approval_reference: str, operator: str,
             now: datetime, tenths: int | None = None) -> PointsEntry:
    """FC-PTS-2, FC-DEC-4: pay out unused points, only where the contract says law requires it, with an approval."""
    if not contract.cashout_required:
        raise NotAllowed(_("Contract %(contract)s is not marked cashout_required, so its unused points cannot be "
                           "cashed out; they expire at the end of the contract year (FC-PTS-2).",
                           contract=contract.id))
    if not approval_reference.strip() or not operator.strip():
        raise FlexcareError(_("A cash-out needs the vendor operator's name and the approval reference."))
    lock_year(session, contract, number)
    unused = year_balance(session, contract, number, now=now).unused
    amount = unused if tenths is None else tenths
    if amount <= 0 or amount > unused:
        raise rules.NotEnoughPoints(needed=max(amount, 1), available=unused, year=number)
    return append(session, PointsEntry(
        contract_id=contract.id, contract_year=number, kind=CASHOUT, tenths=-amount, held_tenths=0, actor=operator,
        recorded_at=now, reason=reasons.cashed_out(contract, approval=approval_reference.strip()),
        reference=approval_reference.strip()[:100],
        idempotency_key=f"cashout:{contract.id}:{number}:{approval_reference.strip()}"))
