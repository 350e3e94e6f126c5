"""The outbox dispatcher against the local Slack stand-in, on SQLite and PostgreSQL (STYLE §2.7: run twice,
a Slack failure, a second replica). A fake clock drives backoff and claims; the Web API calls are real HTTP."""

import itertools
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.standin.webapi import SlackStandin
from domain.notifications.records import DELIVERED, FAILED, PENDING, Notification
from domain.notifications.service import enqueue, enqueue_update, pending
from scheduler.dispatcher import BACKOFF_CAP, CLAIM_TTL, UNKNOWN_ERROR_ATTEMPTS, Dispatcher

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
POST = "chat.postMessage"


class FakeClock:
    def __init__(self) -> None:
        self.now = START
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.now += timedelta(**delta)


@dataclass
class Rig:
    db: sessionmaker[Session]
    slack: SlackStandin
    clock: FakeClock

    def client(self, **options: Any) -> WebClient:
        return WebClient(base_url=self.slack.base_url, token="xoxb-test", **options)

    def dispatcher(self, worker: str = "w1", *, interval: float = 0, client: WebClient | None = None,
                   **options: Any) -> Dispatcher:
        return Dispatcher(self.db, client or self.client(), clock=self.clock, worker=worker,
                          per_channel_interval=interval, **options)

    def add(self, key: str, channel: str = "C1", **options: Any) -> None:
        with self.db.begin() as session:
            enqueue(session, key=key, channel=channel, kind="text", params={"text": options.pop("text", key)},
                    now=START, **options)

    def update(self, target: str, text: str) -> None:
        with self.db.begin() as session:
            enqueue_update(session, target_key=target, kind="text", params={"text": text}, now=START)

    def rows(self) -> dict[str, Notification]:
        with self.db() as session:
            return {n.key: n for n in session.scalars(select(Notification).order_by(Notification.id))}

    def pending(self) -> int:
        with self.db() as session:
            return len(pending(session))

    def posted(self, channel: str | None = None) -> list[str]:
        """The keys posted, in order, read from the message metadata every outbox post carries."""
        return [call.args["metadata"]["event_payload"]["key"] for call in self.slack.calls_to(POST)
                if channel is None or call.args["channel"] == channel]

    def drain(self, dispatcher: Dispatcher, *, rounds: int = 40) -> None:
        """Run passes, moving the clock past every backoff, until nothing is pending."""
        for _ in range(rounds):
            dispatcher.deliver_pending()
            if not self.pending():
                return
            self.clock.advance(seconds=BACKOFF_CAP.total_seconds())
        raise AssertionError("notifications still pending after every backoff")


@pytest.fixture
def rig(db: sessionmaker[Session]) -> Iterator[Rig]:
    with SlackStandin() as slack:
        yield Rig(db, slack, FakeClock())


def test_a_notification_is_posted_once_with_its_key_and_its_ts_recorded(rig: Rig) -> None:
    rig.add("notice:1", text="Hello")
    assert rig.dispatcher().deliver_pending() == 1
    [call] = rig.slack.calls_to(POST)
    assert call.args["channel"] == "C1" and call.args["text"] == "Hello"
    assert call.args["metadata"] == {"event_type": "flexcare_notification", "event_payload": {"key": "notice:1"}}
    row = rig.rows()["notice:1"]
    assert (row.status, row.attempts, row.delivered_at, row.claimed_by) == (DELIVERED, 1, START, None)
    assert row.ts == rig.slack.messages("C1")[0]["ts"]


def test_running_the_dispatcher_twice_posts_once(rig: Rig) -> None:
    rig.add("notice:1")
    dispatcher = rig.dispatcher()
    assert dispatcher.deliver_pending() == 1
    assert dispatcher.deliver_pending() == 0
    assert rig.dispatcher(worker="w2").deliver_pending() == 0
    assert rig.posted() == ["notice:1"]


def test_two_replicas_racing_over_fifty_rows_post_each_exactly_once_in_channel_order(rig: Rig) -> None:
    keys = [f"n:{i:02d}" for i in range(50)]
    for i, key in enumerate(keys):
        rig.add(key, channel=f"C{i % 5}")
    rig.slack.delay(POST, 0.01)  # slow enough that the two replicas' passes overlap
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    delivered: dict[str, int] = {}

    def replica(worker: str) -> None:
        try:
            dispatcher = rig.dispatcher(worker, batch=7)
            start.wait(5)
            for _ in range(200):
                delivered[worker] = delivered.get(worker, 0) + dispatcher.deliver_pending()
                if not rig.pending():
                    return
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=replica, args=(f"replica-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(delivered.values()) == 50, delivered
    assert sorted(rig.posted()) == keys
    for c in range(5):
        assert rig.posted(f"C{c}") == [k for i, k in enumerate(keys) if i % 5 == c]
    assert {row.status for row in rig.rows().values()} == {DELIVERED}


def test_an_outage_delays_every_message_and_loses_or_repeats_none(rig: Rig) -> None:
    keys = [f"n:{i:02d}" for i in range(12)]
    for i, key in enumerate(keys):
        rig.add(key, channel=f"C{i % 3}")
    rig.slack.fail(POST, status=500, times=4)
    rig.slack.fail(POST, status=429, retry_after=1, times=3)
    dispatcher = rig.dispatcher()
    dispatcher.deliver_pending()
    assert len(rig.posted()) < len(keys)
    rig.drain(dispatcher)
    assert sorted(rig.posted()) == keys
    for c in range(3):
        assert rig.posted(f"C{c}") == [k for i, k in enumerate(keys) if i % 3 == c]
    assert max(row.attempts for row in rig.rows().values()) > 1


def test_a_slack_outage_is_waited_out(rig: Rig) -> None:
    rig.add("a")
    rig.add("b")
    rig.slack.outage(1.0)
    dispatcher = rig.dispatcher()
    assert dispatcher.deliver_pending() == 0
    row = rig.rows()["a"]
    assert (row.status, row.attempts, row.next_attempt_at) == (PENDING, 1, START + timedelta(seconds=5))

    def delivered_after_a_minute() -> bool:
        rig.clock.advance(minutes=1)
        dispatcher.deliver_pending()
        return not rig.pending()

    assert rig.slack.wait_for(delivered_after_a_minute, timeout=10)
    assert rig.posted() == ["a", "b"]


def test_an_unreachable_slack_is_a_failed_attempt_not_a_crash(rig: Rig) -> None:
    rig.add("a")
    nowhere = WebClient(base_url="http://127.0.0.1:9/api/", token="xoxb-test", timeout=2)  # discard port: refused
    assert rig.dispatcher(client=nowhere).deliver_pending() == 0
    row = rig.rows()["a"]
    assert (row.status, row.attempts, row.claimed_by) == (PENDING, 1, None)
    assert "unreachable" in (row.last_error or "")
    rig.clock.advance(seconds=5)
    assert rig.dispatcher().deliver_pending() == 1


def test_after_the_clients_own_retries_the_row_backs_off(rig: Rig) -> None:
    retrying = rig.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1),
                                          ServerErrorRetryHandler(max_retry_count=1)])
    rig.add("a")
    rig.slack.fail(POST, status=500, times=2)
    dispatcher = rig.dispatcher(client=retrying)
    assert dispatcher.deliver_pending() == 0
    assert len(rig.slack.attempts(POST)) == 2
    row = rig.rows()["a"]
    assert (row.status, row.attempts, row.next_attempt_at) == (PENDING, 1, START + timedelta(seconds=5))
    rig.clock.advance(seconds=4)
    assert dispatcher.deliver_pending() == 0
    rig.clock.advance(seconds=1)
    assert dispatcher.deliver_pending() == 1


def test_backoff_doubles_and_is_capped_and_an_outage_is_never_given_up(rig: Rig) -> None:
    rig.add("a")
    rig.slack.fail(POST, status=500, times=20)
    dispatcher = rig.dispatcher()
    waits = []
    for _ in range(10):
        dispatcher.deliver_pending()
        row = rig.rows()["a"]
        waits.append((row.next_attempt_at - rig.clock()).total_seconds())
        rig.clock.now = row.next_attempt_at
    assert waits[:4] == [5, 10, 20, 40]
    assert waits[-1] == BACKOFF_CAP.total_seconds()
    assert rig.rows()["a"].status == PENDING


def test_a_later_row_waits_while_an_earlier_one_of_its_channel_backs_off(rig: Rig) -> None:
    rig.add("a", channel="C1")
    rig.add("b", channel="C1")
    rig.slack.fail(POST, status=429, retry_after=30, times=1)
    dispatcher = rig.dispatcher()
    dispatcher.deliver_pending()
    rig.clock.advance(seconds=29)
    dispatcher.deliver_pending()
    assert rig.posted() == []
    assert rig.rows()["a"].next_attempt_at == START + timedelta(seconds=30)  # Retry-After beats the 5 s backoff
    rig.clock.advance(seconds=1)
    dispatcher.deliver_pending()
    assert rig.posted() == ["a", "b"]


def test_a_live_claim_is_left_alone_and_an_expired_one_is_claimed_again(rig: Rig) -> None:
    rig.add("a")
    rig.add("b")
    with rig.db.begin() as session:
        session.execute(update(Notification).where(Notification.key == "a")
                        .values(claimed_by="other", claimed_until=START + CLAIM_TTL))
    dispatcher = rig.dispatcher()
    assert dispatcher.deliver_pending() == 0  # and "b" waits behind "a"
    rig.clock.advance(seconds=CLAIM_TTL.total_seconds())  # the other worker died mid-post
    assert dispatcher.deliver_pending() == 2
    assert rig.posted() == ["a", "b"]


def test_a_reply_waits_for_its_parent_and_goes_under_the_threads_root(rig: Rig) -> None:
    rig.add("card", channel="C1")
    rig.add("reply", channel="C1", thread_of="card")
    rig.add("reply-to-reply", channel="C1", thread_of="reply")
    rig.add("under-escalated", channel="C2", thread_ts="1700000000.000100")
    rig.slack.fail(POST, status=500, times=1)
    dispatcher = rig.dispatcher()
    dispatcher.deliver_pending()
    assert "reply" not in rig.posted()
    rig.drain(dispatcher)
    calls = {call.args["metadata"]["event_payload"]["key"]: call.args for call in rig.slack.calls_to(POST)}
    card_ts = rig.rows()["card"].ts
    assert calls["card"].get("thread_ts") is None
    assert calls["reply"]["thread_ts"] == card_ts
    assert calls["reply-to-reply"]["thread_ts"] == card_ts
    assert calls["under-escalated"]["thread_ts"] == "1700000000.000100"


def test_updates_edit_the_target_with_chat_update_in_order(rig: Rig) -> None:
    rig.add("card", channel="C1", text="v1")
    rig.update("card", "v2")
    rig.update("card", "v3")
    assert rig.dispatcher().deliver_pending() == 3
    card = rig.rows()["card"]
    updates = [(u.args["channel"], u.args["ts"], u.args["text"]) for u in rig.slack.calls_to("chat.update")]
    assert updates == [("C1", card.ts, "v2"), ("C1", card.ts, "v3")]
    assert rig.rows()["card:update:2"].ts == card.ts
    assert len(rig.slack.calls_to(POST)) == 1


def test_a_permanent_error_fails_the_row_and_its_dependants_only(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.add("card", channel="C-GONE")
    rig.add("reply", channel="C-GONE", thread_of="card")
    rig.update("card", "v2")
    rig.add("elsewhere", channel="C2")
    rig.slack.fail(POST, error="channel_not_found", times=1)
    with caplog.at_level(logging.ERROR, logger="scheduler.dispatcher"):
        rig.dispatcher().deliver_pending()
    state = rig.rows()
    assert (state["card"].status, state["card"].attempts) == (FAILED, 1)
    assert "channel_not_found" in (state["card"].last_error or "")
    assert state["reply"].status == FAILED and "depends on card" in (state["reply"].last_error or "")
    assert state["card:update:1"].status == FAILED
    assert state["elsewhere"].status == DELIVERED
    assert "channel_not_found" in caplog.text
    assert rig.posted() == ["elsewhere"]


def test_an_unknown_kind_is_retried_a_few_times_then_failed(rig: Rig) -> None:
    with rig.db.begin() as session:
        enqueue(session, key="x", channel="C1", kind="no_such_kind", params={}, now=START)
    dispatcher = rig.dispatcher()
    for _ in range(UNKNOWN_ERROR_ATTEMPTS + 2):
        dispatcher.deliver_pending()
        rig.clock.advance(seconds=BACKOFF_CAP.total_seconds())
    row = rig.rows()["x"]
    assert (row.status, row.attempts) == (FAILED, UNKNOWN_ERROR_ATTEMPTS)
    assert "no renderer" in (row.last_error or "")
    assert rig.slack.calls_to(POST) == []


def test_a_channel_gets_at_most_one_call_per_interval(rig: Rig) -> None:
    for i in range(4):
        rig.add(f"one:{i}", channel="C1")
        rig.add(f"two:{i}", channel="C2")
    assert rig.dispatcher(interval=0.2).deliver_pending() == 8
    for channel in ("C1", "C2"):
        times = [call.at for call in rig.slack.calls_to(POST) if call.args["channel"] == channel]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) == 4 and min(gaps) >= 0.18, gaps


def test_the_background_thread_delivers_on_kick(rig: Rig) -> None:
    dispatcher = Dispatcher(rig.db, rig.client(), clock=lambda: datetime.now(UTC), worker="thread",
                            per_channel_interval=0, sweep_seconds=60)
    dispatcher.start()
    try:
        with rig.db.begin() as session:  # due now by the real clock this test runs on
            enqueue(session, key="kicked", channel="C1", kind="text", params={"text": "hi"}, now=datetime.now(UTC))
        dispatcher.kick()
        assert rig.slack.wait_for(lambda: rig.posted() == ["kicked"], timeout=5)
    finally:
        dispatcher.stop()
    assert rig.rows()["kicked"].status == DELIVERED
