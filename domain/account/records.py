"""Account management records: notices and their per-contract deliveries, account documents, onboarding items."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.db import Base

NOTICE_KINDS = ("critical_patch", "security_issue", "critical_problem")  # FC-INC-9
SEVERITIES = ("critical", "high", "medium")
PLAN_MODES = ("remote", "onsite")
SUPPORT_PLAN, OPERATIONAL_PROFILE = "support_plan", "operational_profile"
DOCUMENT_KINDS = (SUPPORT_PLAN, OPERATIONAL_PROFILE)  # FC-REV
WELCOME_CALL, KICKOFF_DATE, PLAN_LINKED, PROFILE_LINKED = ("welcome_call", "kickoff_date", "support_plan_linked",
                                                           "operational_profile_linked")
ONBOARDING_ITEMS = (WELCOME_CALL, KICKOFF_DATE, PLAN_LINKED, PROFILE_LINKED)  # FC-REV: FlexCare start, kick-off


class ProductNotice(Base):
    """A critical patch, security issue or critical problem announced by vendor staff (FC-INC-9)."""

    __tablename__ = "product_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    product: Mapped[str]  # a product family or solution, as contract options name them
    kind: Mapped[str] = mapped_column(String(24))  # NOTICE_KINDS
    severity: Mapped[str] = mapped_column(String(16))  # SEVERITIES
    title: Mapped[str]
    details: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    data_loss_risk: Mapped[bool] = mapped_column(default=False)
    disruption_risk: Mapped[bool] = mapped_column(default=False)
    sent_by: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)  # one notice per modal submission

    deliveries: Mapped[list["NoticeDelivery"]] = relationship(back_populates="notice", order_by="NoticeDelivery.id")

    @property
    def key(self) -> str:
        return f"NOTICE-{self.id:04d}"


class NoticeDelivery(Base):
    """The notice as one covering contract received it: its acknowledgement and the TAM's action plan."""

    __tablename__ = "notice_delivery"
    __table_args__ = (UniqueConstraint("notice_id", "contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("product_notice.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))  # the contract's alerts channel when it was sent
    tams: Mapped[str] = mapped_column(String(200), default="")  # Slack ids, comma-separated: who plans
    esms: Mapped[str] = mapped_column(String(200), default="")  # who notifies (ESM, else AGSM)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
    plan_by: Mapped[str | None] = mapped_column(String(32))
    plan_at: Mapped[datetime | None]
    install_on: Mapped[date | None]
    plan_mode: Mapped[str | None] = mapped_column(String(8))  # PLAN_MODES
    service_days: Mapped[int | None]  # technical service days, if any
    points_request: Mapped[bool] = mapped_column(default=False)  # offer to book it as a points request
    plan_note: Mapped[str | None] = mapped_column(Text)

    notice: Mapped[ProductNotice] = relationship(back_populates="deliveries")

    @property
    def planners(self) -> list[str]:
        return [u for u in self.tams.split(",") if u]

    @property
    def notifiers(self) -> list[str]:
        return [u for u in self.esms.split(",") if u]


class AccountDocument(Base):
    """The customer support plan or account operational profile of one contract (FC-REV): a link kept current."""

    __tablename__ = "account_document"
    __table_args__ = (UniqueConstraint("contract_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # DOCUMENT_KINDS
    owner: Mapped[str] = mapped_column(String(32))  # the TAM, ESM or AGSM who keeps it current
    link: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(32))
    reviewed_at: Mapped[datetime | None]  # the start of the current review period (linking counts as one)


class OnboardingItem(Base):
    """One item of a contract's kick-off checklist, ticked by vendor staff (FC-REV: FlexCare start)."""

    __tablename__ = "onboarding_item"
    __table_args__ = (UniqueConstraint("contract_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(32))  # ONBOARDING_ITEMS
    started_at: Mapped[datetime]  # when the contract was first imported
    done_by: Mapped[str | None] = mapped_column(String(32))
    done_at: Mapped[datetime | None]
