"""Inbound deliveries seen once: Slack delivers events at least once, we act on them exactly once."""

from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain.db import Base

KEEP_FOR = timedelta(days=2)  # Slack retries within minutes; two days leaves room for any replay


class InboxReceipt(Base):
    __tablename__ = "inbox_receipt"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. event:Ev0123ABC
    received_at: Mapped[datetime]


def first_delivery(session: Session, key: str, *, now: datetime) -> bool:
    """True the first time `key` is seen; False for a retry or a replay (decided by the primary key)."""
    try:
        with session.begin_nested():
            session.add(InboxReceipt(key=key, received_at=now))
    except IntegrityError:
        return False
    return True


def forget_old_receipts(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(InboxReceipt).where(InboxReceipt.received_at < now - KEEP_FOR))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
