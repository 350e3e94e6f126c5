"""Points records (FC-PTS): the append-only ledger per contract year, and the service requests it pays for.

Each ledger entry moves points between a year's buckets. `tenths` is its effect on the year's
available balance and `held_tenths` its effect on the reserved balance, so both balances are plain
sums (one aggregate query) and a delivery, which turns reserved points into spent ones, changes
nothing that is available:

| kind        | tenths | held_tenths | meaning                                                   |
|-------------|--------|-------------|-----------------------------------------------------------|
| purchase    | +n     | 0           | points bought for the year (from the contract file)       |
| correction  | +/-n   | 0           | corrects a named entry, with the reason                   |
| reservation | -n     | +n          | a request holds its price (FC-PTS-3, FC-PTS-4)            |
| extra_days  | -n     | +n          | vendor staff add days on top before delivery (FC-PTS-5)   |
| release     | +n     | -n          | a declined or cancelled request gives its points back     |
| spend       | 0      | -n          | delivered: what was held is spent                         |
| expiry      | -n     | 0           | the year ended with n unused (FC-PTS-1)                   |
| cashout     | -n     | 0           | unused points paid out where law requires (FC-PTS-2, FC-DEC-4) |
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from domain.db import Base
from domain.words import N_

PURCHASE = "purchase"
CORRECTION = "correction"
RESERVATION = "reservation"
EXTRA_DAYS = "extra_days"
RELEASE = "release"
SPEND = "spend"
EXPIRY = "expiry"
CASHOUT = "cashout"
KINDS = (PURCHASE, CORRECTION, RESERVATION, EXTRA_DAYS, RELEASE, SPEND, EXPIRY, CASHOUT)

# A service request's life (issue 6): requested -> accepted | declined; accepted -> delivered;
# requested | accepted -> cancelled.
REQUESTED = "requested"
ACCEPTED = "accepted"
DECLINED = "declined"
DELIVERED = "delivered"
CANCELLED = "cancelled"
OPEN_STATUSES = (REQUESTED, ACCEPTED)
STATUSES = (REQUESTED, ACCEPTED, DECLINED, DELIVERED, CANCELLED)
STATUS_WORDS = {REQUESTED: N_("requested"), ACCEPTED: N_("accepted"), DECLINED: N_("declined"),
                DELIVERED: N_("delivered"), CANCELLED: N_("cancelled")}  # as people read them, translated


class ServiceRequest(Base):
    """A customer admin's request for a menu service; its price is fixed when it is made."""

    __tablename__ = "points_request"
    __table_args__ = (CheckConstraint(f"status IN {STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="RESTRICT"), index=True)
    contract_year: Mapped[int]  # the year that pays: the one containing service_on (FC-DEC-1)
    item_code: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str]  # as the menu named it then; a later menu edit changes no request
    unit: Mapped[str] = mapped_column(String(8))  # request | day
    service_on: Mapped[date]
    days: Mapped[int]
    delivery: Mapped[str] = mapped_column(String(8))  # onsite | remote
    hours: Mapped[str] = mapped_column(String(8))  # standard | outside
    notes: Mapped[str] = mapped_column(Text, default="")
    base_tenths: Mapped[int]
    surcharge_tenths: Mapped[int]  # FC-PTS-4: 50% of base below 21 days' notice, else 0
    notice_days: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=REQUESTED)
    requested_by: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(32))  # who delivered or cancelled
    closed_at: Mapped[datetime | None]
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # one request per submission

    @property
    def total_tenths(self) -> int:
        return self.base_tenths + self.surcharge_tenths

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PointsEntry(Base):
    """One ledger line. Append-only: nothing is updated or deleted; a mistake gets a correction."""

    __tablename__ = "points_entry"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        # Covers the balance query: per contract, summed by year and kind, read from the index alone.
        Index("ix_points_entry_balance", "contract_id", "contract_year", "kind", "tenths", "held_tenths"),
        # The newest entries first (history, the last few lines of `/flexcare points`) without a sort.
        Index("ix_points_entry_history", "contract_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="RESTRICT"))
    contract_year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    tenths: Mapped[int]  # effect on the available balance (FC-DEC-3: tenths, never a float)
    held_tenths: Mapped[int] = mapped_column(default=0)  # effect on the reserved balance
    request_id: Mapped[int | None] = mapped_column(ForeignKey("points_request.id", ondelete="RESTRICT"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("points_entry.id", ondelete="RESTRICT"))
    actor: Mapped[str] = mapped_column(String(64))  # a Slack user id, or "import:<file>" / "system"
    recorded_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(100))  # the approval reference of a cash-out (FC-DEC-4)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)


class PointsYearTotal(Base):
    """A contract year's running totals, in tenths, kept in step with the ledger (FC-PTS-1, FC-DEC-3).

    Written by `domain.points.totals.add` in the same transaction as each entry, under the year's lock, so
    `/flexcare points` reads one row per year however long the ledger grows. The entries stay the record:
    `totals.reconcile` compares the two. The CHECK makes "never negative" the database's rule as well.
    """

    __tablename__ = "points_year_total"
    __table_args__ = (
        CheckConstraint("purchased - spent - reserved - expired - cashed_out >= 0", name="unused_never_negative"),
        CheckConstraint("reserved >= 0", name="reserved_never_negative"),
    )

    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="RESTRICT"), primary_key=True)
    contract_year: Mapped[int] = mapped_column(primary_key=True)
    purchased: Mapped[int] = mapped_column(default=0)  # purchases and corrections
    spent: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    expired: Mapped[int] = mapped_column(default=0)
    cashed_out: Mapped[int] = mapped_column(default=0)
    entries: Mapped[int] = mapped_column(default=0)  # how many entries the totals cover (reconcile compares)


@event.listens_for(PointsEntry, "before_update")
def _refuse_rewriting_the_ledger(_mapper: Mapper[PointsEntry], _connection: Any, target: PointsEntry) -> None:
    raise ValueError(f"points entry {target.id} is history and cannot be changed; append a correction instead")


@event.listens_for(PointsEntry, "before_delete")
def _refuse_deleting_the_ledger(_mapper: Mapper[PointsEntry], _connection: Any, target: PointsEntry) -> None:
    raise ValueError(f"points entry {target.id} is history and cannot be deleted; append a correction instead")
