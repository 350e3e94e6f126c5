"""A throwaway PostgreSQL cluster of the test's own, for stopping and starting a server under the bot.

The shared server on 127.0.0.1:5432 is never touched (other test runs use it). This one lives in a temporary
directory, listens on a free loopback port with trust authentication, and is removed afterwards. initdb and
the server refuse to run as root, so under root they run as the `postgres` user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SEARCHED = "/usr/lib/postgresql/*/bin"  # Debian and Ubuntu packages (pg_ctlcluster's own binaries)


def bin_dir() -> Path:
    """The newest PostgreSQL's bin directory; fails the test (never skips) when there is none."""
    packaged = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    found = packaged[-1] if packaged else shutil.which("initdb")
    if found is None:
        pytest.fail(f"no PostgreSQL server binaries (initdb, pg_ctl) in {SEARCHED} or on PATH; "
                    "install them, e.g. apt-get install postgresql")
    return Path(found).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Cluster:
    bin: Path
    root: Path
    port: int
    owner: str | None  # the user the server runs as, when we are root

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str, ok: tuple[int, ...] = (0,)) -> int:
        done = subprocess.run([str(self.bin / program), *args], capture_output=True, text=True, timeout=60,
                              user=self.owner, group=self.owner, extra_groups=[] if self.owner else None)
        if done.returncode not in ok:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise AssertionError(f"{program} {' '.join(args)} failed ({done.returncode}): {done.stderr}\n{log}")
        return done.returncode

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                   "-c full_page_writes=off -c max_connections=40")
        self.run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.root / "data"), "-l",
                 str(self.root / "server.log"), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """fast: every session is ended at once, as a restart for maintenance does."""
        self.run("pg_ctl", "stop", "-w", "-t", "30", "-m", mode, "-D", str(self.root / "data"))

    def running(self) -> bool:
        return self.run("pg_ctl", "status", "-D", str(self.root / "data"), ok=(0, 3)) == 0  # 3: not running


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    owner = None
    if os.geteuid() == 0:
        owner = "postgres"
        try:
            account = pwd.getpwnam(owner)
        except KeyError:
            pytest.fail("running as root, the private PostgreSQL needs a `postgres` user to run as")
    root = Path(tempfile.mkdtemp(prefix="flexcare-pg-"))
    if owner:
        os.chown(root, account.pw_uid, account.pw_gid)
    cluster = Cluster(bin=bin_dir(), root=root, port=free_port(), owner=owner)
    try:
        cluster.run("initdb", "-D", str(root / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--locale=C", "--no-sync")
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():  # a test that failed mid-outage left it stopped
                cluster.stop("immediate")
    finally:
        shutil.rmtree(root)
