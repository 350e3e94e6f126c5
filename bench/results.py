"""Machine-readable results for bench/report.py: each bench, given `--results FILE`, appends one JSON line.

A line holds what the report prints for that bench: a title, the command, tables of figures (already formatted
by the bench, which knows its units), each target with the figure, the goal and whether it was met, and notes.
"""

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def target(what: str, figure: str, goal: str, met: bool | None) -> dict[str, Any]:
    """One line of the report's verdicts; `met` None: a figure reported against its reference, with no goal."""
    return {"what": what, "figure": figure, "goal": goal, "met": met}


Table = tuple[Sequence[str], Sequence[Sequence[str]]]  # column headings, rows of formatted cells


def record(path: str | None, *, bench: str, title: str, command: str, tables: Sequence[Table],
           targets: Sequence[dict[str, Any]], notes: Sequence[str] = ()) -> None:
    if path is None:
        return
    line = {"bench": bench, "title": title, "command": command,
            "tables": [{"columns": list(columns), "rows": [list(row) for row in rows]} for columns, rows in tables],
            "targets": list(targets), "notes": list(notes)}
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of `samples`, in the samples' unit."""
    if len(samples) < 2:
        only = samples[0] if samples else 0.0
        return {"p50": only, "p95": only, "p99": only, "max": only}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(samples)}
