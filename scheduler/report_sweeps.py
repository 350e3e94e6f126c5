"""The quarterly report sent on its own (issue 8 item 3, FC-REV): one week before a quarterly technical, business
or strategy review, the report for the last full quarter goes to the contract's reviews channel through the outbox.

Due at 09:00 contract time seven days before the review (FC-DEC-8), and until the review's day, so a sweep after
downtime still sends it in time for the meeting. Once per contract and quarter: the key names the quarter, so the
next review of the same quarter (the business review a week after the technical one) finds it written, and a
second run or another replica adds nothing. The figures are those of the moment it is written; the chart stays
with `/flexcare report`, since the outbox posts messages, not files.

Not registered here: scheduler/jobs.py lists the sweeps (its owner adds `sweep_quarterly_reports`).
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts.records import Contract
from domain.notifications.records import Notification
from domain.notifications.service import by_key, enqueue
from domain.reports.facts import report_facts
from domain.reports.quarters import last_full_quarter, local_today
from domain.reports.service import build_report
from domain.reviews.records import ACTIVE, Review
from domain.reviews.reminders import reviews_channel
from domain.reviews.rules import Kind
from handlers.blocks.reports import QUARTERLY_REPORT
from scheduler.sweeps import Clock, each_unit

log = logging.getLogger(__name__)

QUARTERLY_REVIEWS = (Kind.TECHNICAL.value, Kind.BUSINESS.value, Kind.STRATEGY.value)
AHEAD = timedelta(days=7)
SEND_AT = time(9)  # FC-DEC-8: contract-local morning


def report_key(contract_id: str, quarter: str) -> str:
    return f"quarterly-report:{contract_id}:{quarter}"


def is_due(review_on: date, *, now: datetime, zone: str) -> bool:
    """From 09:00 contract time a week before the review, until the review's day has passed."""
    starts = datetime.combine(review_on - AHEAD, SEND_AT, ZoneInfo(zone))
    return starts <= now and local_today(now, zone) <= review_on


def sweep_quarterly_reports(db: sessionmaker[Session], clock: Clock) -> int:
    """Write the reports due at `clock()`; returns how many were written."""
    now = clock()
    today = now.date()  # UTC; every zone is within a day of it, so the window is widened by one on each side
    with db() as session:
        upcoming = session.execute(select(Review.contract_id, Review.kind, Review.scheduled_on).where(
            Review.kind.in_(QUARTERLY_REVIEWS), Review.status.in_(ACTIVE),
            Review.scheduled_on >= today - timedelta(days=1), Review.scheduled_on <= today + AHEAD + timedelta(days=1))
            .order_by(Review.contract_id, Review.scheduled_on, Review.kind)).all()
    by_contract: dict[str, list[tuple[str, date]]] = {}
    for contract_id, kind, on in upcoming:
        by_contract.setdefault(contract_id, []).append((kind, on))
    waiting = _missing_reports(db, by_contract, now=now)

    def post(session: Session, contract_id: str) -> int:
        return _post_report(session, contract_id, by_contract[contract_id], now=now)

    return each_unit(db, waiting, post, what="quarterly report")


def _missing_reports(db: sessionmaker[Session], by_contract: dict[str, list[tuple[str, date]]], *,
                     now: datetime) -> list[str]:
    """The contracts with a report due and not yet written, in two queries whatever their number, so a
    steady sweep costs what is due rather than one visit per contract with a review coming up."""
    if not by_contract:
        return []
    with db() as session:
        zones = dict(session.execute(select(Contract.id, Contract.timezone).where(Contract.id.in_(by_contract))).all())
        due = {contract_id: report_key(contract_id, last_full_quarter(local_today(now, zones[contract_id])).label)
               for contract_id, reviews in by_contract.items() if contract_id in zones
               and any(is_due(on, now=now, zone=zones[contract_id]) for _kind, on in reviews)}
        written = set(session.scalars(select(Notification.key).where(Notification.key.in_(due.values()))))
    return sorted(contract_id for contract_id, key in due.items() if key not in written)


def _post_report(session: Session, contract_id: str, reviews: Sequence[tuple[str, date]], *, now: datetime) -> int:
    contract = session.get_one(Contract, contract_id)
    due = [(kind, on) for kind, on in reviews if is_due(on, now=now, zone=contract.timezone)]
    if not due:
        return 0
    quarter = last_full_quarter(local_today(now, contract.timezone))
    key = report_key(contract.id, quarter.label)
    if by_key(session, key) is not None:
        return 0
    channel = reviews_channel(contract)
    if channel is None:
        log.warning("contract %s has no reviews or alerts channel; its %s report waits until one is linked",
                    contract.id, quarter.label)
        return 0
    kind, on = due[0]
    report = build_report(session, contract, quarter, now=now)
    enqueue(session, key=key, channel=channel, kind=QUARTERLY_REPORT, now=now,
            params={"report": report_facts(report), "review_kind": kind, "review_on": on.isoformat(),
                    "language": contract.language})
    return 1
