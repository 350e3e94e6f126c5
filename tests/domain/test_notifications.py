"""The outbox on a real database (SQLite and PostgreSQL): enqueue is idempotent on the key, also when two
transactions race, and a notification lives and dies with the transaction that wrote it."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.notifications.records import PENDING, Notification
from domain.notifications.service import by_key, enqueue, enqueue_update, pending

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def rows(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Notification)) or 0


def test_enqueue_writes_a_pending_row_due_now(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "hello"}, now=NOW)
    with db() as session:
        row = by_key(session, "notice:1")
        assert row is not None
        assert (row.status, row.attempts, row.next_attempt_at, row.params) == (PENDING, 0, NOW, {"text": "hello"})
        assert [n.key for n in pending(session)] == ["notice:1"]


def test_a_second_enqueue_with_the_same_key_adds_nothing_and_returns_the_first(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        first = enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "one"}, now=NOW)
        again = enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "two"}, now=NOW)
        assert again.id == first.id
    with db.begin() as session:
        later = enqueue(session, key="notice:1", channel="C9", kind="text", params={"text": "three"}, now=NOW)
        assert (later.id, later.params, later.channel) == (first.id, {"text": "one"}, "C1")
    assert rows(db) == 1


def test_rolling_back_the_change_rolls_back_its_notification(db: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError, match="the change failed"), db.begin() as session:
        enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "hello"}, now=NOW)
        raise RuntimeError("the change failed after writing its notification")
    assert rows(db) == 0


def test_enqueue_never_commits(db: sessionmaker[Session]) -> None:
    session = db()
    enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "hello"}, now=NOW)
    session.rollback()
    session.close()
    assert rows(db) == 0


def test_two_transactions_racing_on_one_key_leave_one_row(db: sessionmaker[Session]) -> None:
    """The second INSERT runs while the first is still uncommitted: PostgreSQL makes it wait on the unique
    index, SQLite at BEGIN IMMEDIATE; either way it then adds nothing and returns the winner's row."""
    first_wrote = threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer(name: str, hold: float) -> None:
        try:
            if name == "second":
                first_wrote.wait(5)
            with db.begin() as session:
                row = enqueue(session, key="race:1", channel="C1", kind="text", params={"text": name}, now=NOW)
                ids[name] = row.id
                if name == "first":
                    first_wrote.set()
                    threading.Event().wait(hold)  # keep the transaction open while the second one inserts
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
            first_wrote.set()

    threads = [threading.Thread(target=writer, args=("first", 0.5)),
               threading.Thread(target=writer, args=("second", 0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert ids["first"] == ids["second"]
    assert rows(db) == 1
    with db() as session:
        row = by_key(session, "race:1")
        assert row is not None and row.params == {"text": "first"}


def test_many_writers_of_one_key_leave_one_row(db: sessionmaker[Session]) -> None:
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait(5)
            with db.begin() as session:
                enqueue(session, key="sweep:ftc:INC-42:80pct", channel="C1", kind="text",
                        params={"text": f"from {n}"}, now=NOW)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert rows(db) == 1


def test_updates_are_numbered_per_card_and_go_to_the_cards_channel(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        enqueue(session, key="incident:1:card", channel="C1", kind="text", params={"text": "card"}, now=NOW)
        first = enqueue_update(session, target_key="incident:1:card", kind="text", params={"text": "v2"}, now=NOW)
        second = enqueue_update(session, target_key="incident:1:card", kind="text", params={"text": "v3"}, now=NOW)
        named = enqueue_update(session, target_key="incident:1:card", kind="text", params={"text": "v4"}, now=NOW,
                               key="incident:1:card:update:event-9")
    assert [first.key, second.key, named.key] == ["incident:1:card:update:1", "incident:1:card:update:2",
                                                  "incident:1:card:update:event-9"]
    assert {first.channel, second.channel, named.channel} == {"C1"}
    assert {first.updates, second.updates, named.updates} == {"incident:1:card"}


def test_a_reply_or_update_of_a_message_not_in_the_outbox_is_refused(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        with pytest.raises(LookupError, match="enqueue that message first"):
            enqueue(session, key="reply", channel="C1", kind="text", params={"text": "x"}, now=NOW,
                    thread_of="nowhere")
        with pytest.raises(LookupError, match="not in the outbox"):
            enqueue_update(session, target_key="nowhere", kind="text", params={"text": "x"}, now=NOW)
        with pytest.raises(ValueError, match="at most one"):
            enqueue(session, key="both", channel="C1", kind="text", params={"text": "x"}, now=NOW,
                    thread_ts="1.2", updates="x")
    assert rows(db) == 0


def test_naive_times_are_refused(db: sessionmaker[Session]) -> None:
    with pytest.raises(Exception, match="naive"), db.begin() as session:
        enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "x"},
                now=datetime(2026, 11, 30, 9, 0))
