"""The review calendar as iCalendar (FC-REV): it parses back, one event per scheduled review, stable UIDs, the
contract's VTIMEZONE, the owner and onsite/remote in each event, and a second export identical to the first."""

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.records import Contract
from domain.contracts.spec import parse_contract_file
from domain.reports.ics import review_calendar, review_uid
from domain.reports.service import scheduled_reviews
from domain.reviews import service as reviews

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TAM = "U0TAM001"


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=MONDAY_9)
    return db


def export(db: sessionmaker[Session], contract_id: str = "ACME-FC-01") -> tuple[bytes, int, list[str]]:
    with db() as session:
        contract = session.get_one(Contract, contract_id)
        rows = scheduled_reviews(session, contract)
        return review_calendar(contract, rows), len(rows), [review_uid(r) for r in rows]


def test_fc_rev_the_calendar_parses_back_with_one_event_per_scheduled_review(db: sessionmaker[Session]) -> None:
    content, count, uids = export(db)
    calendar = Calendar.from_ical(content)
    events = list(calendar.walk("VEVENT"))
    assert count > 10 and len(events) == count
    assert sorted(str(e["UID"]) for e in events) == sorted(uids) and len(set(uids)) == count
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    for event in events:
        assert event["X-FLEXCARE-MODE"] in ("onsite", "remote")
        assert str(event["X-FLEXCARE-OWNER"]) in str(event["DESCRIPTION"])
        assert event.start.tzinfo is not None and str(event.start.tzinfo) == "Europe/London"


def test_onsite_reviews_take_the_service_day_and_remote_ones_an_hour(db: sessionmaker[Session]) -> None:
    events = list(Calendar.from_ical(export(db)[0]).walk("VEVENT"))
    onsite = next(e for e in events if e["X-FLEXCARE-MODE"] == "onsite")
    remote = next(e for e in events if e["X-FLEXCARE-MODE"] == "remote")
    assert (onsite.start.time(), onsite.end.time()) == (time(8), time(17))
    assert str(onsite["LOCATION"]) == "Onsite at ACME Manufacturing" and str(remote["LOCATION"]) == "Remote"
    assert (remote.start.time(), remote.end.time()) == (time(10), time(11))


def test_a_second_export_has_the_same_uids_and_bytes_and_a_move_updates_in_place(db: sessionmaker[Session]) -> None:
    first, _count, uids = export(db)
    again, _count, uids_again = export(db)
    assert again == first and uids_again == uids
    with db() as session:
        review = next(r for r in scheduled_reviews(session, session.get_one(Contract, "ACME-FC-01"))
                      if r.kind == "remote_review" and r.scheduled_on > date(2026, 12, 20))
        review_id, day = review.id, review.scheduled_on
    with db.begin() as session:
        reviews.reschedule(session, review_id=review_id, to=date(2026, 12, 22), by=TAM, now=MONDAY_9)
    moved, _count, uids_moved = export(db)
    assert uids_moved.count(review_uid(review)) == 1 and sorted(uids_moved) == sorted(uids)
    event = next(e for e in Calendar.from_ical(moved).walk("VEVENT") if str(e["UID"]) == review_uid(review))
    assert event.start.date() == date(2026, 12, 22) != day
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (1, "CONFIRMED")
    assert event.start == datetime(2026, 12, 22, 10, tzinfo=ZoneInfo("Europe/London"))
