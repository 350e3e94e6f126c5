"""Writing to the outbox, and reading it back (STYLE §2.2: services take the caller's session, never commit)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.notifications.records import FAILED, PENDING, Notification


def enqueue(session: Session, *, key: str, channel: str, kind: str, params: dict[str, Any], now: datetime,
            thread_of: str | None = None, thread_ts: str | None = None, updates: str | None = None) -> Notification:
    """Add one notification, or return the one already stored under `key` (unchanged).

    Idempotent also when two transactions race on one key: INSERT ... ON CONFLICT DO NOTHING makes
    the loser wait for the winner and then add nothing, where a plain INSERT would raise and
    abort the caller's whole transaction. `thread_of` and `updates` name notifications that must
    already exist, so a reply or an update always sorts after the message it depends on.
    """
    if sum(x is not None for x in (thread_of, thread_ts, updates)) > 1:
        raise ValueError(f"notification {key}: give at most one of thread_of, thread_ts and updates")
    for depends_on in (thread_of, updates):
        if depends_on is not None and by_key(session, depends_on) is None:
            raise LookupError(f"notification {key} depends on {depends_on!r}, which is not in the outbox; "
                              "enqueue that message first")
    values = {"key": key, "channel": channel, "kind": kind, "params": params, "thread_of": thread_of,
              "thread_ts": thread_ts, "updates": updates, "created_at": now, "status": PENDING, "attempts": 0,
              "next_attempt_at": now}
    session.execute(_insert_if_new(session, values))
    row = by_key(session, key)
    if row is None:  # cannot happen: the row was inserted, or another committed transaction holds the key
        raise RuntimeError(f"notification {key} neither inserted nor found")
    return row


def enqueue_update(session: Session, *, target_key: str, kind: str, params: dict[str, Any], now: datetime,
                   key: str | None = None) -> Notification:
    """Edit the message of `target_key` in place (chat.update), once it has been posted.

    Every change is its own row, delivered in order after the target. Without a `key`, the next
    number `<target>:update:<n>` is used; the target row is locked first so that two transactions
    cannot both pick the same n (and one change be lost as a "duplicate").
    """
    target = session.scalars(select(Notification).where(Notification.key == target_key).with_for_update()).first()
    if target is None:
        raise LookupError(f"cannot update notification {target_key!r}: it is not in the outbox")
    if key is None:
        count = session.scalar(select(func.count()).where(Notification.updates == target_key)) or 0
        key = f"{target_key}:update:{count + 1}"
    return enqueue(session, key=key, channel=target.channel, kind=kind, params=params, now=now, updates=target_key)


def by_key(session: Session, key: str) -> Notification | None:
    return session.scalars(select(Notification).where(Notification.key == key)).first()


def pending(session: Session) -> list[Notification]:
    """Rows not yet delivered and not given up on, oldest first."""
    return list(session.scalars(select(Notification).where(Notification.status == PENDING).order_by(Notification.id)))


def failed(session: Session) -> list[Notification]:
    """Rows the dispatcher gave up on (a permanent Slack error), oldest first: for operators."""
    return list(session.scalars(select(Notification).where(Notification.status == FAILED).order_by(Notification.id)))


def _insert_if_new(session: Session, values: dict[str, Any]) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Notification).values(values).on_conflict_do_nothing(index_elements=["key"])
    if dialect == "sqlite":
        return sqlite.insert(Notification).values(values).on_conflict_do_nothing(index_elements=["key"])
    raise ValueError(f"the outbox needs INSERT ... ON CONFLICT; {dialect} is not supported (use SQLite or PostgreSQL)")
