"""docs/PERFORMANCE.md from the benches' results (bench/results.py): Markdown, one run's figures.

Layout: how to regenerate, the machine, every target with its verdict, one section per bench (its command, tables
and notes), how long each bench ran, then the hand-written notes, which are carried over from the existing file.
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NOTES = "## Notes"
NOTES_HINT = ("<!-- Written by hand: why a target is missed and what would meet it. bench/report.py keeps this "
              "section when it rewrites the file; keep it true to the figures above. -->")
VERDICTS = {True: "met", False: "**not met**", None: "reported"}


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def kept_notes(path: Path) -> str:
    """The hand-written section of the existing report, or an empty one."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    at = text.find("\n" + NOTES + "\n")
    return text[at + 1:].rstrip() + "\n" if at >= 0 else f"{NOTES}\n\n{NOTES_HINT}\n"


def table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(columns), line(["---"] * len(columns)), *(line(row) for row in rows)])


def render(machine: Sequence[tuple[str, str]], records: Sequence[dict[str, Any]], runs: Sequence[dict[str, Any]],
           notes: str, *, quick: bool) -> str:
    parts = ["# Performance", "",
             "Every figure below comes from one run of `scripts/bench` (`python bench/report.py`), which runs the "
             "benchmarks in `bench/` one after another and writes this file; run it again on a quiet machine to "
             "replace them. Each ratio is against a reference measured in the same run, so it holds up better than "
             "the absolute times on a shared machine." + (" **A `--quick` run: short loads, not for comparison.**"
                                                          if quick else ""), "",
             "## Machine", "", table(["", ""], machine), "",
             "## Targets", "",
             table(["benchmark", "what", "figure", "target", "verdict"],
                   [[r["bench"], t["what"], t["figure"], t["goal"], VERDICTS[t["met"]]]
                    for r in records for t in r["targets"]]), ""]
    for r in records:
        parts += [f"## {r['bench']}: {r['title']}", "", f"`{r['command']}`", ""]
        for t in r["tables"]:
            parts += [table(t["columns"], t["rows"]), ""]
        parts += [f"- {note}" for note in r["notes"]] + ([""] if r["notes"] else [])
    parts += ["## Runs", "", table(["bench", "seconds", "exit"],
                                   [[run["command"], f"{run['seconds']:.0f}", str(run["code"])] for run in runs]), ""]
    missing = [run["command"] for run in runs if run["code"] and not any(
        run["command"].startswith(r["command"].removeprefix("python bench/")) for r in records)]
    if missing:
        parts += [f"These benches failed before reporting figures: {', '.join(missing)}.", ""]
    return "\n".join(parts) + "\n" + notes
