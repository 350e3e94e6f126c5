"""Time from a signed `/flexcare report` to its reply and to the chart's upload, for a contract with 10,000 incidents.

HUDSON-FC-03 (business hours, New York: the FTC clock walks service days) gets N incidents spread over 2026-Q2
and Q3, 5% escalated, most contacted and resolved, written in bulk; the report for 2026-Q3 then reads all of
them (its quarter and the previous one). The reference is `/flexcare help` through the same harness in the same
run, so the ratio says what the report itself costs. Slack's limit: a slash command's response_url answers for
30 minutes after Bolt's immediate ack; people expect a reply within seconds.
Run: `python bench/report_bench.py [--incidents N] [--runs K] [--quick] [--results FILE]`.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.e2e

import results
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.standin.webapi import SlackStandin
from domain.incidents.records import Incident, IncidentEvent
from tests.e2e.harness import FakeClock, Harness, running_bot

CONTRACT, CHANNEL, MEMBER = "HUDSON-FC-03", "C0INCID3", "U0MEMB04"
PRODUCTS = ("Service Management Automation X", "Service Manager", "Universal Discovery", "Operations Orchestration")


def seed(db: sessionmaker[Session], count: int) -> None:
    """`count` incidents between 1 Apr and 30 Sep 2026 (UTC), in one bulk insert, and their escalation events."""
    rng = random.Random(8)
    start, span = datetime(2026, 4, 1, 12, tzinfo=UTC), timedelta(days=182).total_seconds()
    rows = []
    for number in range(1, count + 1):
        opened = start + timedelta(seconds=rng.uniform(0, span))
        impact = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        contacted = opened + timedelta(minutes=rng.uniform(5, 600)) if rng.random() < 0.9 else None
        due = opened + timedelta(hours=1 if impact == 1 else 4)
        rows.append({
            "key": f"{CONTRACT}-{number:05d}", "contract_id": CONTRACT, "number": number, "summary": "Bench",
            "description": "Bench incident.", "impact": impact, "product": rng.choice(PRODUCTS), "owner": "U0NASE03",
            "owner_role": "NASE", "priority_team": False, "status": "resolved" if rng.random() < 0.8 else "open",
            "opened_at": opened, "opened_by": MEMBER, "ftc_due_at": due if impact <= 2 else None,
            "ftc_at": contacted, "ftc_met": None if contacted is None or impact > 2 else contacted <= due,
            "resolved_at": opened + timedelta(days=rng.uniform(0.5, 20)), "card_channel": CHANNEL,
            "third_party_vendor": "Oracle" if rng.random() < 0.1 else None, "idempotency_key": f"bench:{number}"})
    for row in rows:
        if row["status"] == "open":
            row["resolved_at"] = None
    with db.begin() as session:
        session.execute(insert(Incident), rows)
        ids = list(session.scalars(select(Incident.id).where(Incident.contract_id == CONTRACT)))
        escalated = rng.sample(ids, len(ids) // 20)
        opened_at = {i: at for i, at in session.execute(select(Incident.id, Incident.opened_at)
                                                         .where(Incident.id.in_(escalated)))}
        session.execute(insert(IncidentEvent), [
            {"incident_id": i, "at": opened_at[i] + timedelta(hours=2), "actor": "U0TAM003", "kind": "escalated",
             "before": {}, "after": {"escalation": rng.choice(("technical", "business"))}, "note": "bench"}
            for i in escalated])


def timed(harness: Harness, text: str, *, uploads: int, reply: bool = True) -> tuple[float, float]:
    """Seconds from sending the command to its reply, and to the `uploads`-th upload (0: none awaited)."""
    started = time.perf_counter()
    name = harness.command(text, user=MEMBER, channel=CHANNEL)
    if reply:
        harness.slack.wait_for(lambda: harness.slack.responses(name), timeout=120)
    replied = time.perf_counter() - started
    if uploads:
        harness.slack.wait_for(lambda: len(harness.slack.uploads) >= uploads, timeout=120)
    return replied, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 incidents, one run: only proves the bench works")
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    count, runs = (1000, 1) if args.quick else (args.incidents, args.runs)
    with tempfile.TemporaryDirectory() as folder, SlackStandin() as slack:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        db = make_session_factory(engine)
        with running_bot(db, slack, FakeClock()) as harness:
            began = time.perf_counter()
            seed(db, count)
            print(f"seeded {count} incidents of {CONTRACT} in {time.perf_counter() - began:.1f} s")
            timed(harness, "help", uploads=0)  # warm up: imports, first connection
            help_times = [timed(harness, "help", uploads=0)[0] for _ in range(max(runs, 3))]
            report_times, chart_times = [], []
            for run in range(runs):
                replied, uploaded = timed(harness, "report 2026-Q3", uploads=run + 1)
                report_times.append(replied)
                chart_times.append(uploaded)
            csv_reply = timed(harness, "report 2026-Q3 csv", uploads=runs + 1, reply=False)[1]
    reference = statistics.median(help_times)
    reply, chart = statistics.median(report_times), statistics.median(chart_times)
    print(f"/flexcare help            reply {reference * 1000:8.0f} ms (median of {len(help_times)})")
    print(f"/flexcare report 2026-Q3  reply {reply * 1000:8.0f} ms, chart uploaded {chart * 1000:8.0f} ms "
          f"(median of {runs}; {count} incidents)")
    print(f"/flexcare report csv      file uploaded {csv_reply * 1000:8.0f} ms")
    print(f"ratio      reply {reply / reference:.1f}x /flexcare help; slow first run {max(report_times) * 1000:.0f} ms")
    results.record(
        args.results, bench="report", command="python bench/report_bench.py",
        title=f"`/flexcare report 2026-Q3` for {CONTRACT} with {count:,} incidents, against `/flexcare help` (SQLite)",
        tables=[(["", "reply ms", "file uploaded ms"],
                 [[f"/flexcare help (median of {len(help_times)})", f"{reference * 1000:.0f}", ""],
                  [f"/flexcare report 2026-Q3 (median of {runs})", f"{reply * 1000:.0f}", f"{chart * 1000:.0f}"],
                  ["/flexcare report 2026-Q3 csv", "", f"{csv_reply * 1000:.0f}"],
                  ["report / help", f"{reply / reference:.1f}x", ""]])],
        targets=[results.target("Report reply, against /flexcare help", f"{reply / reference:.1f}x", "reported", None),
                 results.target("Chart uploaded", f"{chart:.1f} s", "< 30 s", chart < 30)])
    return 0 if chart < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
