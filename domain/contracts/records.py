"""Contract records (FC-CON): who is covered, for what, by whom, where and when."""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.db import Base
from domain.words import N_, _

CUSTOMER_ADMIN = "customer_admin"
CUSTOMER_MEMBER = "customer_member"
CHANNEL_PURPOSES = ("incidents", "alerts", "reviews")
PURPOSE_WORDS = {"incidents": N_("incidents"), "alerts": N_("alerts"), "reviews": N_("reviews")}  # translated


class Contract(Base):
    __tablename__ = "contract"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. ACME-FC-01
    # The Slack workspace the contract lives in; None on a single-workspace install. People of
    # one workspace never see another's contracts (multi-workspace installs).
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)
    customer: Mapped[str]
    base_support: Mapped[str] = mapped_column(String(16))  # standard (24x7) | basic (business hours)
    country: Mapped[str] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    service_opens: Mapped[time]
    service_closes: Mapped[time]
    ftc_clock: Mapped[str | None] = mapped_column(String(16))  # FC-DEC-6 override: "service_hours"
    language: Mapped[str] = mapped_column(String(16), default="en")
    cashout_required: Mapped[bool] = mapped_column(default=False)  # FC-DEC-4
    ftc_hours_json: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"3": 8}
    extra_holidays_json: Mapped[list[Any]] = mapped_column(default=list)  # ["2026-12-31"]
    early_closings_json: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"2026-12-24": "12:00"}
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the imported definition: re-import is a no-op
    imported_at: Mapped[datetime]

    options: Mapped[list["ContractOption"]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractOption.position"
    )
    people: Mapped[list["ContractPerson"]] = relationship(cascade="all, delete-orphan")
    channels: Mapped[list["ContractChannel"]] = relationship(cascade="all, delete-orphan")
    years: Mapped[list["ContractYear"]] = relationship(
        cascade="all, delete-orphan", order_by="ContractYear.number"
    )

    # The names below are what domain.calendar.CalendarTerms reads.
    @property
    def ftc_hours(self) -> dict[int, float]:
        return {int(level): float(hours) for level, hours in self.ftc_hours_json.items()}

    @property
    def extra_holidays(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(day) for day in self.extra_holidays_json)

    @property
    def early_closings(self) -> dict[date, time]:
        return {date.fromisoformat(d): time.fromisoformat(t) for d, t in self.early_closings_json.items()}

    @property
    def around_the_clock(self) -> bool:
        """FC-CAL-2: a 24x7 base (Standard) runs FlexCare around the clock."""
        return self.base_support == "standard"

    def people_with(self, role: str) -> list[str]:
        return [p.slack_user for p in self.people if p.role == role]

    def vendor_staff(self) -> set[str]:
        return {o.person for o in self.options}


class ContractOption(Base):
    """One bought option (FC-CON-4): a role, the scope it covers, and the person who fills it."""

    __tablename__ = "contract_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(8))  # NASE | TAM | ESM | AGSM | Suite
    product_family: Mapped[str | None]
    product_solution: Mapped[str | None]
    suite: Mapped[str | None]
    person: Mapped[str] = mapped_column(String(32))  # Slack user id
    licence: Mapped[str] = mapped_column(String(16), default="existing")  # FC-CON-6
    transferred_from: Mapped[str | None]  # FC-CON-7
    unavailable: Mapped[bool] = mapped_column(default=False)  # FC-CON-8

    contract: Mapped[Contract] = relationship(back_populates="options")

    @property
    def scope(self) -> str:
        if self.type == "AGSM":
            return _("every product solution")  # shown to people; the reader's language
        return self.product_family or self.product_solution or self.suite or ""


class ContractPerson(Base):
    """A customer admin (may spend points) or member (may open and follow incidents)."""

    __tablename__ = "contract_person"
    __table_args__ = (UniqueConstraint("contract_id", "slack_user", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    slack_user: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(32))


class ContractChannel(Base):
    """A Slack channel linked to a contract for one purpose, from the file or by `/flexcare link`."""

    __tablename__ = "contract_channel"
    __table_args__ = (UniqueConstraint("contract_id", "purpose", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # file | link


class ContractYear(Base):
    """Contract year n (FC-CON-2) and the points bought for it (FC-PTS-1), in tenths of a point."""

    __tablename__ = "contract_year"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    points_tenths: Mapped[int] = mapped_column(default=0)


class ContractEvent(Base):
    """The contract's history: imports, updates, ESM scope changes (FC-CON-5), transfers (FC-CON-7)."""

    __tablename__ = "contract_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
