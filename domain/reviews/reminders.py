"""What people hear about reviews, as outbox rows: reminders before each review, and each change to one.

Reminders (issue 7 item 4) go to the contract's reviews channel three weeks before (the notice the datasheet
asks for, FC-PTS-4), one week before and the business day before, at 09:00 contract-local time on a business
day (FC-DEC-8), with the owner mentioned. Keys name the review, the stage and the review's date: a sweep run
twice adds nothing, and a rescheduled review gets reminders of its own. Params are plain JSON facts;
handlers/blocks/reviews.py renders them.
"""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.contracts.channels import channel_for
from domain.contracts.records import Contract
from domain.notifications.records import Notification
from domain.notifications.service import enqueue
from domain.reviews.days import BusinessDays
from domain.reviews.records import ACTIVE, Review

log = logging.getLogger(__name__)

REMINDER = "review_reminder"
CHANGED = "review_changed"
THREE_WEEKS, ONE_WEEK, DAY_BEFORE = "three_weeks", "one_week", "day_before"
REMINDER_TIME = time(9)  # FC-DEC-8
# Three weeks back from a review, moved earlier over closed days (at most a long holiday), plus margin.
HORIZON_DAYS = 35
KEYS_PER_QUERY = 5000  # IN-list size: far below SQLite's 32766 variables, one query for a normal sweep


def reviews_channel(contract: Contract) -> str | None:
    """The contract's reviews channel; else its alerts channel, where vendor staff already look."""
    return channel_for(contract, "reviews") or channel_for(contract, "alerts")


def stage_days(review_on: date, days: BusinessDays) -> list[tuple[str, date]]:
    """The business day each reminder goes out, earliest first. A closed day moves the reminder earlier, so
    the notice is never shorter than promised."""
    return [(THREE_WEEKS, days.on_or_before(review_on - timedelta(days=21))),
            (ONE_WEEK, days.on_or_before(review_on - timedelta(days=7))),
            (DAY_BEFORE, days.before(review_on))]


def reminder_key(review: Review, stage: str) -> str:
    return key_of(review.key, stage, review.scheduled_on)


def key_of(review_key: str, stage: str, review_on: date) -> str:
    return f"review:{review_key}:{stage}:{review_on.isoformat()}"


def due_stage(review_on: date, days: BusinessDays, zone: ZoneInfo, now: datetime) -> str | None:
    """The latest stage due at `now` (09:00 local on its business day), or None before the first one."""
    due = [stage for stage, day in stage_days(review_on, days) if datetime.combine(day, REMINDER_TIME, zone) <= now]
    return due[-1] if due else None


def contracts_with_reminders_missing(session: Session, *, now: datetime) -> list[str]:
    """Contracts with a reminder due now and not yet in the outbox: two queries whatever the number of contracts
    (the active reviews inside the horizon with their contracts, then which of their keys exist), so a steady
    sweep costs what is due. The same decision `enqueue_review_reminders` makes per contract, made for all."""
    today = now.date()  # UTC; widened by a day on each side for every zone, then narrowed per contract below
    rows = session.execute(select(Review.key, Review.scheduled_on, Contract).join(
        Contract, Contract.id == Review.contract_id).where(
        Review.status.in_(ACTIVE), Review.scheduled_on >= today - timedelta(days=1),
        Review.scheduled_on <= today + timedelta(days=HORIZON_DAYS + 1)))
    stages: dict[tuple[object, date], str | None] = {}  # contracts of one place share their reviews' stage days
    wanted: dict[str, str] = {}
    for review_key, review_on, contract in rows:
        zone = ZoneInfo(contract.timezone)
        local_today = now.astimezone(zone).date()
        if not local_today <= review_on <= local_today + timedelta(days=HORIZON_DAYS):
            continue
        days = BusinessDays.for_contract(contract)
        memo = (days.calendar, review_on)
        if memo not in stages:
            stages[memo] = due_stage(review_on, days, zone, now)
        stage = stages[memo]
        if stage is not None:
            wanted[key_of(review_key, stage, review_on)] = contract.id
    written = _written(session, list(wanted))
    return sorted({contract_id for key, contract_id in wanted.items() if key not in written})


def _written(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        found.update(session.scalars(select(Notification.key).where(
            Notification.key.in_(keys[start:start + KEYS_PER_QUERY]))))
    return found


def enqueue_review_reminders(session: Session, *, contract: Contract, now: datetime) -> int:
    """Write the reminders now due for the contract's coming reviews; returns how many are new.

    Only the latest stage due is written: after downtime a review gets one reminder, not three, and a stage
    superseded by a later one (three weeks' notice when a week is left) is skipped.
    """
    channel = reviews_channel(contract)
    if channel is None:
        log.warning("contract %s has no reviews or alerts channel; its review reminders wait until one is linked",
                    contract.id)
        return 0
    zone = ZoneInfo(contract.timezone)
    today = now.astimezone(zone).date()
    days = BusinessDays.for_contract(contract)
    coming = session.scalars(select(Review).where(
        Review.contract_id == contract.id, Review.status.in_(ACTIVE), Review.scheduled_on >= today,
        Review.scheduled_on <= today + timedelta(days=HORIZON_DAYS)).order_by(Review.scheduled_on, Review.key))
    due = [(review, stage) for review in coming
           if (stage := due_stage(review.scheduled_on, days, zone, now)) is not None]
    written = _written(session, [reminder_key(review, stage) for review, stage in due])
    added = 0
    for review, stage in due:
        key = reminder_key(review, stage)
        if key in written:
            continue
        enqueue(session, key=key, channel=channel, kind=REMINDER, now=now,
                params=review_facts(review, contract) | {"stage": stage,
                                                         "days_left": (review.scheduled_on - today).days})
        added += 1
    return added


def review_facts(review: Review, contract: Contract) -> dict[str, Any]:
    return {"review_id": review.id, "key": review.key, "kind": review.kind, "mode": review.mode, "role": review.role,
            "scope": review.scope, "owner": review.owner, "on": review.scheduled_on.isoformat(),
            "status": review.status, "contract": contract.id, "customer": contract.customer,
            "timezone": contract.timezone, "language": contract.language}


def announce(session: Session, *, review: Review, contract: Contract, what: str, by: str, now: datetime,
             moved_from: date | None = None, warnings: list[str] | None = None) -> None:
    """A change in the reviews channel: confirmed, rescheduled (with any FC-DEC-5 warning) or held."""
    channel = reviews_channel(contract)
    if channel is None:
        log.warning("contract %s has no reviews or alerts channel; review %s %s is not announced",
                    contract.id, review.key, what)
        return
    stamp = f"{moved_from}->{review.scheduled_on}" if moved_from else review.scheduled_on.isoformat()
    enqueue(session, key=f"review:{review.key}:{what}:{stamp}", channel=channel, kind=CHANGED, now=now,
            params=review_facts(review, contract) | {
                "what": what, "by": by, "moved_from": moved_from.isoformat() if moved_from else None,
                "warnings": warnings or []})
