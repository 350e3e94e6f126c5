"""Incident records (FC-INC): the incident as it stands, and its append-only event log."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from domain.db import Base

OPEN = "open"
RESOLVED = "resolved"


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("contract_id", "number"),
        Index("ix_incident_open_due", "status", "ftc_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # ACME-FC-01-0007: what people quote
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int]  # per contract, from 1
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    impact: Mapped[int]  # FC-INC-1: 1 (highest) to 4
    product: Mapped[str]
    owner: Mapped[str] = mapped_column(String(32))  # Slack user id (FC-INC-4, 5)
    owner_role: Mapped[str] = mapped_column(String(8))  # NASE | TAM | ESM | Suite | AGSM
    priority_team: Mapped[bool] = mapped_column(default=False)  # opened outside the NASE's hours, 24x7 (FC-INC-4)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(32))
    # Stored when opened (and when the impact changes), never recomputed on read: a later holidays
    # upgrade must not move a promise already made.
    ftc_due_at: Mapped[datetime | None]
    ftc_clock_starts_at: Mapped[datetime | None]  # set when opened outside the FTC clock's hours
    ftc_at: Mapped[datetime | None]
    ftc_by: Mapped[str | None] = mapped_column(String(32))
    ftc_met: Mapped[bool | None]
    ftc_service_seconds: Mapped[int | None]  # service time taken to first contact, on the FTC clock
    escalation: Mapped[str | None] = mapped_column(String(16))  # technical | business (FC-INC-6), the latest
    escalated_to: Mapped[str | None] = mapped_column(String(32))
    escalated_at: Mapped[datetime | None]
    last_update_at: Mapped[datetime | None]  # FC-INC-5: timely status updates
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    third_party_vendor: Mapped[str | None] = mapped_column(String(100))  # FC-INC-7
    third_party_case: Mapped[str | None] = mapped_column(String(100))
    card_channel: Mapped[str] = mapped_column(String(32))  # where the card lives (the incidents channel)
    source_channel: Mapped[str | None] = mapped_column(String(32))  # the escalated message, if any
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_link: Mapped[str | None] = mapped_column(String(500))  # its permalink
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # one incident per modal submission

    events: Mapped[list["IncidentEvent"]] = relationship(
        back_populates="incident", order_by="IncidentEvent.id", cascade="save-update, merge"
    )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


class IncidentEvent(Base):
    """Append-only: who did what, when, with the values before and after."""

    __tablename__ = "incident_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))  # opened | first_contact | escalated | impact_changed | ...
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="events")


@event.listens_for(IncidentEvent, "before_update")
def _refuse_rewriting_history(_mapper: Mapper[IncidentEvent], _connection: Any, target: IncidentEvent) -> None:
    raise ValueError(f"incident event {target.id} is history and cannot be changed; append a new event instead")


@event.listens_for(IncidentEvent, "before_delete")
def _refuse_deleting_history(_mapper: Mapper[IncidentEvent], _connection: Any, target: IncidentEvent) -> None:
    raise ValueError(f"incident event {target.id} is history and cannot be deleted")
