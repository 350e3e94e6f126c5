"""`flexcare` processes for the topology test, each in its own process group so that killing one replica kills
its gunicorn master and workers together, as a container's death would."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy.engine import URL

from bot.standin.webapi import SlackStandin

FLEXCARE = Path(sys.executable).with_name("flexcare")
SIGNING_SECRET = "topology-signing-secret"


def flexcare_env(database: URL, slack: SlackStandin) -> dict[str, str]:
    """What deploy/.env gives every service, pointed at the test database and the Slack stand-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FLEXCARE_", "DATABASE_"))}
    return env | {"DATABASE_URL": database.render_as_string(hide_password=False), "SLACK_BOT_TOKEN": "xoxb-test",
                  "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.base_url,
                  "FLEXCARE_LOG_LEVEL": "WARNING"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Fleet:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def run_once(self, *args: str) -> str:
        """A one-shot command (the compose file's `migrate` service); its output, or a failed test."""
        done = subprocess.run([str(FLEXCARE), *args], cwd=self.workdir, env=self.env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, f"flexcare {' '.join(args)} exited {done.returncode}: {done.stderr}"
        return done.stdout

    def start(self, name: str, *args: str) -> None:
        with (self.workdir / f"{name}.log").open("wb") as log:  # the child keeps its own copy of the descriptor
            self.processes[name] = subprocess.Popen([str(FLEXCARE), *args], cwd=self.workdir, env=self.env,
                                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def pids(self, name: str) -> set[int]:
        """Every live process in `name`'s group: for a replica, the gunicorn master and its workers."""
        group = self.processes[name].pid
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == group:
                        found.add(int(entry.name))
                except ProcessLookupError:  # ended while we looked
                    continue
        return found

    def kill(self, name: str) -> int:
        """SIGKILL the whole group, as when a container dies; returns the master's exit status."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(10)

    def stop(self, *names: str, timeout: float = 15.0) -> list[int | None]:
        """SIGTERM to each at once, as `docker compose stop` sends it; SIGKILL a group that outstays `timeout`.
        Returns each master's exit status (None: it had to be killed)."""
        running = [self.processes[name] for name in names if self.processes[name].poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        statuses: list[int | None] = []
        for name in names:
            process = self.processes[name]
            try:
                statuses.append(process.wait(timeout))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
                statuses.append(None)
        return statuses

    def stop_all(self) -> None:
        self.stop(*self.processes)
        for name in self.processes:
            try:
                os.killpg(self.processes[name].pid, signal.SIGKILL)  # workers a stopped master left behind
            except ProcessLookupError:
                continue


def wait_healthy(fleet: Fleet, name: str, port: int, timeout: float = 30.0) -> None:
    """Poll GET /healthz as the container's HEALTHCHECK does, until 200."""
    deadline = time.monotonic() + timeout
    while True:
        assert fleet.processes[name].poll() is None, f"{name} exited early:\n{fleet.log(name)}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} never became healthy:\n{fleet.log(name)}") from None
        time.sleep(0.1)
