"""`/flexcare points` from the signed request to the reply (the response_url post), with a short and a long ledger.

The same contract (ACME-FC-01) is given 100 and then 10,000 ledger entries in two fresh databases, and
the same command is sent one at a time through the real app (tests/e2e/harness.py). The reply reads each
year's running totals (domain.points.totals), so the ratio between the two should stay about 1: the
answer must not slow down as the ledger grows. For reference, the sum over every entry that the totals
replace is timed too. Run: `python bench/points_bench.py [--requests N] [--entries N] [--quick] [--results FILE]`.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.e2e

import results
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.standin.webapi import SlackStandin
from domain.contracts.records import Contract
from domain.points import ledger, totals
from domain.points.records import RELEASE, RESERVATION, PointsEntry
from tests.e2e.harness import FakeClock, Harness, running_bot

CONTRACT, ADMIN, CHANNEL = "ACME-FC-01", "U0ADMIN1", "C0INCID1"


def grow_ledger(db: sessionmaker[Session], entries: int, now: datetime) -> None:
    """Pad year 1 to about `entries` entries with reservations and their releases (net zero), through the ledger."""
    with db.begin() as session:
        contract = session.get_one(Contract, CONTRACT)
        ledger.lock_year(session, contract, 1)
        existing = totals.of_contract(session, CONTRACT, only_year=1)[1].entries
        for n in range(max(entries - existing, 0) // 2 * 2):  # whole pairs, so the year's balance is unchanged
            held = 10 * (1 + (n // 2) % 5)  # a pair: the reservation, then its release
            kind, tenths = (RESERVATION, -held) if n % 2 == 0 else (RELEASE, held)
            ledger.append(session, PointsEntry(contract_id=CONTRACT, contract_year=1, kind=kind, tenths=tenths,
                                               held_tenths=-tenths, actor=ADMIN, recorded_at=now,
                                               reason="bench padding", idempotency_key=f"bench:{n}"))


def answered(harness: Harness, before: int) -> bool:
    return len(harness.slack.calls_to("respond")) > before


def replies(harness: Harness, requests: int) -> list[float]:
    """Seconds from sending `/flexcare points` to the stand-in receiving its response_url post, one at a time."""
    latencies = []
    for _ in range(requests):
        before = len(harness.slack.calls_to("respond"))
        sent = time.time()
        name = harness.command("points", user=ADMIN, channel=CHANNEL)
        harness.slack.wait_for(partial(answered, harness, before), timeout=10, interval=0.002)
        reply = harness.slack.responses(name)[0]
        assert "*Available 120* points" in str(reply.get("blocks")), reply  # the padding nets to zero
        latencies.append(harness.slack.calls_to("respond")[before].at - sent)
    return latencies


def summed_every_entry(db: sessionmaker[Session], rounds: int) -> float:
    """Reference: seconds per sum over all of the contract's entries (the read the totals replace)."""
    with db() as session:
        started = time.perf_counter()
        for _ in range(rounds):
            totals.summed_from_entries(session, contract_id=CONTRACT)
        return (time.perf_counter() - started) / rounds


def measure(entries: int, requests: int) -> tuple[dict[str, float], float, int]:
    with tempfile.TemporaryDirectory() as folder, SlackStandin() as slack:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        db, clock = make_session_factory(engine), FakeClock()
        with running_bot(db, slack, clock) as harness:
            grow_ledger(db, entries, clock())
            with db() as session:
                entries = totals.of_contract(session, CONTRACT, only_year=1)[1].entries
            replies(harness, 5)  # warm up: imports, caches, the first connection
            latencies = replies(harness, requests)
        reference = summed_every_entry(db, 50)
        engine.dispose()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    figures = {"p50": cuts[49] * 1000, "p99": cuts[98] * 1000, "max": max(latencies) * 1000}
    print(f"{entries:>6} entries  p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
          f"max {figures['max']:6.1f} ms  ({requests} requests)   summing every entry instead: "
          f"{reference * 1000:6.2f} ms a read")
    return figures, reference, entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="commands sent per ledger size")
    parser.add_argument("--entries", type=int, default=10_000, help="the long ledger's length")
    parser.add_argument("--quick", action="store_true", help="a short run that only proves the bench works")
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    requests, long_ledger = (20, 1_000) if args.quick else (args.requests, args.entries)
    short, short_sum, short_entries = measure(100, requests)
    long, long_sum, long_entries = measure(long_ledger, requests)
    print(f"ratio  p50 {long['p50'] / short['p50']:.2f}x  p99 {long['p99'] / short['p99']:.2f}x  "
          f"({long_ledger:,} / 100 entries; target about 1)   summing every entry: {long_sum / short_sum:.1f}x")
    ratio = {key: long[key] / short[key] for key in ("p50", "p99")}
    results.record(
        args.results, bench="points", command="python bench/points_bench.py",
        title=f"`/flexcare points` to its reply, {requests} commands one at a time, a short and a long ledger (SQLite)",
        tables=[(["ledger", "p50 ms", "p99 ms", "max ms", "summing every entry instead, ms"],
                 [[f"{entries:,} entries", f"{f['p50']:.1f}", f"{f['p99']:.1f}", f"{f['max']:.1f}", f"{ref * 1000:.2f}"]
                  for entries, f, ref in ((short_entries, short, short_sum), (long_entries, long, long_sum))]
                 + [["long / short", f"{ratio['p50']:.2f}x", f"{ratio['p99']:.2f}x", "",
                     f"{long_sum / short_sum:.1f}x"]])],
        targets=[results.target("Reply p50, long / short ledger (running totals)", f"{ratio['p50']:.2f}x",
                                "about 1x (≤ 1.5x)", ratio["p50"] <= 1.5),
                 results.target("Reply p99, long / short ledger", f"{ratio['p99']:.2f}x", "about 1x (≤ 1.5x)",
                                ratio["p99"] <= 1.5),
                 results.target("Every reply inside Slack's 3 s", f"max {long['max']:.0f} ms", "< 3000 ms",
                                long["max"] < 3000)])
    return 0 if long["max"] < 3000 else 1


if __name__ == "__main__":
    sys.exit(main())
