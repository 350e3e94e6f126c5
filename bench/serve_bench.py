"""Ack latency of `flexcare serve` (gunicorn, PostgreSQL) under a closed loop of signed `/flexcare points`, against a
bare Bolt app served the same way in the same run; then the memory of both modes (issue 11).

FlexCare runs as in production: `flexcare serve --workers 2` (gthread, 8 threads each) on a fresh PostgreSQL database
(migrated and given examples/contracts.yml by the server itself at start), with the Slack stand-in, in a process of
its own (bench/slack_process.py), as SLACK_API_URL, so each lazy points reply really posts to its response_url. The
reference is bench/bare_app.py under the same gunicorn settings. N clients (bench/load.py) each send, wait for the
ack and send again; a request counts from the first byte sent to the last byte of the ack. The same apps are then
sent a steady 20 requests a second (paced, below what either can take), where the ack path is measured rather than
the queue. The server processes' CPU time per request and how busy the machine was say why the two differ.
Memory: the resident size of the gunicorn master and workers after the load, and of `flexcare run` (Socket Mode,
SQLite, scheduler on) connected to the stand-in's Socket Mode endpoint and idle.
Run: `python bench/serve_bench.py [--clients N] [--seconds S] [--rate R] [--quick] [--results FILE]`.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from load import SIGNING_SECRET, Load, send_load
from results import percentiles, record, target
from servers import (
    BIN,
    ROOT,
    Server,
    Slack,
    cpu_seconds,
    free_port,
    idle_run,
    machine_ticks,
    memory,
    server,
    slack_process,
)
from sweep_bench import database

SLACK_LIMIT = 3.0  # seconds Slack waits for an ack
P99_TARGET, MEMORY_TARGET = 1.5, 150.0  # our p99 within 1.5x of the bare app's (issue 11); MiB per process


@dataclass
class Phase:
    name: str
    load: Load
    cpu: float  # server CPU seconds (master and workers) during the load
    busy: float  # share of the machine's CPU in use during the load (and FlexCare's replies after it)
    figures: dict[str, float]
    replies: list[float] = field(default_factory=list)  # seconds from sending to the reply, FlexCare only
    drained: float = 0.0  # when the last reply came after the load ended


def measure(name: str, running: Server, slack: Slack, args: argparse.Namespace, *, rate: float | None) -> Phase:
    """One load; for FlexCare, its replies awaited too, so the server CPU counted includes every lazy reply."""
    clients = args.clients if rate is None else max(1, min(args.clients, int(rate)))  # paced: a turn a second each
    pids = running.pids()
    cpu, (busy, ticks) = cpu_seconds(pids), machine_ticks()
    load = send_load(running.port, clients=clients, seconds=args.seconds, respond=slack.respond,
                     label=f"{name[:4]}{'p' if rate else 'c'}", processes=args.processes, rate=rate)
    phase = Phase(name, load, 0.0, 0.0, {key: value * 1000 for key, value in percentiles(load.latencies).items()})
    if name == "FlexCare":
        wait_for_replies(slack, phase, timeout=60 + args.seconds * 4)
    phase.cpu = cpu_seconds(pids) - cpu
    busy_now, ticks_now = machine_ticks()
    phase.busy = (busy_now - busy) / max(ticks_now - ticks, 1)
    phase.figures.update(rps=len(load.latencies) / load.elapsed, count=len(load.latencies),
                         over=sum(1 for x in load.latencies if x >= SLACK_LIMIT), errors=sum(load.errors.values()),
                         cpu_ms=phase.cpu * 1000 / max(len(load.latencies), 1))
    return phase


def wait_for_replies(slack: Slack, phase: Phase, timeout: float) -> None:
    """Wait for each acked request's reply; note how long each took and when the last came after the load."""
    deadline = time.monotonic() + timeout
    while True:
        slack.refresh()
        if all(name in slack.replies for name in phase.load.sent) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    came = {name: slack.replies[name] for name in phase.load.sent if name in slack.replies}
    phase.replies = [at - phase.load.sent[name] for name, at in came.items()]
    phase.drained = max(max(came.values(), default=phase.load.ended) - phase.load.ended, 0.0)


def load_both(running: Server, slack: Slack, args: argparse.Namespace, name: str) -> tuple[Phase, Phase]:
    """A warm-up, the closed loop, then the paced load."""
    send_load(running.port, clients=args.clients, seconds=args.warmup, respond=slack.respond, label="warm",
              processes=args.processes)  # both workers loaded, connections pooled, caches filled
    return measure(name, running, slack, args, rate=None), measure(name, running, slack, args, rate=args.rate)


def mib(pairs: list[tuple[float, float]]) -> str:
    return ", ".join(f"{now:.0f}" for now, _peak in pairs) + f" MiB (peak {max(p for _n, p in pairs):.0f})"


def latency_rows(label: str, bare: Phase, ours: Phase) -> tuple[list[list[str]], dict[str, float]]:
    b, o = bare.figures, ours.figures
    ratio = {k: o[k] / max(b[k], 1e-9) for k in ("p50", "p95", "p99", "max", "rps", "cpu_ms")}
    rows = [[f"{phase.name}, {label}", *(f"{phase.figures[k]:.1f}" for k in ("p50", "p95", "p99", "max")),
             f"{phase.figures['rps']:.0f}", f"{phase.figures['count']:.0f}", f"{phase.figures['over']:.0f}",
             f"{phase.figures['errors']:.0f}", f"{phase.figures['cpu_ms']:.2f}", f"{phase.busy:.0%}"]
            for phase in (bare, ours)]
    rows.append([f"FlexCare / bare, {label}", *(f"{ratio[k]:.2f}x" for k in ("p50", "p95", "p99", "max", "rps")),
                 "", "", "", f"{ratio['cpu_ms']:.2f}x", ""])
    return rows, ratio


def reply_row(label: str, phase: Phase) -> list[str]:
    times = {key: value * 1000 for key, value in percentiles(phase.replies).items()}
    return [label, f"{len(phase.replies)} of {len(phase.load.sent)}", f"{times['p50']:.0f}", f"{times['p99']:.0f}",
            f"{phase.drained:.1f}"]


def report(args: argparse.Namespace, bare: tuple[Phase, Phase], ours: tuple[Phase, Phase], *,
           memory: dict[str, list[tuple[float, float]]], logged_errors: int) -> bool:
    """Print the figures, append them for bench/report.py; True when every ack and reply came in time."""
    closed, paced = f"{args.clients} clients, closed loop", f"paced {args.rate:g}/s"
    columns = ["", "p50 ms", "p95 ms", "p99 ms", "max ms", "acks/s", "acks", "≥ 3 s", "errors", "server CPU ms/ack",
               "machine busy"]
    closed_rows, ratio = latency_rows(closed, bare[0], ours[0])
    paced_rows, paced_ratio = latency_rows(paced, bare[1], ours[1])
    reply_columns = ["FlexCare's points replies", "posted", "p50 ms after sending", "p99 ms", "last, s after the load"]
    reply_rows = [reply_row(closed, ours[0]), reply_row(paced, ours[1])]
    serve, run = max(now for now, _peak in memory["serve"]), memory["run"][0][0]
    memory_rows = [["flexcare serve after the loads (master, workers)", mib(memory["serve"])],
                   ["bare Bolt under gunicorn after the loads (master, workers)", mib(memory["bare"])],
                   [f"flexcare run, idle {args.idle:g} s over Socket Mode (SQLite, scheduler on)", mib(memory["run"])]]
    heading = (f"/flexcare points against `flexcare serve` (PostgreSQL) and a bare Bolt app, gunicorn {args.workers} "
               f"workers x {args.threads} threads (gthread), {args.seconds:g} s per load")
    print(heading)
    for table_columns, rows in ((columns, closed_rows + paced_rows), (reply_columns, reply_rows),
                                (["process", "resident size"], memory_rows)):
        width = max(len(row[0]) for row in [table_columns, *rows])
        for row in [table_columns, *rows]:
            print(f"{row[0]:<{width}}  " + "  ".join(f"{cell:>9}" for cell in row[1:]))
    for phase in (*bare, *ours):
        if phase.load.errors:
            print(f"{phase.name} errors: {dict(phase.load.errors)}")
    o = ours[0].figures
    acked = all(p.figures["max"] < SLACK_LIMIT * 1000 and not p.figures["errors"] for p in (*bare, *ours))
    replied = all(len(p.replies) == len(p.load.sent) for p in ours) and not logged_errors
    targets = [
        target(f"Ack p99, FlexCare / bare Bolt ({closed})", f"{ratio['p99']:.2f}x ({o['p99']:.0f} / "
               f"{bare[0].figures['p99']:.0f} ms)", f"≤ {P99_TARGET}x", ratio["p99"] <= P99_TARGET),
        target(f"Ack p99, FlexCare / bare Bolt ({paced}, for comparison)",
               f"{paced_ratio['p99']:.2f}x ({ours[1].figures['p99']:.0f} / {bare[1].figures['p99']:.0f} ms)",
               f"≤ {P99_TARGET}x", paced_ratio["p99"] <= P99_TARGET),
        target("Every ack well inside Slack's 3 s", f"max {max(p.figures['max'] for p in ours):.0f} ms; "
               f"{sum(p.figures['over'] for p in ours):.0f} ≥ 3 s; {sum(p.figures['errors'] for p in ours):.0f} "
               "failed", "all < 3000 ms", acked),
        target("Every lazy points reply posted", " and ".join(f"{len(p.replies)} of {len(p.load.sent)}" for p in ours)
               + (f"; {logged_errors} errors logged" if logged_errors else ""), "all", replied),
        target("Resident size, flexcare serve after the loads", f"{serve:.0f} MiB, the largest process",
               f"< {MEMORY_TARGET:.0f} MiB per process", serve < MEMORY_TARGET),
        target("Resident size, flexcare run idle", f"{run:.0f} MiB", f"< {MEMORY_TARGET:.0f} MiB", run < MEMORY_TARGET),
    ]
    notes = [f"Server CPU per ack in the closed loop: bare Bolt {bare[0].figures['cpu_ms']:.2f} ms, FlexCare "
             f"{o['cpu_ms']:.2f} ms (its ack and its lazy reply: the points read and the response_url post, counted "
             f"until the last reply); the machine was {bare[0].busy:.0%} and {ours[0].busy:.0%} busy (the load "
             "generator, the stand-in and PostgreSQL share it)."]
    record(args.results, bench="serve", title=heading, command="python bench/serve_bench.py",
           tables=[(columns, closed_rows + paced_rows), (reply_columns, reply_rows),
                   (["process", "resident size"], memory_rows)], targets=targets, notes=notes)
    return acked and replied


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent senders in the closed loop")
    parser.add_argument("--seconds", type=float, default=30, help="how long each load lasts")
    parser.add_argument("--rate", type=float, default=20, help="requests a second in the paced load")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="per worker; flexcare serve's default")
    parser.add_argument("--processes", type=int, default=2, help="processes the clients are spread over")
    parser.add_argument("--idle", type=float, default=30, help="seconds `flexcare run` sits idle before measuring")
    parser.add_argument("--quick", action="store_true", help="10 clients, 3 s loads: only proves the bench works")
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.warmup, args.idle = 10, 3, 1, 3
    gunicorn = ["--workers", str(args.workers), "--threads", str(args.threads)]
    with tempfile.TemporaryDirectory() as scratch, slack_process() as slack:
        folder = Path(scratch)
        env = {**os.environ, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": "xoxb-bench",
               "SLACK_API_URL": slack.api, "FLEXCARE_CONTRACTS": str(ROOT / "examples" / "contracts.yml")}
        port = free_port()
        bare_command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *gunicorn, "--worker-class", "gthread",
                        "--timeout", "30", "--pythonpath", str(ROOT / "bench"), "bare_app:application"]
        with server(bare_command, env, port, workers=args.workers, log=folder / "bare.log") as running:
            bare = load_both(running, slack, args, "bare Bolt")
            bare_memory = [memory(pid) for pid in running.pids()]
        with database("postgresql") as engine:
            env_db = {**env, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
            port = free_port()
            ours_command = [str(BIN / "flexcare"), "serve", "--host", "127.0.0.1", "--port", str(port), *gunicorn]
            with server(ours_command, env_db, port, workers=args.workers, log=folder / "serve.log") as running:
                ours = load_both(running, slack, args, "FlexCare")
                ours_memory = [memory(pid) for pid in running.pids()]
            logged_errors = sum(" ERROR " in line for line in (folder / "serve.log").read_text().splitlines())
        idle = idle_run(slack, env, args.idle, folder)
    if "Available" not in json.dumps(slack.sample):
        print(f"the last reply is not a points summary: {json.dumps(slack.sample)[:500]}")
        logged_errors += 1
    met = report(args, bare, ours, memory={"serve": ours_memory, "bare": bare_memory, "run": [idle]},
                 logged_errors=logged_errors)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
