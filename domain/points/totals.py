"""Running totals per contract year (FC-PTS-1, FC-DEC-3): what the ledger's entries add up to, kept as they go.

`/flexcare points` must answer at once however long a contract's ledger grows, so balances are read
from one `points_year_total` row per year instead of summing every entry. `add` moves the totals in
the same transaction as each entry (`ledger.append` calls it, under the year's lock), and the table's
CHECK refuses any move that would leave a year's unused points below zero. The entries remain the
record: `reconcile` sums them again and says where the totals differ (and, asked to, repairs them).
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlalchemy import SQLColumnExpression, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.contracts.records import ContractYear
from domain.points.records import CASHOUT, CORRECTION, EXPIRY, PURCHASE, SPEND, PointsEntry, PointsYearTotal


@dataclass(frozen=True)
class Totals:
    """One contract year's buckets in tenths; `entries` counts the ledger lines they cover."""

    purchased: int = 0  # purchases and their corrections
    spent: int = 0
    reserved: int = 0
    expired: int = 0
    cashed_out: int = 0
    entries: int = 0

    @property
    def unused(self) -> int:
        """Neither spent, reserved, expired nor cashed out: the sum of the entries' `tenths`."""
        return self.purchased - self.spent - self.reserved - self.expired - self.cashed_out


COLUMNS = tuple(f.name for f in fields(Totals))


def of_entry(entry: PointsEntry) -> Totals:
    """How one entry moves its year's buckets (the table in domain.points.records)."""
    moved = Totals(
        purchased=entry.tenths if entry.kind in (PURCHASE, CORRECTION) else 0,
        spent=-entry.held_tenths if entry.kind == SPEND else 0,
        reserved=entry.held_tenths,
        expired=-entry.tenths if entry.kind == EXPIRY else 0,
        cashed_out=-entry.tenths if entry.kind == CASHOUT else 0,
        entries=1)
    if moved.unused != entry.tenths:
        # A kind whose amounts do not fit its buckets would make the totals drift from the entries.
        raise ValueError(f"a {entry.kind} entry of {entry.tenths} tenths (held {entry.held_tenths}) does not fit "
                         "the points buckets; see the table in domain.points.records")
    return moved


def add(session: Session, entry: PointsEntry) -> None:
    """Move the entry's year by the entry, in the caller's transaction (which holds the year's lock)."""
    moved = of_entry(entry)
    where = (PointsYearTotal.contract_id == entry.contract_id, PointsYearTotal.contract_year == entry.contract_year)
    increments = {name: getattr(PointsYearTotal, name) + getattr(moved, name) for name in COLUMNS}
    statement = update(PointsYearTotal).where(*where).values(**increments).execution_options(
        synchronize_session=False)
    if session.execute(statement).rowcount == 0:  # type: ignore[attr-defined]
        # The year's first entry: a zero row first (it passes the CHECK), then the same increment, so the
        # CHECK judges the moved row exactly as it does every later one.
        _insert_zero_row(session, entry.contract_id, entry.contract_year)
        session.execute(statement)


def _insert_zero_row(session: Session, contract_id: str, contract_year: int) -> None:
    dialect = session.get_bind().dialect.name
    values = {"contract_id": contract_id, "contract_year": contract_year} | dict.fromkeys(COLUMNS, 0)
    keys = ["contract_id", "contract_year"]
    if dialect == "postgresql":
        session.execute(postgresql.insert(PointsYearTotal).values(**values).on_conflict_do_nothing(
            index_elements=keys))
    elif dialect == "sqlite":
        session.execute(sqlite.insert(PointsYearTotal).values(**values).on_conflict_do_nothing(index_elements=keys))
    else:
        session.execute(insert(PointsYearTotal).values(**values))


def of_contract(session: Session, contract_id: str, *, only_year: int | None = None) -> dict[int, Totals]:
    """The recorded totals of a contract's years (one indexed read; a year with no entries is absent)."""
    query = select(PointsYearTotal.contract_year, *(getattr(PointsYearTotal, name) for name in COLUMNS)).where(
        PointsYearTotal.contract_id == contract_id)
    if only_year is not None:
        query = query.where(PointsYearTotal.contract_year == only_year)
    return {row[0]: Totals(*(int(value) for value in row[1:])) for row in session.execute(query)}


def summed_from_entries(session: Session, *, contract_id: str | None = None,
                        only_year: int | None = None) -> dict[tuple[str, int], Totals]:
    """The totals as the entries themselves add up, per (contract, year): the record `reconcile` trusts."""
    def total_of(expression: SQLColumnExpression[int]) -> SQLColumnExpression[int]:
        return func.coalesce(func.sum(expression), 0)

    def when(kinds: Iterable[str], value: SQLColumnExpression[int]) -> SQLColumnExpression[int]:
        return case((PointsEntry.kind.in_(list(kinds)), value), else_=0)

    query = (select(PointsEntry.contract_id, PointsEntry.contract_year,
                    total_of(when((PURCHASE, CORRECTION), PointsEntry.tenths)),
                    total_of(when((SPEND,), -PointsEntry.held_tenths)), total_of(PointsEntry.held_tenths),
                    total_of(when((EXPIRY,), -PointsEntry.tenths)), total_of(when((CASHOUT,), -PointsEntry.tenths)),
                    func.count())
             .group_by(PointsEntry.contract_id, PointsEntry.contract_year))
    if contract_id is not None:
        query = query.where(PointsEntry.contract_id == contract_id)
    if only_year is not None:
        query = query.where(PointsEntry.contract_year == only_year)
    return {(row[0], row[1]): Totals(*(int(value) for value in row[2:])) for row in session.execute(query)}


@dataclass(frozen=True)
class Mismatch:
    """A year whose running totals differ from the sum of its entries."""

    contract_id: str
    contract_year: int
    recorded: Totals
    summed: Totals

    def describe(self) -> str:
        differences = ", ".join(f"{name} {getattr(self.recorded, name)} (entries say {getattr(self.summed, name)})"
                                for name in COLUMNS if getattr(self.recorded, name) != getattr(self.summed, name))
        return f"{self.contract_id} year {self.contract_year}: {differences}"


def reconcile(session: Session, *, contract_id: str | None = None, repair: bool = False) -> list[Mismatch]:
    """Every year whose running totals differ from its entries; with `repair`, set them to what the entries say.

    An operator's check (`flexcare points reconcile`): the totals are derived data, so repairing them
    rewrites no history. Repair takes each year's lock and sums again under it, so a request booked
    meanwhile is neither lost nor counted twice.
    """
    found = _mismatches(session, contract_id=contract_id)
    if not repair:
        return found
    for mismatch in found:
        session.execute(select(ContractYear.id).where(ContractYear.contract_id == mismatch.contract_id,
                                                      ContractYear.number == mismatch.contract_year)
                        .with_for_update())
        summed = summed_from_entries(session, contract_id=mismatch.contract_id, only_year=mismatch.contract_year)
        wanted = summed.get((mismatch.contract_id, mismatch.contract_year), Totals())
        _insert_zero_row(session, mismatch.contract_id, mismatch.contract_year)
        session.execute(update(PointsYearTotal).where(
            PointsYearTotal.contract_id == mismatch.contract_id,
            PointsYearTotal.contract_year == mismatch.contract_year,
        ).values(**{name: getattr(wanted, name) for name in COLUMNS}).execution_options(synchronize_session=False))
    return found


def _mismatches(session: Session, *, contract_id: str | None) -> list[Mismatch]:
    summed = summed_from_entries(session, contract_id=contract_id)
    query = select(PointsYearTotal.contract_id, PointsYearTotal.contract_year,
                   *(getattr(PointsYearTotal, name) for name in COLUMNS))
    if contract_id is not None:
        query = query.where(PointsYearTotal.contract_id == contract_id)
    recorded = {(row[0], row[1]): Totals(*(int(v) for v in row[2:])) for row in session.execute(query)}
    return [Mismatch(key[0], key[1], recorded.get(key, Totals()), summed.get(key, Totals()))
            for key in sorted(set(summed) | set(recorded))
            if recorded.get(key, Totals()) != summed.get(key, Totals())]
