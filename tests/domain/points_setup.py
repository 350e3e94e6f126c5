"""Shared set-up for the points tests: one contract imported from a file, the shipped menu, a clock."""

import copy
from datetime import UTC, date, datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.records import Contract
from domain.contracts.spec import parse_contract_file
from domain.points.menu import load_menu
from domain.points.records import PointsEntry
from domain.points.service import RequestForm

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # Sunday 09:00 in London; year 1 ends 2026-12-31
ADMIN, MEMBER, VENDOR = "U0ADMIN1", "U0MEMB01", "U0TAM001"
MENU = load_menu()
ACME: dict[str, Any] = {
    "id": "ACME-FC-01", "customer": "ACME Manufacturing", "base_support": "standard",
    "location": {"country": "GB", "subdivision": "ENG", "timezone": "Europe/London"},
    "term": {"start": "2026-01-01", "end": "2027-12-31"},
    "points": [{"year": 1, "points": 120}, {"year": 2, "points": 100}],
    "options": [{"type": "TAM", "product_family": "Operations Bridge", "person": VENDOR}],
    "people": {"customer_admins": [ADMIN, "U0ADMIN9"], "customer_members": [MEMBER]},
    "channels": {"incidents": "C0INCID1", "alerts": "C0ALERT1"},
}


def import_acme(db: sessionmaker[Session], now: datetime = NOW, **changes: Any) -> None:
    spec = copy.deepcopy(ACME) | changes
    text = yaml.safe_dump({"contracts": [spec]}, sort_keys=False)
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(text, source="contracts.yml"),
                                   source="contracts.yml", now=now)


def acme(session: Session) -> Contract:
    return session.get_one(Contract, "ACME-FC-01")


def coaching(on: date, **changes: Any) -> RequestForm:
    """Feature coaching, remote, standard hours: 3 points on the shipped menu."""
    values: dict[str, Any] = {"item_code": "feature-coaching", "service_on": on, "delivery": "remote",
                              "hours": "standard"} | changes
    return RequestForm(**values)


def service_days(on: date, days: int, **changes: Any) -> RequestForm:
    """Technical service days, remote, standard hours: 7 points a day on the shipped menu."""
    values: dict[str, Any] = {"item_code": "service-day", "service_on": on, "days": days, "delivery": "remote",
                              "hours": "standard"} | changes
    return RequestForm(**values)


def entries(db: sessionmaker[Session]) -> list[PointsEntry]:
    with db() as session:
        return list(session.scalars(select(PointsEntry).order_by(PointsEntry.id)))
