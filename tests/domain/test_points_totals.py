"""The running totals per contract year (FC-PTS-1): kept with each entry, never negative by the database's own
CHECK, equal to the sum of the entries (reconcile), and backfilled by migration 0006 from the entries already
written."""

import importlib
from datetime import date

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.points import ledger, totals
from domain.points import service as points
from domain.points.records import PointsYearTotal
from tests.domain.points_setup import ADMIN, MENU, NOW, VENDOR, acme, coaching, import_acme, service_days


def book_some(db: sessionmaker[Session]) -> None:
    """Purchases (import); three requests: one delivered, one cancelled, one still reserved with extra days."""
    import_acme(db)
    with db.begin() as session:
        first = points.request_service(session, contract=acme(session), menu=MENU, form=coaching(date(2026, 12, 20)),
                                       by=ADMIN, now=NOW, key="a")
        second = points.request_service(session, contract=acme(session), menu=MENU,
                                        form=service_days(date(2027, 2, 1), 2), by=ADMIN, now=NOW, key="b")
        third = points.request_service(session, contract=acme(session), menu=MENU, form=coaching(date(2026, 12, 21)),
                                       by=ADMIN, now=NOW, key="c")
        points.accept_request(session, request_id=first.id, by=VENDOR, now=NOW)
        points.deliver_request(session, request_id=first.id, by=VENDOR, now=NOW)
        points.charge_extra_days(session, request_id=second.id, menu=MENU, days=1, reason="size", by=VENDOR,
                                 now=NOW, key="x")
        points.cancel_request(session, request_id=third.id, by=ADMIN, now=NOW)


def test_fc_pts_1_each_entry_moves_its_years_totals_in_the_same_transaction(db: sessionmaker[Session]) -> None:
    book_some(db)
    with db() as session:
        recorded = totals.of_contract(session, "ACME-FC-01")
        assert recorded == {
            1: totals.Totals(purchased=1200, spent=30, reserved=0, expired=0, cashed_out=0, entries=5),
            2: totals.Totals(purchased=1000, spent=0, reserved=140 + 80, expired=0, cashed_out=0, entries=3)}
        balance = ledger.year_balance(session, acme(session), 2, now=NOW)
        assert (balance.purchased, balance.reserved, balance.available) == (1000, 220, 780)
        assert totals.reconcile(session) == []


def test_fc_pts_1_the_database_refuses_totals_that_leave_a_year_negative(db: sessionmaker[Session]) -> None:
    import_acme(db)
    with pytest.raises(IntegrityError), db.begin() as session:
        session.execute(update(PointsYearTotal).where(PointsYearTotal.contract_year == 1)
                        .values(reserved=PointsYearTotal.reserved + 1201))
    with pytest.raises(IntegrityError), db.begin() as session:
        session.execute(update(PointsYearTotal).where(PointsYearTotal.contract_year == 1).values(reserved=-1))
    with db() as session:
        assert ledger.year_balance(session, acme(session), 1, now=NOW).available == 1200


def test_reconcile_names_a_year_whose_totals_drifted_and_repairs_it_from_the_entries(
        db: sessionmaker[Session]) -> None:
    book_some(db)
    with db.begin() as session:
        session.execute(update(PointsYearTotal).where(PointsYearTotal.contract_year == 2)
                        .values(reserved=PointsYearTotal.reserved - 80))
        session.execute(delete(PointsYearTotal).where(PointsYearTotal.contract_year == 1))
    with db.begin() as session:
        found = totals.reconcile(session)
        assert [m.describe() for m in found] == [
            "ACME-FC-01 year 1: purchased 0 (entries say 1200), spent 0 (entries say 30), entries 0 (entries say 5)",
            "ACME-FC-01 year 2: reserved 140 (entries say 220)"]
        assert totals.reconcile(session) == found  # looking changes nothing
        assert totals.reconcile(session, repair=True) == found
    with db() as session:
        assert totals.reconcile(session) == []
        assert ledger.year_balance(session, acme(session), 2, now=NOW).available == 780


def test_migration_0006_backfills_the_totals_from_the_entries_already_written(db: sessionmaker[Session]) -> None:
    book_some(db)
    with db() as session:
        before = totals.of_contract(session, "ACME-FC-01")
    migration = importlib.import_module("migrations.versions.0006_points_totals")
    with db.begin() as session:
        session.execute(delete(PointsYearTotal))
        session.execute(text(migration.BACKFILL))
    with db() as session:
        assert totals.of_contract(session, "ACME-FC-01") == before
        assert session.scalar(select(PointsYearTotal.entries).where(PointsYearTotal.contract_year == 1)) == 5
