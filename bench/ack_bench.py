"""Time from a signed `/flexcare help` request to Slack's ack, 20 concurrent senders, against a bare Bolt app.

Both apps are served the same way (the same WSGI server on loopback) in the same run, so the
ratio says what FlexCare's own work costs before the ack; the absolute numbers depend on this
noisy shared machine. Run: `python bench/ack_bench.py [--requests N] [--senders K] [--quick] [--results FILE]`.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.e2e

from wsgiref.simple_server import make_server

import results
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.standin import payloads
from bot.standin.webapi import SlackStandin
from tests.e2e.harness import SIGNING_SECRET, FakeClock, _QuietHandler, _ThreadingServer, running_bot


def bare_app(slack: SlackStandin) -> Callable[..., Any]:
    """The reference: verifies the signature and acks, nothing else."""
    app = App(signing_secret=SIGNING_SECRET, token_verification_enabled=False,
              client=WebClient(token="xoxb-bench", base_url=slack.base_url))
    app.command("/flexcare")(lambda ack: ack())
    return SlackRequestHandler(app)


def load(url: str, slack: SlackStandin, *, senders: int, requests: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def sender(index: int) -> None:
        mine = []
        for n in range(requests):
            body = payloads.slash_command("help", user_id="U0MEMB01", channel_id="C0INCID1",
                                          response_url=slack.response_url(f"b{index}-{n}"))
            headers = payloads.signed_headers(body, SIGNING_SECRET,
                                              content_type="application/x-www-form-urlencoded")
            request = urllib.request.Request(url + "/slack/events", data=body.encode(), headers=headers)
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                assert response.status == 200
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def serve(app: Callable[..., Any]) -> tuple[str, Callable[[], None]]:
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
    return f"http://127.0.0.1:{server.server_port}", stop


def summary(name: str, latencies: list[float], elapsed: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    figures = {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000,
               "max": max(latencies) * 1000, "rps": len(latencies) / elapsed}
    print(f"{name:<10} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
          f"max {figures['max']:7.1f} ms  {figures['rps']:7.0f} req/s  ({len(latencies)} requests)")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="per sender")
    parser.add_argument("--quick", action="store_true", help="a short run that only proves the bench works")
    parser.add_argument("--results", help="append the figures as a JSON line to this file (bench/report.py)")
    args = parser.parse_args()
    requests = 5 if args.quick else args.requests
    with tempfile.TemporaryDirectory() as folder, SlackStandin() as slack:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        url, stop = serve(bare_app(slack))
        load(url, slack, senders=args.senders, requests=2)  # warm up
        bare = summary("bare Bolt", *load(url, slack, senders=args.senders, requests=requests))
        stop()
        with running_bot(make_session_factory(engine), slack, FakeClock()) as harness:
            load(harness.url, slack, senders=args.senders, requests=2)
            ours = summary("FlexCare", *load(harness.url, slack, senders=args.senders, requests=requests))
    print(f"ratio      p50 {ours['p50'] / bare['p50']:.2f}x  p99 {ours['p99'] / bare['p99']:.2f}x  "
          f"(FlexCare / bare Bolt, {args.senders} concurrent senders; Slack's limit is 3000 ms)")
    keys = ("p50", "p95", "p99", "max")
    results.record(
        args.results, bench="ack", command="python bench/ack_bench.py",
        title=f"`/flexcare help` in one process (wsgiref on loopback, SQLite), {args.senders} senders x {requests} "
        "requests, against a bare Bolt app",
        tables=[(["", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"],
                 [[name, *(f"{f[k]:.1f}" for k in keys), f"{f['rps']:.0f}"] for name, f in (("bare Bolt", bare),
                                                                                            ("FlexCare", ours))]
                 + [["FlexCare / bare", *(f"{ours[k] / bare[k]:.2f}x" for k in keys), ""]])],
        targets=[results.target("Ack p99, FlexCare / bare Bolt (in one process)",
                                f"{ours['p99'] / bare['p99']:.2f}x", "reported", None),
                 results.target("Every ack inside Slack's 3 s (in one process)", f"max {ours['max']:.0f} ms",
                                "< 3000 ms", ours["max"] < 3000)])
    return 0 if ours["max"] < 3000 else 1


if __name__ == "__main__":
    sys.exit(main())
