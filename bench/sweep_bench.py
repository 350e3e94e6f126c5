"""One full sweep (every scheduler sweep once) over 1,000 contracts with 1,000 open and 100,000 closed incidents
and 100,000 ledger entries, on SQLite and PostgreSQL (issue 7, Speed).

Per sweep: the time and the number of SQL statements (counted with a `before_cursor_execute` event), for the
catch-up run (everything due at once, as after downtime) and the steady runs after it, 30 s apart (what a
running scheduler does; the median of five). The reference is the same database with 1,000 closed incidents:
the ratio says whether the cost follows what is due or the history; a second contract count shows whether the
statement count grows with the number of contracts.
Run: `python bench/sweep_bench.py [--quick] [--backend sqlite|postgresql] [--results FILE]`.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

import results
from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from domain.calendar import ServiceCalendar
from domain.contracts.records import Contract, ContractChannel, ContractOption, ContractPerson, ContractYear
from domain.incidents.records import Incident
from domain.notifications.records import DELIVERED, Notification
from domain.points.records import PointsEntry, PointsYearTotal
from scheduler.jobs import SWEEPS

NOW = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # a Wednesday: 09:30 New York, 14:30 London, 22:30 Taipei
PLACES = [("GB", "ENG", "Europe/London", "standard"), ("US", None, "America/New_York", "basic"),
          ("TW", None, "Asia/Taipei", "basic")]
POSTGRES_URL = os.environ.get("FLEXCARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHUNK = 5000
STEADY_RUNS = 5


def populate(engine: Engine, *, contracts: int, closed: int, ledger: int) -> None:
    """Contracts with staggered terms (so some years are near their end today), one open incident each (its card
    posted), `closed` resolved incidents and `ledger` points entries spread over the contracts."""
    rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in (Contract, ContractOption, ContractChannel,
                                                              ContractPerson, ContractYear, Incident, Notification,
                                                              PointsEntry, PointsYearTotal)}
    for n in range(contracts):
        cid, (country, sub, zone, base) = f"BENCH-{n:04d}", PLACES[n % len(PLACES)]
        ends = date(2026, 12, 2) + timedelta(days=n % 365)  # every day of the coming year ends some contract
        starts = ends.replace(year=ends.year - 1) + timedelta(days=1)
        rows[Contract].append(dict(id=cid, customer=f"Customer {n}", base_support=base, country=country,
                                   subdivision=sub, timezone=zone, starts_on=starts, ends_on=ends,
                                   service_opens=clock_time(8), service_closes=clock_time(17), language="en",
                                   cashout_required=False, ftc_hours_json={}, extra_holidays_json=[],
                                   early_closings_json={}, fingerprint="bench", imported_at=NOW))
        for position, role in enumerate(("NASE", "TAM")):
            rows[ContractOption].append(dict(contract_id=cid, position=position, type=role, licence="existing",
                                             product_family="Operations Bridge", person=f"U{role}{n:05d}",
                                             unavailable=False))
        for purpose in ("incidents", "alerts", "reviews"):
            rows[ContractChannel].append(dict(contract_id=cid, channel_id=f"C{purpose[:3].upper()}{n:05d}",
                                              purpose=purpose, source="file"))
        rows[ContractPerson].append(dict(contract_id=cid, slack_user=f"UADM{n:05d}", role="customer_admin"))
        rows[ContractYear].append(dict(contract_id=cid, number=1, starts_on=starts, ends_on=ends, points_tenths=1000))
        calendar = ServiceCalendar(country=country, subdivision=sub, timezone=zone, around_the_clock=base == "standard")
        opened = NOW - timedelta(minutes=(n * 37) % (3 * 24 * 60))  # up to three days back
        incident = _incident(n + 1, cid, 1, opened, calendar, open_=True)
        rows[Incident].append(incident)
        rows[Notification].append(dict(key=f"incident:{n + 1}:card", channel=incident["card_channel"],
                                       kind="incident_card", params={}, created_at=opened, status=DELIVERED,
                                       attempts=1, next_attempt_at=opened, ts=f"1764000000.{n:06d}"))
    for m in range(closed):
        n = m % contracts
        rows[Incident].append(_incident(contracts + m + 1, f"BENCH-{n:04d}", 2 + m // contracts,
                                        NOW - timedelta(days=5 + m % 300), None, open_=False))
    per_contract = max(ledger // contracts, 2)
    for n in range(contracts):
        cid = f"BENCH-{n:04d}"
        rows[PointsEntry].append(_entry(cid, "purchase", 1000, 0, f"purchase:{cid}"))
        spends = (per_contract - 1) // 2
        for s in range(spends):
            rows[PointsEntry].append(_entry(cid, "reservation", -1, 1, f"r:{cid}:{s}"))
            rows[PointsEntry].append(_entry(cid, "spend", 0, -1, f"s:{cid}:{s}"))
        rows[PointsYearTotal].append(dict(contract_id=cid, contract_year=1, purchased=1000, spent=spends, reserved=0,
                                          expired=0, cashed_out=0, entries=1 + 2 * spends))
    with engine.begin() as conn:
        for table, values in rows.items():
            for start in range(0, len(values), CHUNK):
                conn.execute(insert(table), values[start:start + CHUNK])


def _incident(number: int, cid: str, per_contract: int, opened: datetime, calendar: ServiceCalendar | None, *,
              open_: bool) -> dict[str, Any]:
    due = calendar.add_service_time(opened, timedelta(hours=1)).astimezone(UTC) if calendar else opened
    return dict(key=f"{cid}-{number:07d}", contract_id=cid, number=per_contract, summary="Bench", description="-",
                impact=1, product="Operations Bridge", owner="UNASE", owner_role="NASE", priority_team=False,
                status="open" if open_ else "resolved", opened_at=opened, opened_by="UMEMB", ftc_due_at=due,
                ftc_at=None if open_ else opened + timedelta(minutes=20), ftc_by=None if open_ else "UNASE",
                ftc_met=None if open_ else True, resolved_at=None if open_ else opened + timedelta(hours=5),
                card_channel=f"CINC{cid[-4:]}", idempotency_key=f"bench:{number}")


def _entry(cid: str, kind: str, tenths: int, held: int, key: str) -> dict[str, Any]:
    return dict(contract_id=cid, contract_year=1, kind=kind, tenths=tenths, held_tenths=held, actor="bench",
                recorded_at=NOW - timedelta(days=30), reason="bench", idempotency_key=key)


@contextmanager
def database(backend: str) -> Iterator[Engine]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
            upgrade(engine)
            yield engine
            engine.dispose()
        return
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"flexcare_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def full_sweep(engine: Engine, at: datetime) -> dict[str, tuple[float, int, int]]:
    """Each sweep once at `at`: (seconds, statements, notifications written)."""
    db, counted = make_session_factory(engine), [0]

    def count(*_args: Any) -> None:
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    results = {}
    try:
        for job in SWEEPS:
            counted[0] = 0
            started = time.perf_counter()
            written = job.sweep(db, lambda: at)
            results[job.id] = (time.perf_counter() - started, counted[0], written)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return results


def measure(backend: str, *, contracts: int, closed: int, ledger: int) -> dict[str, dict[str, tuple[float, int, int]]]:
    with database(backend) as engine:
        populate(engine, contracts=contracts, closed=closed, ledger=ledger)
        with engine.begin() as conn:  # statistics for the planner, as a live database has them
            conn.execute(text("ANALYZE"))
        if engine.dialect.name == "sqlite":
            # Fold the bulk load's write-ahead log into the file now, not in the middle of the measured sweep.
            raw = engine.raw_connection()  # outside any transaction (bot.db begins each one IMMEDIATE)
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        catch_up = full_sweep(engine, NOW)
        # The steady sweep runs every 30 s: the median of several, since one run on a shared machine is noise.
        runs = [full_sweep(engine, NOW + timedelta(seconds=30 * k)) for k in range(1, STEADY_RUNS + 1)]
        steady = {job: sorted((run[job] for run in runs), key=lambda r: r[0])[STEADY_RUNS // 2] for job in runs[0]}
    return {"catch-up": catch_up, "steady": steady}


def report(label: str, runs: dict[str, dict[str, tuple[float, int, int]]]) -> list[list[str]]:
    rows = []
    for run, figures in runs.items():
        total = sum(seconds for seconds, _q, _w in figures.values())
        parts = ", ".join(f"{job} {seconds * 1000:.0f} ms/{queries} q/{written} w"
                          for job, (seconds, queries, written) in figures.items())
        print(f"  {label:<34} {run:<8} {total * 1000:7.0f} ms  ({parts})")
        rows.append([label, run, f"{total * 1000:.0f}", parts])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the bench still works")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    scale = 20 if args.quick else 1
    contracts, ledger = 1000 // scale, 100_000 // scale
    for backend in args.backend or ["sqlite", "postgresql"]:
        print(f"{backend}:")
        big = measure(backend, contracts=contracts, closed=100_000 // scale, ledger=ledger)
        small = measure(backend, contracts=contracts, closed=1000 // scale, ledger=ledger)
        fewer = measure(backend, contracts=contracts // 4, closed=1000 // scale, ledger=ledger // 4)
        rows = (report(f"{contracts} contracts, {100_000 // scale} closed", big)
                + report(f"{contracts} contracts, {1000 // scale} closed", small)
                + report(f"{contracts // 4} contracts, {1000 // scale} closed", fewer))
        targets = []
        for run in ("catch-up", "steady"):
            ratio = sum(s for s, _q, _w in big[run].values()) / sum(s for s, _q, _w in small[run].values())
            each = ", ".join(f"{job} {big[run][job][0] / max(small[run][job][0], 1e-9):.2f}" for job in small[run])
            grows = {job: (fewer[run][job][1], small[run][job][1]) for job in small[run]}
            print(f"  {run}: time with {100_000 // scale} / {1000 // scale} closed incidents = {ratio:.2f} "
                  f"(target < 1.5; per sweep: {each})")
            growth = ", ".join(f"{job} {a}->{b}" for job, (a, b) in grows.items())
            print(f"  {run}: statements at {contracts // 4} -> {contracts} contracts: {growth}")
            targets += [results.target(f"{backend}, {run}: time with {100_000 // scale:,} / {1000 // scale:,} closed "
                                       "incidents", f"{ratio:.2f}x ({each})", "< 1.5x", ratio < 1.5),
                        results.target(f"{backend}, {run}: statements at {contracts // 4} -> {contracts} contracts",
                                       growth, "reported", None)]
        results.record(
            args.results, bench=f"sweep-{backend}", command=f"python bench/sweep_bench.py --backend {backend}",
            title=f"Every sweep once, {backend}: {contracts:,} contracts, {contracts:,} open incidents, {ledger:,} "
            f"ledger entries (catch-up, then the median of {STEADY_RUNS} steady runs 30 s apart)",
            tables=[(["data", "run", "total ms", "per sweep: ms / statements / notifications written"], rows)],
            targets=targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
