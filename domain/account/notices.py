"""Critical patch and problem notices (FC-INC-9): sent by vendor staff to every covering contract's alerts channel,
acknowledged by the customer, planned by the TAM, reminded once after 2 business days without acknowledgement.

Use cases take the caller's Session and never commit; each writes the outbox rows people see (the card per
contract, updated in place; the reminder in the card's thread) in the same transaction as the change.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, in_workspace, may, require
from domain.account import rules
from domain.account.records import NOTICE_KINDS, PLAN_MODES, SEVERITIES, NoticeDelivery, ProductNotice
from domain.calendar import ServiceCalendar
from domain.contracts.channels import channel_for
from domain.contracts.records import CUSTOMER_ADMIN, Contract
from domain.errors import FlexcareError, NotAllowed, NotFound
from domain.notifications.service import by_key, enqueue, enqueue_update
from domain.words import _

CARD, REMINDER = "account_notice", "account_notice_reminder"


class InvalidNotice(FlexcareError):
    """A notice or plan form with problems: {field: sentence}, shown beside each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class NewNotice:
    product: str
    kind: str
    severity: str
    title: str
    details: str
    link: str | None = None
    data_loss_risk: bool = False
    disruption_risk: bool = False


@dataclass(frozen=True)
class ActionPlan:
    install_on: date | None
    mode: str | None
    service_days: int | None
    points_request: bool
    note: str | None = None


def card_key(delivery: NoticeDelivery) -> str:
    return f"account-notice:{delivery.id}:card"


def reminder_key(delivery: NoticeDelivery) -> str:
    return f"account-notice:{delivery.id}:reminder"


def check_notice(new: NewNotice) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not new.product.strip():
        errors["product"] = _("Name the product family or solution the notice is about.")
    elif len(new.product.strip()) > rules.PRODUCT_MAX:
        errors["product"] = _("Keep the product name to %(max)s characters.", max=rules.PRODUCT_MAX)
    if new.kind not in NOTICE_KINDS:
        errors["kind"] = _("Choose critical patch, security issue or critical problem.")
    if new.severity not in SEVERITIES:
        errors["severity"] = _("Choose the severity.")
    if not new.title.strip() or len(new.title.strip()) > rules.TITLE_MAX:
        errors["title"] = _("Give a title of up to %(max)s characters.", max=rules.TITLE_MAX)
    if not new.details.strip() or len(new.details) > rules.DETAILS_MAX:
        errors["details"] = _("Describe the notice in up to %(max)s characters.", max=rules.DETAILS_MAX)
    link = (new.link or "").strip()
    if link and (not link.startswith(("https://", "http://")) or len(link) > rules.LINK_MAX):
        errors["link"] = _("Give a web address starting with https://, or leave the link empty.")
    return errors


def covering_contracts(session: Session, product: str, *, team_id: str | None) -> list[Contract]:
    """Every contract of the workspace whose options cover `product` (FC-INC-9, FC-CON-4)."""
    found = session.scalars(select(Contract).where(in_workspace(team_id)).order_by(Contract.id))
    return [c for c in found if rules.covers(c.options, product)]


def send_notice(session: Session, *, new: NewNotice, sent_by: str, team_id: str | None, idempotency_key: str,
                now: datetime) -> ProductNotice:
    """One notice, one card per covering contract in its alerts channel with its TAM and ESM mentioned."""
    existing = session.scalar(select(ProductNotice).where(ProductNotice.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    if not any(may(c, sent_by, Action.SEND_NOTICE) for c in contracts_of(session, sent_by, team_id=team_id)):
        raise NotAllowed(_("Only vendor staff named on a FlexCare contract may send notices (FC-INC-9)."))
    errors = check_notice(new)
    covering = covering_contracts(session, new.product, team_id=team_id) if "product" not in errors else []
    reachable = [(c, channel_for(c, "alerts") or channel_for(c, "incidents")) for c in covering]
    if not errors and not any(channel for _c, channel in reachable):
        errors["product"] = _("No contract with an alerts channel covers %(product)s; check the product name "
                              "against the contracts' options.", product=new.product.strip())
    if errors:
        raise InvalidNotice(errors)
    notice = ProductNotice(product=new.product.strip(), kind=new.kind, severity=new.severity,
                           title=new.title.strip(), details=new.details.strip(), link=(new.link or "").strip() or None,
                           data_loss_risk=new.data_loss_risk, disruption_risk=new.disruption_risk, sent_by=sent_by,
                           sent_at=now, idempotency_key=idempotency_key)
    session.add(notice)
    session.flush()
    for contract, channel in reachable:
        if channel is None:
            continue  # no alerts or incidents channel: nobody on that contract could read it
        planners, notifiers = rules.notice_people(contract.options, notice.product)
        delivery = NoticeDelivery(notice_id=notice.id, contract_id=contract.id, channel=channel,
                                  tams=",".join(planners), esms=",".join(notifiers))
        session.add(delivery)
        session.flush()
        enqueue(session, key=card_key(delivery), channel=channel, kind=CARD, now=now,
                params=delivery_facts(delivery, notice, contract))
    return notice


def acknowledge(session: Session, *, delivery_id: int, actor: str, now: datetime) -> NoticeDelivery:
    """The customer has read it (FC-INC-9): who and when, shown on the card."""
    delivery, contract = _load(session, delivery_id, actor, Action.ACKNOWLEDGE_NOTICE)
    if delivery.acknowledged_by is not None:
        raise FlexcareError(_("%(notice)s was already acknowledged by <@%(who)s>.",
                              notice=delivery.notice.key, who=delivery.acknowledged_by))
    delivery.acknowledged_by, delivery.acknowledged_at = actor, now
    _card_changed(session, delivery, contract, now)
    return delivery


def attach_plan(session: Session, *, delivery_id: int, actor: str, plan: ActionPlan, now: datetime) -> NoticeDelivery:
    """The TAM's action plan (FC-INC-9 enhanced patch management): install date, remote or onsite, service days."""
    delivery, contract = _load(session, delivery_id, actor, Action.PLAN_NOTICE)
    require_planner(delivery, actor)
    errors = check_plan(plan, today=now.astimezone(ZoneInfo(contract.timezone)).date())
    if errors:
        raise InvalidNotice(errors)
    delivery.install_on, delivery.plan_mode, delivery.service_days = plan.install_on, plan.mode, plan.service_days
    delivery.points_request, delivery.plan_note = plan.points_request, (plan.note or "").strip() or None
    delivery.plan_by, delivery.plan_at = actor, now
    _card_changed(session, delivery, contract, now)
    return delivery


def require_planner(delivery: NoticeDelivery, actor: str) -> None:
    if not rules.may_plan(delivery.planners, delivery.notifiers, actor):
        who = ", ".join(f"<@{u}>" for u in delivery.planners or delivery.notifiers) or _("the TAM")
        raise NotAllowed(_("The action plan for %(notice)s is reviewed by the TAM (FC-INC-9). Ask %(who)s.",
                           notice=delivery.notice.key, who=who))


def check_plan(plan: ActionPlan, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if plan.install_on is None or plan.install_on < today:
        errors["install_on"] = _("Pick the install date, today or later.")
    if plan.mode not in PLAN_MODES:
        errors["mode"] = _("Choose remote or onsite.")
    if plan.service_days is not None and not 0 <= plan.service_days <= 30:
        errors["service_days"] = _("Give the technical service days as a whole number from 0 to 30.")
    if plan.note and len(plan.note) > rules.NOTE_MAX:
        errors["note"] = _("Keep the note under %(max)s characters.", max=rules.NOTE_MAX)
    return errors


def open_deliveries(session: Session, *, contract_ids: list[str]) -> list[NoticeDelivery]:
    """Notices still waiting for the customer's acknowledgement or the TAM's plan, newest first."""
    query = (select(NoticeDelivery).where(NoticeDelivery.contract_id.in_(contract_ids),
                                          or_(NoticeDelivery.acknowledged_at.is_(None),
                                              NoticeDelivery.plan_at.is_(None)))
             .order_by(NoticeDelivery.id.desc()))
    return list(session.scalars(query))


def contracts_awaiting_acknowledgement(session: Session) -> list[str]:
    return list(session.scalars(select(NoticeDelivery.contract_id).where(
        NoticeDelivery.acknowledged_at.is_(None)).distinct().order_by(NoticeDelivery.contract_id)))


def enqueue_ack_reminders(session: Session, *, contract: Contract, now: datetime) -> int:
    """One reminder to the customer admins per notice not acknowledged within 2 business days (FC-INC-9)."""
    business_hours = ServiceCalendar.business_hours_for(contract)
    opens, closes = (datetime.combine(date.min, t) for t in (contract.service_opens, contract.service_closes))
    day_span = closes - opens  # one business day of service time
    written = 0
    waiting = session.scalars(select(NoticeDelivery).where(NoticeDelivery.contract_id == contract.id,
                                                           NoticeDelivery.acknowledged_at.is_(None)))
    for delivery in waiting:
        due = rules.acknowledgement_due(business_hours, day_span=day_span, sent_at=delivery.notice.sent_at)
        if now < due or by_key(session, reminder_key(delivery)) is not None:
            continue
        enqueue(session, key=reminder_key(delivery), channel=delivery.channel, kind=REMINDER, now=now,
                thread_of=card_key(delivery),
                params={"notice": delivery.notice.key, "title": delivery.notice.title, "contract": contract.id,
                        "admins": contract.people_with(CUSTOMER_ADMIN), "sent_at": _iso(delivery.notice.sent_at),
                        "timezone": contract.timezone, "language": contract.language})
        written += 1
    return written


def delivery_facts(delivery: NoticeDelivery, notice: ProductNotice, contract: Contract) -> dict[str, Any]:
    """Everything the card shows: plain JSON for the outbox and for `/flexcare notices`."""
    return {
        "delivery_id": delivery.id, "notice": notice.key, "contract": contract.id, "customer": contract.customer,
        "timezone": contract.timezone, "language": contract.language, "product": notice.product,
        "kind": notice.kind, "severity": notice.severity, "title": notice.title, "details": notice.details,
        "link": notice.link, "data_loss_risk": notice.data_loss_risk, "disruption_risk": notice.disruption_risk,
        "sent_by": notice.sent_by, "sent_at": _iso(notice.sent_at), "tams": delivery.planners,
        "esms": delivery.notifiers, "acknowledged_by": delivery.acknowledged_by,
        "acknowledged_at": _iso(delivery.acknowledged_at), "plan_by": delivery.plan_by,
        "plan_at": _iso(delivery.plan_at),
        "install_on": delivery.install_on.isoformat() if delivery.install_on else None,
        "plan_mode": delivery.plan_mode, "service_days": delivery.service_days,
        "points_request": delivery.points_request, "plan_note": delivery.plan_note,
    }


def get_delivery(session: Session, delivery_id: int) -> NoticeDelivery:
    delivery = session.get(NoticeDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("That notice no longer exists. `/flexcare notices` lists the open ones."))
    return delivery


def _load(session: Session, delivery_id: int, actor: str, action: Action) -> tuple[NoticeDelivery, Contract]:
    # The row lock serialises two people pressing at once: the second sees the first's acknowledgement.
    delivery = session.get(NoticeDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(_("That notice no longer exists. `/flexcare notices` lists the open ones."))
    contract = session.get_one(Contract, delivery.contract_id)
    require(contract, actor, action)
    return delivery, contract


def _card_changed(session: Session, delivery: NoticeDelivery, contract: Contract, now: datetime) -> None:
    enqueue_update(session, target_key=card_key(delivery), kind=CARD, now=now,
                   params=delivery_facts(delivery, delivery.notice, contract))


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None

