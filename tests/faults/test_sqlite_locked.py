"""A SQLite database locked by another writer (issue 11, faults): a request waits for the lock (the busy
timeout, from DATABASE_URL's `?timeout=`) and goes through when the lock is let go in time; held longer, the
person gets one sentence, nothing is half-written, and the same request succeeds once the lock is gone.
SQLite only: PostgreSQL's writers wait on row locks, never on the whole database."""

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import SQLITE_BUSY_TIMEOUT_MS
from bot.runtime import open_database
from bot.settings import load_settings
from bot.standin.webapi import SlackStandin
from domain.contracts.records import ContractChannel
from domain.notifications.records import Notification
from tests.e2e.harness import SIGNING_SECRET, FakeClock, Harness, running_bot

BUSY_TIMEOUT = 1.0  # seconds a writer waits for another one's lock (5 s unless DATABASE_URL says so)
BUSY = "The FlexCare database is busy or restarting; please try again in a few seconds."


@pytest.fixture
def database(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "flexcare.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return path


@pytest.fixture
def harness(database: Path) -> Iterator[Harness]:
    with SlackStandin() as slack:
        settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                  "SLACK_API_URL": slack.base_url,
                                  "DATABASE_URL": f"sqlite:///{database}?timeout={BUSY_TIMEOUT}"})
        db = open_database(settings)
        with running_bot(db, slack, FakeClock(), settings) as running:
            yield running
        db.kw["bind"].dispose()


class AnotherWriter:
    """Another program's connection holding SQLite's write lock, mid-write (as `sqlite3 flexcare.db` would)."""

    def __init__(self, database: Path) -> None:
        # It waits its turn too: the bot's dispatcher may be mid-pass.
        self.connection = sqlite3.connect(database, isolation_level=None, timeout=5, check_same_thread=False)
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("UPDATE contract SET id = id")  # a write under way, never committed
        self.released_at: float | None = None

    def release(self) -> None:
        if self.released_at is None:
            self.connection.execute("ROLLBACK")
            self.connection.close()
            self.released_at = time.time()


@contextmanager
def another_writer(database: Path) -> Iterator[AnotherWriter]:
    writer = AnotherWriter(database)
    try:
        yield writer
    finally:
        writer.release()


def linked_channels(harness: Harness, channel: str) -> list[ContractChannel]:
    with harness.db() as session:
        return list(session.scalars(select(ContractChannel).where(ContractChannel.channel_id == channel)))


def outbox_size(harness: Harness) -> int:
    with harness.db() as session:
        return len(session.scalars(select(Notification.id)).all())


def test_a_request_waits_for_another_writers_lock_and_goes_through_when_it_is_let_go(
        harness: Harness, database: Path) -> None:
    with another_writer(database) as writer:
        threading.Timer(BUSY_TIMEOUT / 2, writer.release).start()
        reply = harness.reply("link ACME-FC-01 alerts", user="U0ADMIN1", channel="C0NEWCHAN")
    assert reply["text"] == "Linked this channel to ACME-FC-01 for alerts."
    [answered] = harness.slack.calls_to("respond")
    assert writer.released_at is not None and answered.at > writer.released_at  # it waited, then went through
    assert [link.purpose for link in linked_channels(harness, "C0NEWCHAN")] == ["alerts"]


def test_a_lock_held_past_the_busy_timeout_is_one_sentence_and_nothing_half_written(
        harness: Harness, database: Path) -> None:
    notifications = outbox_size(harness)
    with another_writer(database):
        sent = time.monotonic()
        name = harness.command("link ACME-FC-01 alerts", user="U0ADMIN1", channel="C0NEWCHAN")
        [reply] = harness.slack.wait_for(lambda: harness.slack.responses(name), timeout=10)
        waited = time.monotonic() - sent
        assert harness.get("/healthz").status == 503  # the health check says so too, after the same wait
    assert reply == {"text": BUSY, "response_type": "ephemeral", "replace_original": False}
    assert BUSY_TIMEOUT <= waited < SQLITE_BUSY_TIMEOUT_MS / 1000  # DATABASE_URL's timeout, not the default
    assert linked_channels(harness, "C0NEWCHAN") == [] and outbox_size(harness) == notifications

    # Nothing to restart: the lock gone, the same request goes through, and the bot is healthy.
    again = harness.reply("link ACME-FC-01 alerts", user="U0ADMIN1", channel="C0NEWCHAN")
    assert again["text"] == "Linked this channel to ACME-FC-01 for alerts."
    assert harness.get("/healthz").status == 200


def test_an_event_that_cannot_be_recorded_is_left_for_slack_to_deliver_again(harness: Harness, database: Path) -> None:
    """bot/app.py: the event-id check could not write, so no ack: Slack retries it instead of it being lost."""
    opened = {"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"}
    with another_writer(database):
        refused = harness.event(opened, event_id="Ev0LOCKED1")
    assert refused.status == 503 and harness.slack.home("U0ADMIN1") is None
    assert harness.event(opened, event_id="Ev0LOCKED1").status == 200  # Slack's retry, once the lock is gone
    assert harness.slack.wait_for(lambda: harness.slack.home("U0ADMIN1"))
