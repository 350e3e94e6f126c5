"""The review sweep (issue 7 item 4): reminders for coming reviews into the outbox.

The database decides what is due, set-based like the other sweeps (scheduler.sweeps): each run reads the active
reviews inside the reminder horizon with their contracts and which of their due reminders' keys are written
(domain.reviews.reminders.contracts_with_reminders_missing: a fixed number of queries, whatever the number of
contracts), then visits only the contracts with a reminder missing, each in its own short transaction, where
the reminders are re-decided and written. A steady run, with everything due already written, visits none.
Keys are unique per review, stage and date, so a second run, another replica or a run after downtime adds
nothing already written; the dispatcher delivers. A contract imported before reviews existed
gets its schedule here (default cadence) until its file is imported again.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.contracts.records import Contract
from domain.reviews import service as reviews
from domain.reviews.reminders import contracts_with_reminders_missing, enqueue_review_reminders

log = logging.getLogger(__name__)


def sweep_reviews(db: sessionmaker[Session], clock: Callable[[], datetime]) -> int:
    """Write every review reminder due at `clock()`; returns how many new notifications were written."""
    now = clock()
    with db() as session:
        unplanned = set(reviews.contracts_without_plan(session))
        due = set(contracts_with_reminders_missing(session, now=now))
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
