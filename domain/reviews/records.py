"""Scheduled reviews (FC-REV): one row per review a contract is owed, kept across re-imports by its key."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.db import Base

SCHEDULED = "scheduled"  # as the calendar generated it; follows the contract file on re-import
CONFIRMED = "confirmed"  # agreed with the customer: a re-import no longer moves it
RESCHEDULED = "rescheduled"  # moved by vendor staff: a re-import no longer moves it
HELD = "held"  # it took place: history, never changed again
CANCELLED = "cancelled"  # a re-import no longer owes it (term shortened, option dropped, cadence changed)
ACTIVE = (SCHEDULED, CONFIRMED, RESCHEDULED)
AGREED = (CONFIRMED, RESCHEDULED)


class ReviewPlan(Base):
    """The cadence the schedule was generated with (the contract file's `reviews:`, FC-DEC-5)."""

    __tablename__ = "review_plan"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True)
    remote_every_weeks: Mapped[int]
    weekday: Mapped[str] = mapped_column(String(2))  # MO..SU
    generated_at: Mapped[datetime]


class Review(Base):
    __tablename__ = "review"
    __table_args__ = (
        Index("ix_review_contract_on", "contract_id", "scheduled_on"),
        Index("ix_review_due", "status", "scheduled_on"),  # the reminder sweep: active reviews in a date range
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. ACME-FC-01:technical_review:TAM:operations-bridge:y1q2; regeneration finds the row by it
    key: Mapped[str] = mapped_column(String(200), unique=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # domain.reviews.rules.Kind
    role: Mapped[str] = mapped_column(String(8))  # TAM | ESM | AGSM | NASE: whose deliverable (FC-REV)
    scope: Mapped[str | None]  # the option's product family or solution
    owner: Mapped[str] = mapped_column(String(32))  # Slack user id of the person filling the role
    mode: Mapped[str] = mapped_column(String(8))  # onsite | remote
    contract_year: Mapped[int]  # the year containing scheduled_on (FC-CON-2)
    planned_on: Mapped[date]  # where the calendar put it (a business day, FC-CAL)
    scheduled_on: Mapped[date]  # where it is now: planned_on unless rescheduled
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    confirmed_at: Mapped[datetime | None]
    rescheduled_by: Mapped[str | None] = mapped_column(String(32))
    rescheduled_at: Mapped[datetime | None]
    held_by: Mapped[str | None] = mapped_column(String(32))
    held_at: Mapped[datetime | None]
    generated_at: Mapped[datetime]  # the import that last wrote its plan

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
