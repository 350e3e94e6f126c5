"""Run every benchmark and write docs/PERFORMANCE.md: the figures of this one run, the machine and the date (issue 11).

Each bench runs in its own process, its output shown as it comes, and appends its figures, formatted, to a results
file (bench/results.py); this script adds the machine and writes the report. `--quick` runs the short versions and
prints the report without writing it: CI proves that the benches and the report still work, while the file keeps
the figures of a full run. The "Notes" section at the end is written by hand and kept when the file is rewritten.
Run: `python bench/report.py [--quick] [--output FILE]` (scripts/bench does).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

import report_format

ROOT = Path(__file__).resolve().parents[1]
# (the bench and its arguments, what --quick adds), in the order they run and appear.
BENCHES: list[tuple[list[str], list[str]]] = [
    (["calendar_bench.py"], ["--cases", "2000"]),
    (["ack_bench.py"], ["--quick"]),
    (["serve_bench.py"], ["--quick"]),
    (["points_bench.py"], ["--quick"]),
    (["sweep_bench.py", "--backend", "sqlite"], ["--quick"]),
    (["sweep_bench.py", "--backend", "postgresql"], ["--quick"]),
    (["report_bench.py"], ["--quick"]),
]


def machine() -> list[tuple[str, str]]:
    """What the figures were measured on, as (what, value) rows."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else "MemTotal: 0 kB"
    total_kib = int(next(line for line in meminfo.splitlines() if line.startswith("MemTotal")).split()[1])
    libraries = ", ".join(f"{name} {_version(name)}" for name in ("slack_bolt", "slack_sdk", "gunicorn", "SQLAlchemy",
                                                                   "psycopg"))
    return [("CPU", f"{model}, {os.cpu_count()} logical cores"), ("Memory", f"{total_kib / 1024 ** 2:.1f} GiB"),
            ("System", platform.platform()), ("Python", f"{platform.python_implementation()} "
                                                         f"{platform.python_version()}"),
            ("PostgreSQL", _postgres_version()), ("Libraries", libraries), ("Code", _commit())]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _postgres_version() -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sweep_bench import POSTGRES_URL

    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version()")).scalar_one()).split(" on ")[0]
    except SQLAlchemyError as exc:
        return f"unreachable at {engine.url.render_as_string()} ({type(exc).__name__})"
    finally:
        engine.dispose()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def run_all(quick: bool, results: Path) -> list[dict[str, Any]]:
    """Each bench in turn; what each run took and how it ended."""
    runs = []
    for command, quick_args in BENCHES:
        line = [sys.executable, str(ROOT / "bench" / command[0]), *command[1:], *(quick_args if quick else []),
                "--results", str(results)]
        print(f"\n$ python bench/{' '.join([*command, *(quick_args if quick else [])])}", flush=True)
        started = time.monotonic()
        code = subprocess.run(line, cwd=ROOT, check=False).returncode
        runs.append({"command": " ".join(command), "seconds": time.monotonic() - started, "code": code})
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs; print the report, do not write it")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args()
    began, load_before = datetime.now(UTC), os.getloadavg()
    described = machine()
    with tempfile.TemporaryDirectory() as scratch:
        results = Path(scratch) / "results.jsonl"
        results.touch()
        runs = run_all(args.quick, results)
        records = report_format.read(results)
    minutes = (datetime.now(UTC) - began).total_seconds() / 60
    described += [("Date", f"{began:%Y-%m-%d %H:%M} UTC; the run took {minutes:.1f} minutes"),
                  ("Load average", f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
                                   "(1 minute; other work on the machine makes the figures noisier)")]
    notes = report_format.kept_notes(args.output)
    text = report_format.render(described, records, runs, notes, quick=args.quick)
    if args.quick:
        print("\n" + text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    failed = [run["command"] for run in runs if run["code"]]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
