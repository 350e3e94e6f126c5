"""Service requests paid with points (FC-PTS-3..5, FC-TRM-1..2, FC-DEC-1..3): quote, request, decide, close.

Each use case is one ledger transaction plus one outbox notification, framed by the caller. Every
change to a year's points takes that year's lock first (domain.points.ledger), so requests made
at the same moment queue and the year never goes below zero.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import formats
from domain.access import Action, may, require
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotAllowed, NotFound
from domain.points import ledger, notices, reasons, rules
from domain.points.menu import DELIVERY_WORDS, HOURS_WORDS, MAX_DAYS, MenuItem, ServiceMenu
from domain.points.records import (
    ACCEPTED,
    CANCELLED,
    DECLINED,
    DELIVERED,
    EXTRA_DAYS,
    OPEN_STATUSES,
    RELEASE,
    REQUESTED,
    RESERVATION,
    SPEND,
    STATUS_WORDS,
    PointsEntry,
    ServiceRequest,
)
from domain.words import _


class RequestFormError(FlexcareError):
    """A request form that cannot be booked; `field` says which input to mark (service, date, days, options,
    points)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RequestForm:
    item_code: str
    service_on: date
    days: int = 1
    delivery: str = "remote"
    hours: str = "standard"
    notes: str = ""


@dataclass(frozen=True)
class Quote:
    """What a form would cost now, and what the paying year would have left (shown before confirming)."""

    item: MenuItem
    units: int  # days for a per-day service, else 1
    price: rules.Price
    contract_year: int
    available: int

    @property
    def balance_after(self) -> int:
        return self.available - self.price.total_tenths


def quote(session: Session, *, contract: Contract, menu: ServiceMenu, form: RequestForm, now: datetime) -> Quote:
    """Price a form and check it against the paying year's balance (FC-PTS-4, FC-DEC-1, FC-DEC-2)."""
    item = _checked_item(menu, form)
    today = rules.local_day(now, contract.timezone)
    if form.service_on < today:
        raise RequestFormError("date", _("%(day)s has already passed. Choose today or a later day.",
                                         day=formats.iso_date(form.service_on)))
    try:
        year = rules.paying_year(contract.years, form.service_on)
    except FlexcareError as exc:
        raise RequestFormError("date", str(exc)) from None
    days = form.days if item.per_day else 1
    price = rules.price(unit_tenths=item.unit_tenths(form.delivery, form.hours), units=days, requested_at=now,
                        service_on=form.service_on, zone=contract.timezone)
    available = ledger.year_balance(session, contract, year.number, now=now).available
    return Quote(item=item, units=days, price=price, contract_year=year.number, available=available)


def _checked_item(menu: ServiceMenu, form: RequestForm) -> MenuItem:
    item = menu.item(form.item_code)
    if item is None:
        raise RequestFormError("service", _("Choose a service from the menu."))
    if item.per_day and not 1 <= form.days <= MAX_DAYS:
        raise RequestFormError("days", _("Enter between 1 and %(max)s days.", max=MAX_DAYS))
    if not item.offers(form.delivery, form.hours):
        offered = "; ".join(f"{_(DELIVERY_WORDS[d])}, {_(HOURS_WORDS[h])}" for d, h in item.prices)
        raise RequestFormError("options", _("%(service)s is offered as: %(offered)s. Choose one of those.",
                                            service=item.name, offered=offered))
    return item


def request_service(session: Session, *, contract: Contract, menu: ServiceMenu, form: RequestForm, by: str,
                    now: datetime, key: str) -> ServiceRequest:
    """A customer admin books a service; its points are reserved in the paying year at once (FC-PTS-3)."""
    require(contract, by, Action.SPEND_POINTS)
    existing = session.scalar(select(ServiceRequest).where(ServiceRequest.idempotency_key == key))
    if existing is not None:
        return existing  # the same submission delivered twice books once
    preview = quote(session, contract=contract, menu=menu, form=form, now=now)
    ledger.lock_year(session, contract, preview.contract_year)
    checked = quote(session, contract=contract, menu=menu, form=form, now=now)  # re-read under the lock
    if checked.balance_after < 0:
        raise rules.NotEnoughPoints(needed=checked.price.total_tenths, available=checked.available,
                                    year=checked.contract_year)
    item, price = checked.item, checked.price
    request = ServiceRequest(
        contract_id=contract.id, contract_year=checked.contract_year, item_code=item.code, item_name=item.name,
        unit=item.unit, service_on=form.service_on, days=form.days if item.per_day else 1, delivery=form.delivery,
        hours=form.hours, notes=form.notes.strip()[:3000], base_tenths=price.base_tenths,
        surcharge_tenths=price.surcharge_tenths, notice_days=price.notice_days, status=REQUESTED,
        requested_by=by, requested_at=now, idempotency_key=key)
    session.add(request)
    session.flush()
    ledger.append(session, PointsEntry(
        contract_id=contract.id, contract_year=request.contract_year, kind=RESERVATION, tenths=-request.total_tenths,
        held_tenths=request.total_tenths, request_id=request.id, actor=by, recorded_at=now,
        idempotency_key=f"reservation:{request.id}", reason=reasons.reserved(contract, request)))
    notices.request_posted(session, contract=contract, request=request, now=now)
    return request


def accept_request(session: Session, *, request_id: int, by: str, now: datetime) -> ServiceRequest:
    """Vendor staff take the request on; a short-notice one at the surcharge already reserved (FC-PTS-4)."""
    request, contract = _for_change(session, request_id, by, Action.DECIDE_POINTS_REQUEST)
    if request.status != REQUESTED:
        raise FlexcareError(_("Request %(request)s is %(status)s, so it can no longer be accepted.",
                              request=request.id, status=_(STATUS_WORDS[request.status])))
    request.status, request.decided_by, request.decided_at = ACCEPTED, by, now
    _announce(session, contract, request, step=request.status, now=now)
    return request


def decline_request(session: Session, *, request_id: int, by: str, now: datetime) -> ServiceRequest:
    """Vendor staff decline (e.g. too short notice, FC-TRM-1); the reserved points go back to the year."""
    request, contract = _for_change(session, request_id, by, Action.DECIDE_POINTS_REQUEST)
    if request.status != REQUESTED:
        raise FlexcareError(_("Request %(request)s is %(status)s, so it can no longer be declined.",
                              request=request.id, status=_(STATUS_WORDS[request.status])))
    request.status, request.decided_by, request.decided_at = DECLINED, by, now
    _release(session, contract, request, by, now)
    _announce(session, contract, request, step=request.status, now=now)
    return request


def cancel_request(session: Session, *, request_id: int, by: str, now: datetime) -> ServiceRequest:
    """The requester (or another customer admin) cancels before delivery; the points are released."""
    request, contract = _for_change(session, request_id, by, None)
    if by != request.requested_by and not may(contract, by, Action.SPEND_POINTS):
        raise NotAllowed(_("Only the person who made request %(request)s or a customer admin of %(contract)s "
                           "can cancel it.", request=request.id, contract=contract.id))
    if request.status not in OPEN_STATUSES:
        raise FlexcareError(_("Request %(request)s is %(status)s, so it can no longer be cancelled.",
                              request=request.id, status=_(STATUS_WORDS[request.status])))
    request.status, request.closed_by, request.closed_at = CANCELLED, by, now
    _release(session, contract, request, by, now)
    _announce(session, contract, request, step=request.status, now=now)
    return request


def deliver_request(session: Session, *, request_id: int, by: str, now: datetime) -> ServiceRequest:
    """Vendor staff record delivery: what was held is spent, even after the year has ended (FC-DEC-1)."""
    request, contract = _for_change(session, request_id, by, Action.DECIDE_POINTS_REQUEST)
    if request.status != ACCEPTED:
        raise FlexcareError(_("Request %(request)s is %(status)s; only an accepted request can be delivered.",
                              request=request.id, status=_(STATUS_WORDS[request.status])))
    request.status, request.closed_by, request.closed_at = DELIVERED, by, now
    held = held_for(session, request.id)
    ledger.append(session, PointsEntry(
        contract_id=contract.id, contract_year=request.contract_year, kind=SPEND, tenths=0, held_tenths=-held,
        request_id=request.id, actor=by, recorded_at=now, idempotency_key=f"spend:{request.id}",
        reason=reasons.delivered(contract, request)))
    _announce(session, contract, request, step=request.status, now=now)
    return request


def charge_extra_days(session: Session, *, request_id: int, menu: ServiceMenu, days: int, reason: str, by: str,
                      now: datetime, key: str) -> PointsEntry:
    """FC-PTS-5, FC-TRM-2: vendor staff add days for size or complexity before delivery, with the reason."""
    request, contract = _for_change(session, request_id, by, Action.DECIDE_POINTS_REQUEST)
    if request.status not in OPEN_STATUSES:
        raise FlexcareError(_("Request %(request)s is %(status)s; extra days can be added only before delivery.",
                              request=request.id, status=_(STATUS_WORDS[request.status])))
    if not 1 <= days <= MAX_DAYS or not reason.strip():
        raise RequestFormError("days", _("Enter between 1 and %(max)s extra days and the reason for them.",
                                         max=MAX_DAYS))
    cost = days * menu.extra_day_tenths
    available = ledger.year_balance(session, contract, request.contract_year, now=now).available
    if cost > available:
        raise rules.NotEnoughPoints(needed=cost, available=available, year=request.contract_year)
    entry = ledger.append(session, PointsEntry(
        contract_id=contract.id, contract_year=request.contract_year, kind=EXTRA_DAYS, tenths=-cost, held_tenths=cost,
        request_id=request.id, actor=by, recorded_at=now, idempotency_key=f"extra_days:{request.id}:{key}",
        reason=reasons.extra_days(contract, request, days=days, reason=reason)))
    _announce(session, contract, request, step=f"extra-days:{entry.id}", now=now)
    return entry


def _for_change(session: Session, request_id: int, by: str,
                action: Action | None) -> tuple[ServiceRequest, Contract]:
    request = session.get(ServiceRequest, request_id)
    contract = session.get(Contract, request.contract_id) if request is not None else None
    if request is None or contract is None:
        raise NotFound(_("There is no points request %(request)s.", request=request_id))
    if action is not None:
        require(contract, by, action)
    ledger.lock_year(session, contract, request.contract_year)
    session.refresh(request)  # the status as it stands now that this year's writers queue behind us
    return request, contract


def _release(session: Session, contract: Contract, request: ServiceRequest, by: str, now: datetime) -> None:
    """Give a declined or cancelled request's points back (its status, already set, names which)."""
    held = held_for(session, request.id)
    ledger.append(session, PointsEntry(
        contract_id=contract.id, contract_year=request.contract_year, kind=RELEASE, tenths=held, held_tenths=-held,
        request_id=request.id, actor=by, recorded_at=now, idempotency_key=f"release:{request.id}",
        reason=reasons.released(contract, request)))
    year = next(y for y in contract.years if y.number == request.contract_year)
    if rules.year_has_ended(year, now=now, zone=contract.timezone):
        # FC-DEC-1: released after the year ended, the points expire at once.
        ledger.expire_unused(session, contract=contract, number=year.number, key=f"expiry:release:{request.id}",
                             now=now, reason=reasons.released_after_year_end(contract, request, year=year.number))


def _announce(session: Session, contract: Contract, request: ServiceRequest, *, step: str, now: datetime) -> None:
    notices.request_moved(session, contract=contract, request=request, step=step,
                          extra_tenths=extra_days_for(session, request.id), now=now)


def extra_days_for(session: Session, request_id: int) -> int:
    """Tenths added on top of the request's price by extra-days charges (FC-PTS-5)."""
    return int(session.scalar(select(func.coalesce(func.sum(PointsEntry.held_tenths), 0))
                              .where(PointsEntry.request_id == request_id, PointsEntry.kind == EXTRA_DAYS)) or 0)


def held_for(session: Session, request_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(PointsEntry.held_tenths), 0))
                              .where(PointsEntry.request_id == request_id)) or 0)


def get_request(session: Session, request_id: int) -> ServiceRequest:
    request = session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound(_("There is no points request %(request)s.", request=request_id))
    return request
