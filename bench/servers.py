"""The processes bench/serve_bench.py runs and reads: the Slack stand-in, gunicorn servers, `flexcare run`.

Figures come from /proc: the server's CPU time (utime + stime of the master and its workers), how busy the whole
machine was, and each process's resident size now and at its peak (VmRSS, VmHWM).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class Slack:
    """bench/slack_process.py, started and read through its stdin/stdout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        urls = json.loads(self._line())
        self.api, self.respond = urls["api"], urls["respond"]
        self.replies: dict[str, float] = {}
        self.sockets = 0
        self.sample: dict[str, Any] = {}

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the Slack stand-in process stopped")
        return line

    def refresh(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        report = json.loads(self._line())
        self.replies.update(report["replies"])
        self.sockets, self.sample = report["sockets"], report["sample"] or self.sample


@contextmanager
def slack_process() -> Iterator[Slack]:
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "slack_process.py")], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        yield Slack(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def memory(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


@dataclass
class Server:
    pid: int
    port: int
    log: Path

    def pids(self) -> list[int]:
        return [self.pid, *children(self.pid)]


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, *, workers: int, log: Path) -> Iterator[Server]:
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start; its log:\n{log.read_text()[-3000:]}")
            if len(children(process.pid)) >= workers and answers(port):
                break
            time.sleep(0.2)
        yield Server(process.pid, port, log)
    finally:
        process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop, lazy work finishes
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:  # the bare app has no /healthz, but it answered
        return True
    except OSError:
        return False


def idle_run(slack: Slack, env: dict[str, str], settle: float, folder: Path) -> tuple[float, float]:
    """`flexcare run` connected over Socket Mode and left alone for `settle` seconds: its (resident, peak) MiB."""
    env = {**env, "DATABASE_URL": f"sqlite:///{folder}/run.sqlite3", "SLACK_APP_TOKEN": "xapp-1-bench"}
    slack.refresh()
    before = slack.sockets
    log = folder / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(BIN / "flexcare"), "run"], env=env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while slack.sockets <= before:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"flexcare run did not connect; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
            slack.refresh()
        time.sleep(settle)
        return memory(process.pid)
    finally:
        process.send_signal(signal.SIGINT)  # Socket Mode stops on Ctrl-C
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

