"""Notification rows: the outbox (research/ledger-and-scheduling.md §B7).

A row is written in the same transaction as the change people must hear about, under a unique
key, so a retried or repeated sweep adds nothing. The dispatcher claims pending rows, posts them
and records the Slack `ts`; the claim columns let several replicas share one table safely.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CANCELLED = "cancelled"  # superseded before it was sent (an FTC stage of a due instant that moved)

KEY_MAX = 200


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        # The claim: pending rows whose retry time has come, oldest first.
        Index("ix_notification_due", "status", "next_attempt_at"),
        # Order per channel: "is an earlier row of this channel still pending?"
        Index("ix_notification_channel_order", "channel", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)  # incident:7:card, ftc-warning:INC-42:80pct
    channel: Mapped[str] = mapped_column(String(32))  # a channel id, or a user id for a direct message
    kind: Mapped[str] = mapped_column(String(64))  # which handlers/blocks renderer draws it
    params: Mapped[dict[str, Any]]  # plain JSON facts for the renderer, never Block Kit
    thread_of: Mapped[str | None] = mapped_column(String(KEY_MAX))  # reply under that notification's message
    # Reply under this Slack ts. Given for a known message (the escalated one); for a `thread_of`
    # row the dispatcher fills in the thread it actually replied under.
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    # chat.update that notification's message (indexed: enqueue_update numbers a card's updates)
    updates: Mapped[str | None] = mapped_column(String(KEY_MAX), index=True)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # calls made to Slack for this row
    next_attempt_at: Mapped[datetime]  # not before (backoff after a failure)
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # the dispatcher posting it right now
    claimed_until: Mapped[datetime | None]  # after this the claim is void (that worker died mid-post)
    delivered_at: Mapped[datetime | None]
    ts: Mapped[str | None] = mapped_column(String(32))  # the Slack message, once posted
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Notification {self.key} {self.status} in {self.channel}>"
