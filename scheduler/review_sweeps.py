"""The review sweep (issue 7 item 4): reminders for coming reviews into the outbox, one contract at a time.

The database decides what is due: each run asks which contracts have an active review inside the reminder
horizon (one query, whatever the number of contracts), then writes each contract's due reminders in its own
short transaction. Keys are unique per review, stage and date, so a second run, another replica or a run after
downtime adds nothing already written; the dispatcher delivers. A contract imported before reviews existed
gets its schedule here (default cadence) until its file is imported again.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.contracts.records import Contract
from domain.reviews import service as reviews
from domain.reviews.reminders import enqueue_review_reminders

log = logging.getLogger(__name__)


def sweep_reviews(db: sessionmaker[Session], clock: Callable[[], datetime]) -> int:
    """Write every review reminder due at `clock()`; returns how many new notifications were written."""
    now = clock()
    with db() as session:
        unplanned = set(reviews.contracts_without_plan(session))
        due = set(reviews.contracts_with_reviews_soon(session, now=now))
    written = 0
    for contract_id in sorted(unplanned | due):
        try:
            with db.begin() as session:
                contract = session.get_one(Contract, contract_id)
                if contract_id in unplanned:
                    reviews.ensure_schedule(session, contract=contract, now=now)
                added = enqueue_review_reminders(session, contract=contract, now=now)
        except Exception:  # job boundary (STYLE §2.5): isolate one contract, keep the traceback
            log.exception("review sweep failed for contract %s; continuing with the others", contract_id)
            continue
        written += added
    if written:
        log.info("review sweep wrote %d reminders", written)
    return written
