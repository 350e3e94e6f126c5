"""Random sequences of points operations on a real (SQLite) database; the ledger's invariants after every step.

FC-PTS-1, FC-DEC-1: per year purchased - spent - reserved - expired - cashed_out == unused >= 0; available
never negative and 0 once a year has ended; the entries sum to the reported balance; held points per request
never negative and 0 once it is closed; expiry written at most once per year however often it runs; the
running totals per year (domain.points.totals) equal the sum of the entries after every step.
"""

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from domain.errors import FlexcareError
from domain.points import ledger, totals
from domain.points import service as points
from domain.points.records import EXPIRY, OPEN_STATUSES, PointsEntry, ServiceRequest
from tests.domain.points_setup import ADMIN, MENU, NOW, VENDOR, acme, import_acme

ITEMS = [(i.code, d, h) for i in MENU.items for d, h in i.prices]


class PointsLedger(RuleBasedStateMachine):
    template: Path
    workdir: Path

    def __init__(self) -> None:
        super().__init__()
        path = self.workdir / "flexcare.sqlite3"
        shutil.copyfile(self.template, path)
        self.engine: Engine = make_engine(f"sqlite:///{path}")
        self.db: sessionmaker[Session] = make_session_factory(self.engine)
        self.now: datetime = NOW
        self.submissions = 0

    @initialize(year_1=st.integers(0, 60), cashout=st.booleans())
    def contract(self, year_1: int, cashout: bool) -> None:
        import_acme(self.db, points=[{"year": 1, "points": year_1}, {"year": 2, "points": 40}],
                    cashout_required=cashout)

    def teardown(self) -> None:
        self.engine.dispose()

    def _try(self, work: Callable[[Session], object]) -> None:
        try:
            with self.db.begin() as session:
                work(session)
        except FlexcareError:
            pass  # refusals are part of the game; the invariants say whether the ledger stayed right

    @rule(item=st.sampled_from(ITEMS), ahead=st.integers(0, 420), days=st.integers(1, 4))
    def request(self, item: tuple[str, str, str], ahead: int, days: int) -> None:
        self.submissions += 1
        form = points.RequestForm(item_code=item[0], delivery=item[1], hours=item[2], days=days,
                                  service_on=self.now.date() + timedelta(days=ahead))
        self._try(lambda s: points.request_service(s, contract=acme(s), menu=MENU, form=form, by=ADMIN,
                                                   now=self.now, key=f"sub-{self.submissions}"))

    @rule(pick=st.integers(0, 50), action=st.sampled_from(["accept", "decline", "cancel", "deliver"]))
    def move(self, pick: int, action: str) -> None:
        request_id = self._pick(pick)
        if request_id is None:
            return
        by = ADMIN if action == "cancel" else VENDOR
        self._try(lambda s: getattr(points, f"{action}_request")(s, request_id=request_id, by=by, now=self.now))

    @rule(pick=st.integers(0, 50), days=st.integers(1, 3))
    def extra_days(self, pick: int, days: int) -> None:
        request_id = self._pick(pick)
        if request_id is None:
            return
        self.submissions += 1
        self._try(lambda s: points.charge_extra_days(s, request_id=request_id, menu=MENU, days=days, reason="size",
                                                     by=VENDOR, now=self.now, key=str(self.submissions)))

    @rule(days=st.integers(1, 200))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(number=st.sampled_from([1, 2]), runs=st.integers(1, 3))
    def expire(self, number: int, runs: int) -> None:
        for _ in range(runs):
            with self.db.begin() as session:
                ledger.expire_year(session, contract=acme(session), number=number, now=self.now)

    @rule(number=st.sampled_from([1, 2]), share=st.integers(1, 10))
    def cash_out(self, number: int, share: int) -> None:
        self.submissions += 1
        self._try(lambda s: ledger.cash_out(s, contract=acme(s), number=number, operator="ops", now=self.now,
                                            approval_reference=f"LAW-{self.submissions}",
                                            tenths=ledger.year_balance(s, acme(s), number, now=self.now).unused
                                            * share // 10))

    def _pick(self, pick: int) -> int | None:
        with self.db() as session:
            ids = list(session.scalars(select(ServiceRequest.id).order_by(ServiceRequest.id)))
        return ids[pick % len(ids)] if ids else None

    @invariant()
    def ledger_holds(self) -> None:
        with self.db() as session:
            contract = acme(session)
            for balance in ledger.balances(session, contract, now=self.now):
                year = balance.contract_year
                tenths, held = session.execute(select(func.coalesce(func.sum(PointsEntry.tenths), 0),
                                                      func.coalesce(func.sum(PointsEntry.held_tenths), 0))
                                               .where(PointsEntry.contract_year == year)).one()
                assert (tenths, held) == (balance.unused, balance.reserved)
                assert balance.purchased - balance.spent - balance.reserved - balance.expired \
                    - balance.cashed_out == balance.unused
                assert balance.unused >= 0 and balance.reserved >= 0 and balance.available >= 0
                if balance.ended:
                    assert balance.available == 0
                expiries = session.scalar(select(func.count()).where(
                    PointsEntry.idempotency_key == f"expiry:{contract.id}:{year}")) or 0
                assert expiries <= 1
                assert expiries == 0 or not contract.cashout_required
            for request in session.scalars(select(ServiceRequest)):
                request_held = points.held_for(session, request.id)
                assert request_held >= 0
                assert (request_held > 0) == (request.status in OPEN_STATUSES)
            assert session.scalar(select(func.count()).where(PointsEntry.kind == EXPIRY,
                                                              PointsEntry.tenths > 0)) == 0
            # The running totals the balance is read from are exactly what the entries add up to.
            assert totals.reconcile(session) == []
            for (_contract, year), summed in totals.summed_from_entries(session).items():
                assert totals.of_contract(session, contract.id)[year] == summed
                assert summed.unused >= 0


def test_fc_pts_1_the_ledgers_invariants_hold_after_every_step(sqlite_template: Path, tmp_path: Path) -> None:
    PointsLedger.template, PointsLedger.workdir = sqlite_template, tmp_path
    run_state_machine_as_test(PointsLedger, settings=settings(
        max_examples=20, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
