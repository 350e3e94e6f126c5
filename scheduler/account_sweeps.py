"""The account sweep (issue 9): onboarding messages and reminders, notice reminders and stale-document reminders
into the outbox, one short transaction per contract.

The database decides what is due: three set-based queries name the contracts with work (onboarding items open,
notices unacknowledged, documents reviewed), then each contract's due rows are written in its own transaction.
Keys are unique (a notice's one reminder, a document's stale period, an onboarding week), so a second run, another
replica or a run after downtime adds nothing already written; the dispatcher delivers.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from domain.account import documents, notices, onboarding
from domain.account.rules import DEFAULT_STALE_AFTER
from domain.contracts.records import Contract

log = logging.getLogger(__name__)


def sweep_account(db: sessionmaker[Session], clock: Callable[[], datetime], *,
                  stale_after: timedelta = DEFAULT_STALE_AFTER) -> int:
    """Write every account message due at `clock()`; returns how many new notifications were written."""
    now = clock()
    with db() as session:
        onboarding_ids = set(onboarding.contracts_onboarding(session))
        waiting_ids = set(notices.contracts_awaiting_acknowledgement(session))
        document_ids = set(documents.contracts_with_reviewed_documents(session))
    written = 0
    for contract_id in sorted(onboarding_ids | waiting_ids | document_ids):
        try:
            with db.begin() as session:
                contract = session.get_one(Contract, contract_id)
                added = 0
                if contract_id in onboarding_ids:
                    added += onboarding.announce(session, contract=contract, now=now)
                    added += onboarding.enqueue_onboarding_reminders(session, contract=contract, now=now)
                if contract_id in waiting_ids:
                    added += notices.enqueue_ack_reminders(session, contract=contract, now=now)
                if contract_id in document_ids:
                    added += documents.enqueue_stale_reminders(session, contract=contract, now=now,
                                                               stale_after=stale_after)
        except Exception:  # job boundary (STYLE §2.5): isolate one contract, keep the traceback
            log.exception("account sweep failed for contract %s; continuing with the others", contract_id)
            continue
        written += added
    if written:
        log.info("account sweep wrote %d notifications", written)
    return written
