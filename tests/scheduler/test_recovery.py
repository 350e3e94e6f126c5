"""Exactly once across a crash in flight (issue 7, item 5): a row that may have been posted already is looked up
in the channel's history (its thread, for a reply) by its metadata key before it is posted again. Real HTTP to the
stand-in, whose message ts follow the test's clock as Slack's follow Slack's."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.standin.webapi import SlackStandin
from domain.notifications.records import DELIVERED, PENDING, Notification
from domain.notifications.service import enqueue
from scheduler.dispatcher import CLAIM_TTL, Dispatcher
from scheduler.recovery import METADATA_EVENT
from tests.scheduler.test_dispatcher import FakeClock

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
POST, HISTORY, REPLIES = "chat.postMessage", "conversations.history", "conversations.replies"


class Rig:
    def __init__(self, db: sessionmaker[Session], slack: SlackStandin, clock: FakeClock) -> None:
        self.db, self.slack, self.clock = db, slack, clock

    def client(self, **options: object) -> WebClient:
        return WebClient(base_url=self.slack.base_url, token="xoxb-test", **options)  # type: ignore[arg-type]

    def dispatcher(self, worker: str = "w2", client: WebClient | None = None) -> Dispatcher:
        return Dispatcher(self.db, client or self.client(), clock=self.clock, worker=worker, per_channel_interval=0)

    def add(self, key: str, **options: object) -> None:
        with self.db.begin() as session:
            enqueue(session, key=key, channel="C1", kind="text", params={"text": key}, now=self.clock(),
                    **options)  # type: ignore[arg-type]

    def row(self, key: str) -> Notification:
        with self.db() as session:
            return session.scalars(select(Notification).where(Notification.key == key)).one()

    def crash_after_posting(self, key: str, *, thread_ts: str | None = None) -> str:
        """What a worker that died between Slack's answer and its commit leaves: the message, and a claim."""
        with self.db.begin() as session:
            session.execute(update(Notification).where(Notification.key == key).values(
                claimed_by="dead", claimed_until=self.clock() + CLAIM_TTL))
        answer = self.client().chat_postMessage(channel="C1", text=key, thread_ts=thread_ts,
                                                metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}})
        return str(answer["ts"])


@pytest.fixture
def rig(db: sessionmaker[Session]) -> Iterator[Rig]:
    clock = FakeClock()
    with SlackStandin(ts_clock=lambda: clock().timestamp()) as slack:
        yield Rig(db, slack, clock)


def test_a_message_posted_before_the_crash_is_found_and_recorded_not_posted_again(rig: Rig) -> None:
    rig.add("a")
    ts = rig.crash_after_posting("a")
    rig.clock.advance(seconds=CLAIM_TTL.total_seconds())
    assert rig.dispatcher().deliver_pending() == 1
    assert len(rig.slack.calls_to(POST)) == 1
    [lookup] = rig.slack.calls_to(HISTORY)
    assert lookup.args["channel"] == "C1" and float(lookup.args["oldest"]) <= START.timestamp()
    row = rig.row("a")
    assert (row.status, row.ts, row.claimed_by) == (DELIVERED, ts, None)


def test_a_crash_between_claiming_and_posting_posts_once_after_the_claim_expires(rig: Rig) -> None:
    rig.add("a")
    with rig.db.begin() as session:
        session.execute(update(Notification).values(claimed_by="dead", claimed_until=START + CLAIM_TTL))
    assert rig.dispatcher().deliver_pending() == 0  # the claim is still live
    rig.clock.advance(seconds=CLAIM_TTL.total_seconds())
    assert rig.dispatcher().deliver_pending() == 1
    assert [c.args["text"] for c in rig.slack.calls_to(POST)] == ["a"]
    assert len(rig.slack.calls_to(HISTORY)) == 1
    assert rig.dispatcher().deliver_pending() == 0


def test_a_reply_is_looked_for_in_its_thread(rig: Rig) -> None:
    rig.add("parent")
    assert rig.dispatcher().deliver_pending() == 1
    rig.add("reply", thread_of="parent")
    parent_ts = rig.row("parent").ts
    rig.crash_after_posting("reply", thread_ts=parent_ts)
    rig.clock.advance(seconds=CLAIM_TTL.total_seconds())
    assert rig.dispatcher().deliver_pending() == 1
    assert len(rig.slack.calls_to(POST)) == 2  # the parent, and the reply the dead worker posted
    [lookup] = rig.slack.calls_to(REPLIES)
    assert lookup.args["ts"] == parent_ts
    assert rig.row("reply").status == DELIVERED


def test_a_failed_lookup_posts_nothing_and_the_next_attempt_looks_again(rig: Rig) -> None:
    rig.add("a")
    rig.crash_after_posting("a")
    rig.clock.advance(seconds=CLAIM_TTL.total_seconds())
    rig.slack.fail(HISTORY, status=500, times=1)
    assert rig.dispatcher().deliver_pending() == 0
    row = rig.row("a")
    assert row.status == PENDING and row.claimed_by == "w2"  # a void claim: still "may have been posted"
    rig.clock.advance(minutes=1)
    assert rig.dispatcher(worker="w3").deliver_pending() == 1
    assert len(rig.slack.calls_to(POST)) == 1


def test_an_unanswered_post_is_looked_up_before_the_retry(rig: Rig) -> None:
    rig.add("a")
    rig.slack.delay(POST, 1.0)  # Slack posts it, but only after the client has given up waiting
    impatient = rig.client(timeout=0.3)
    assert rig.dispatcher(client=impatient).deliver_pending() == 0
    assert "unreachable" in (rig.row("a").last_error or "")
    rig.slack.wait_for(lambda: rig.slack.messages("C1"))
    rig.slack.delay(POST, 0)
    rig.clock.advance(seconds=5)
    assert rig.dispatcher().deliver_pending() == 1
    assert len(rig.slack.messages("C1")) == 1 and len(rig.slack.calls_to(POST)) == 1
    assert rig.row("a").ts == rig.slack.messages("C1")[0]["ts"]


def test_a_missing_history_scope_does_not_block_delivery(rig: Rig) -> None:
    rig.add("a")
    with rig.db.begin() as session:
        session.execute(update(Notification).values(claimed_by="dead", claimed_until=START))
    rig.slack.fail(HISTORY, error="missing_scope", times=1)
    assert rig.dispatcher().deliver_pending() == 1
    assert len(rig.slack.calls_to(POST)) == 1


def test_messages_are_minted_on_the_clock_and_history_starts_at_oldest(rig: Rig) -> None:
    rig.add("a")
    rig.dispatcher().deliver_pending()
    ts = rig.row("a").ts
    assert ts is not None and abs(float(ts) - START.timestamp()) < 1
    later = (START + timedelta(seconds=1)).timestamp()
    assert rig.client().conversations_history(channel="C1", oldest=str(later))["messages"] == []
