"""Point expiry (FC-PTS-1, FC-PTS-2, FC-PTS-4, FC-DEC-8): reminders to the alerts channel before a contract
year's points expire, and the expiry entry itself once the year has ended. Which reminder is due is
domain.points.reminders' decision; the expiry is domain.points.ledger.expire_year (idempotent).

Contracts marked `cashout_required` get no reminder: their unused points are paid out, not lost (FC-DEC-4).
"""

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts.channels import channel_for
from domain.contracts.records import CUSTOMER_ADMIN, Contract, ContractYear
from domain.notifications.service import enqueue
from domain.points import ledger
from domain.points import reminders as expiry
from domain.points.menu import ServiceMenu, load_menu
from domain.points.records import PointsEntry
from domain.points.rules import expires_at, last_normal_price_booking_day, local_day
from handlers.blocks.reminders import POINTS_EXPIRY
from scheduler.sweeps import Clock, each_unit, written_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Reminder:
    contract_id: str
    year: int
    reminder: expiry.ExpiryReminder
    late: bool


def service_menu() -> ServiceMenu:
    """The deployment's menu (FLEXCARE_SERVICE_MENU, checked by bot.settings at start) or the shipped one."""
    configured = os.environ.get("FLEXCARE_SERVICE_MENU", "").strip()
    return load_menu(Path(configured) if configured else None)


def sweep_points_expiry_reminders(db: sessionmaker[Session], clock: Clock) -> int:
    """Write every expiry reminder due now; returns how many were written."""
    now = clock()
    # Every zone is within a day of UTC, so this window holds every year whose reminders may be due today.
    today = now.date()
    query = (select(ContractYear, Contract).join(Contract, Contract.id == ContractYear.contract_id)
             .where(ContractYear.ends_on >= today - timedelta(days=1),
                    ContractYear.ends_on <= today + timedelta(days=expiry.LOOKAHEAD_DAYS),
                    Contract.cashout_required.is_(False)))
    with db() as session:
        years = list(session.execute(query))
        planned = {(c.id, y.number): (y, c, expiry.expiry_reminders(y, c)) for y, c in years}
        written = written_keys(session, [expiry.reminder_key(c, n, r.stage)
                                         for (c, n), (_y, _c, rs) in planned.items() for r in rs])
        due = []
        for (contract_id, number), (year, contract, reminders) in planned.items():
            stages = {r.stage for r in reminders if expiry.reminder_key(contract_id, number, r.stage) in written}
            choice = expiry.reminder_to_post(reminders, now=now, written=stages,
                                             local_today=local_day(now, contract.timezone),
                                             expiry=expires_at(year, contract.timezone))
            if choice is not None:
                due.append(_Reminder(contract_id, number, choice[0], choice[1]))
        available = _unused(session, [(r.contract_id, r.year) for r in due])
    menu = service_menu()
    wanted = [r for r in due if available.get((r.contract_id, r.year), 0) > 0]
    return each_unit(db, wanted, lambda session, r: _write(session, r, available[(r.contract_id, r.year)], menu,
                                                          now), what="point-expiry reminder")


def _unused(session: Session, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """Unused tenths of each (contract, year), in one aggregate over just those years' ledger entries."""
    if not pairs:
        return {}
    query = (select(PointsEntry.contract_id, PointsEntry.contract_year, func.sum(PointsEntry.tenths))
             .where(tuple_(PointsEntry.contract_id, PointsEntry.contract_year).in_(pairs))
             .group_by(PointsEntry.contract_id, PointsEntry.contract_year))
    return {(c, n): int(total or 0) for c, n, total in session.execute(query)}


def _write(session: Session, due: _Reminder, available: int, menu: ServiceMenu, now: datetime) -> int:
    contract = session.get_one(Contract, due.contract_id)
    channel = channel_for(contract, "alerts") or channel_for(contract, "incidents")
    if channel is None:
        log.warning("contract %s has no alerts channel; its point-expiry reminder waits until one is linked",
                    contract.id)
        return 0
    year = next(y for y in contract.years if y.number == due.year)
    today = local_day(now, contract.timezone)
    buys = expiry.still_buys(menu, available, short_notice=expiry.short_notice_from(today, year))
    params: dict[str, Any] = {
        "contract": contract.id, "customer": contract.customer, "contract_year": year.number,
        "stage": due.reminder.stage, "stage_at": due.reminder.at.isoformat(), "late": due.late,
        "available_tenths": available, "expires_on": expiry.expires_on(year).isoformat(),
        "last_normal_price_day": last_normal_price_booking_day(year.ends_on).isoformat(),
        "today": today.isoformat(), "admins": contract.people_with(CUSTOMER_ADMIN),
        "buys": [{"code": b.code, "name": b.name, "unit": b.unit, "delivery": b.delivery, "hours": b.hours,
                  "price_tenths": b.price_tenths, "units": b.units} for b in buys],
        "timezone": contract.timezone, "language": contract.language,
    }
    enqueue(session, key=expiry.reminder_key(contract.id, year.number, due.reminder.stage), channel=channel,
            kind=POINTS_EXPIRY, params=params, now=now)
    return 1


def sweep_points_expiry(db: sessionmaker[Session], clock: Clock) -> int:
    """Write the expiry entry of every ended year that still holds unused points (FC-PTS-1); returns how many."""
    now = clock()
    with db() as session:
        candidates = ledger.years_to_expire(session, now=now)
        unused = _unused(session, candidates)
    ended = [pair for pair in candidates if unused.get(pair, 0) > 0]
    return each_unit(db, ended, lambda session, pair: _expire(session, pair, now), what="points expiry")


def _expire(session: Session, pair: tuple[str, int], now: datetime) -> int:
    contract = session.get_one(Contract, pair[0])
    entry = ledger.expire_year(session, contract=contract, number=pair[1], now=now)
    if entry is not None:
        log.info("contract %s year %s: %s tenths of a point expired", pair[0], pair[1], -entry.tenths)
    return 0  # the ledger entry is the record; nobody is notified of it beyond the reminders before
