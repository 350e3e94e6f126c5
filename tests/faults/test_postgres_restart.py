"""PostgreSQL restarted while people use the bot (issue 11, faults): for the seconds the server is down
every request is still acknowledged and answered with one polite sentence, never an error page or a
generic failure; once it is back, requests succeed again, with no restart of the bot (the pool's
pre-ping replaces the connections the restart broke). A private cluster, never the shared server."""

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.standin.webapi import SlackStandin
from tests.e2e.harness import FakeClock, Harness, running_bot
from tests.faults.private_postgres import Cluster, private_cluster

pytestmark = pytest.mark.postgres

BUSY = "The FlexCare database is busy or restarting; please try again in a few seconds."
DOWN_FOR = 2.0  # seconds between the fast stop and the start
EVERY = 0.1  # seconds between requests from the load
IN_FLIGHT = 1.0  # seconds a request may take from being sent to reading the database


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with private_cluster() as running:
        yield running


@pytest.fixture
def harness(cluster: Cluster) -> Iterator[Harness]:
    engine = make_engine(cluster.url)
    upgrade(engine)
    with SlackStandin() as slack, running_bot(make_session_factory(engine), slack, FakeClock()) as running:
        yield running
    engine.dispose()


@dataclass(frozen=True)
class Sent:
    at: float
    name: str  # the response_url it is answered on


class Load:
    """People asking for their contract (a read) and linking a channel (a write), one request every EVERY s."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.sent: list[Sent] = []
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._sending = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="load", daemon=True)

    def __enter__(self) -> "Load":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(15)

    def _run(self) -> None:
        commands = ("contract", "link ACME-FC-01 alerts")
        n = 0
        while not self._stop.wait(EVERY):
            self._go.wait()
            with self._sending:
                at, n = time.time(), n + 1
                try:
                    name = self.harness.command(commands[n % 2], user="U0ADMIN1", channel="C0INCID1")
                except BaseException as exc:  # an HTTP error or a refused connection: the test asserts there are none
                    self.failures.append(exc)
                    continue
                self.sent.append(Sent(at, name))

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No request in flight or unanswered inside."""
        self._go.clear()
        with self._sending:
            self.wait_for_answers(len(self.sent))
        try:
            yield
        finally:
            self._go.set()

    def answers(self) -> list[tuple[Sent, str]]:
        """(request, the one reply it got), waiting for the stragglers."""
        slack = self.harness.slack
        replies = {s.name: slack.wait_for(functools.partial(slack.responses, s.name), timeout=15) for s in self.sent}
        assert all(len(r) == 1 for r in replies.values()), replies
        return [(s, str(replies[s.name][0]["text"])) for s in self.sent]

    def wait_for_answers(self, count: int, *, sent_after: float = 0.0) -> None:
        """Until `count` requests sent after `sent_after` (time.time()) have their reply."""
        slack = self.harness.slack

        def answered() -> bool:
            return len([s for s in list(self.sent) if s.at > sent_after and slack.responses(s.name)]) >= count

        slack.wait_for(answered, timeout=15)


def test_a_postgresql_restart_under_load_is_polite_while_down_and_needs_no_bot_restart(
        cluster: Cluster, harness: Harness) -> None:
    with Load(harness) as load:
        load.wait_for_answers(3)
        stopped = time.time()
        cluster.stop("fast")
        assert harness.slack.wait_for(lambda: harness.get("/healthz").status == 503, timeout=10)
        time.sleep(DOWN_FOR)
        cluster.start()
        back = time.time()
        load.wait_for_answers(10, sent_after=back)
        with load.paused():  # a restart between two requests: only the pool's pre-ping can tell
            cluster.stop("fast")
            cluster.start()
        unnoticed = time.time()
        load.wait_for_answers(5, sent_after=unnoticed)
    answers = load.answers()

    assert load.failures == []  # every request was acknowledged with a 200
    assert harness.get("/healthz").status == 200
    normal = [(s, text) for s, text in answers if "ACME-FC-01" in text]
    polite = [(s, text) for s, text in answers if text == BUSY]
    assert len(normal) + len(polite) == len(answers), [t for _, t in answers if t != BUSY and "ACME" not in t]
    after = [(s, text) for s, text in answers if s.at > back]
    assert [text for _, text in after if "ACME-FC-01" not in text] == []
    assert len(after) >= 15 and len([s for s, _ in after if s.at > unnoticed]) >= 5
    # Polite only while it was down (a request sent just before the stop may meet it).
    assert polite and all(stopped - IN_FLIGHT <= s.at <= back for s, _ in polite)
