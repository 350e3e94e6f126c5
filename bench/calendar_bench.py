"""Benchmark `ServiceCalendar.add_service_time` against pandas' `CustomBusinessHour` (FC-INC-2, FC-CAL-1).

Usage: python bench/calendar_bench.py [--cases N] [--seed S] [--results FILE]

Both compute the same FTC deadlines (GB-ENG, Europe/London, 08:00-17:00, impact 1 -> 1 h and
impact 2 -> 4 h) for N seeded random minute-resolution openings over 2025-2026. The script prints
both throughputs and their ratio and exits 1 if any answer disagrees. pandas is a dev-only
dependency: it is the oracle here and is never imported at run time.
"""

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, not installed

import results

from domain.calendar import FIXED_FTC_TARGETS, ServiceCalendar

ZONE = ZoneInfo("Europe/London")
FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def cases(count: int, seed: int) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    minutes = int((LAST - FIRST) / timedelta(minutes=1))
    return [
        ((FIRST + timedelta(minutes=rng.randrange(minutes))).astimezone(ZONE), rng.choice((1, 2)))
        for _ in range(count)
    ]


def closed_dates() -> list[date]:
    # The same public holidays, observed, as the calendar uses; one year of slack for late deadlines.
    return sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2028)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260605)
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    work = cases(args.cases, args.seed)

    calendar = ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London")
    began = time.perf_counter()
    ours = [calendar.add_service_time(start, FIXED_FTC_TARGETS[impact]) for start, impact in work]
    ours_seconds = time.perf_counter() - began

    offsets = {
        impact: pd.offsets.CustomBusinessHour(
            n=int(target / timedelta(hours=1)), start="08:00", end="17:00", holidays=closed_dates()
        )
        for impact, target in FIXED_FTC_TARGETS.items()
    }
    stamps = [(pd.Timestamp(start), impact) for start, impact in work]  # already in the contract zone
    began = time.perf_counter()
    theirs = [stamp + offsets[impact] for stamp, impact in stamps]
    pandas_seconds = time.perf_counter() - began

    on_closing, wrong = 0, []
    for (start, impact), due, other in zip(work, ours, theirs, strict=True):
        other_due = other.to_pydatetime()
        if due == other_due:
            continue
        # The one expected difference: a deadline landing exactly on 17:00 is reported by pandas as
        # the next opening ("one day's end equals the next day's start"). FC-DEC-7 keeps the closing
        # instant; both must then hold exactly the target's service time.
        target = FIXED_FTC_TARGETS[impact]
        if (
            not calendar.is_service_time(due)
            and other_due == calendar.next_service_start(due)
            and calendar.service_time_between(start, other_due) == target
            and calendar.service_time_between(start, due) == target
        ):
            on_closing += 1
        else:
            wrong.append((start, impact, due, other_due))

    ours_rate, pandas_rate = len(work) / ours_seconds, len(work) / pandas_seconds
    print(f"cases: {len(work)} (seed {args.seed}), GB-ENG Europe/London, impacts 1 and 2")
    print(f"add_service_time:   {ours_rate:12,.0f} ops/s")
    print(f"CustomBusinessHour: {pandas_rate:12,.0f} ops/s")
    print(f"ratio:              {ours_rate / pandas_rate:12.1f}x")
    print(f"landed on closing (pandas says next opening, same service time): {on_closing}")
    for start, impact, due, other_due in wrong[:10]:
        print(
            f"DISAGREE impact {impact} from {start.isoformat()}: ours {due.isoformat()}, "
            f"pandas {other_due.isoformat()}"
        )
    if wrong:
        print(f"{len(wrong)} disagreement(s)")
    ratio = f"{ours_rate / pandas_rate:.1f}x"
    results.record(
        args.results, bench="calendar", command="python bench/calendar_bench.py",
        title=f"FTC deadlines: ServiceCalendar.add_service_time against pandas' CustomBusinessHour, {len(work):,} "
        "cases (GB-ENG, Europe/London, impacts 1 and 2)",
        tables=[(["", "deadlines/s"], [["add_service_time", f"{ours_rate:,.0f}"],
                                       ["CustomBusinessHour (pandas)", f"{pandas_rate:,.0f}"], ["ratio", ratio]])],
        targets=[results.target("Same deadlines as pandas", f"{len(wrong)} disagreements; {on_closing} land on "
                                "17:00, which pandas calls the next opening (FC-DEC-7)", "none", not wrong),
                 results.target("Throughput, add_service_time / CustomBusinessHour", ratio, "reported", None)])
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
