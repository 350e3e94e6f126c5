"""The sweeps: each asks the domain what is due at `clock()` and writes outbox notifications under unique keys
(STYLE §2.5). A sweep is safe to run twice and on several replicas at once: a second run finds every key
written and adds nothing; the dispatcher then posts each row exactly once.

Each sweep finds its work with a few set-based queries (what is due, which keys exist), so its cost follows
what is due, not the number of contracts or the history; then it writes each unit (an incident, a contract
year) in its own short transaction, and a failing unit is logged with its traceback and skipped.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.notifications.records import Notification

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sweep = Callable[[sessionmaker[Session], Clock], int]
Unit = TypeVar("Unit")
KEYS_PER_QUERY = 5000  # IN-list size: far below SQLite's 32766 variables, one query for a normal sweep


@dataclass(frozen=True)
class SweepJob:
    id: str  # the APScheduler job id
    sweep: Sweep
    every: timedelta
    what: str  # for logs and `flexcare sweep`


def each_unit(db: sessionmaker[Session], units: Iterable[Unit], work: Callable[[Session, Unit], int], *,
              what: str) -> int:
    """Run `work` on each unit in its own transaction; returns the notifications written. A unit that fails
    is rolled back, logged with its traceback and skipped: the next sweep tries it again."""
    written = 0
    for unit in units:
        try:
            with db.begin() as session:
                written += work(session, unit)
        except Exception:  # the job boundary (STYLE §2.5): one bad contract must not stop the others
            log.exception("%s failed for %r; skipped until the next sweep", what, unit)
    return written


def written_keys(session: Session, keys: Iterable[str]) -> dict[str, datetime]:
    """Which of `keys` are in the outbox already, and when each was written."""
    wanted = sorted(set(keys))
    found: dict[str, datetime] = {}
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start:start + KEYS_PER_QUERY]
        rows = session.execute(select(Notification.key, Notification.created_at).where(Notification.key.in_(chunk)))
        found.update((key, at) for key, at in rows)
    return found
