"""The quarterly report sent on its own (issue 8 item 3, FC-REV, FC-DEC-8): a week before the first quarterly review
of December, at 09:00 contract time, the 2026-Q3 report goes to the reviews channel once per contract, however
often the sweep runs. Real databases (SQLite and PostgreSQL), the example contracts, a hand-moved clock."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.reviews.records import Review
from handlers.blocks.notifications import render_notification
from scheduler.report_sweeps import is_due, sweep_quarterly_reports
from tests.domain.outbox import outbox

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=MONDAY_9)
    return db


def sweep(db: sessionmaker[Session], at: datetime) -> int:
    return sweep_quarterly_reports(db, lambda: at)


def test_the_example_contracts_first_december_review_is_the_technical_one_on_the_8th(
        db: sessionmaker[Session]) -> None:
    with db() as session:
        first = session.scalars(select(Review).where(Review.contract_id == "ACME-FC-01",
                                                     Review.kind.in_(("technical_review", "business_review")),
                                                     Review.scheduled_on >= MONDAY_9.date())
                                .order_by(Review.scheduled_on)).first()
    assert first is not None and (first.kind, first.scheduled_on.isoformat()) == ("technical_review", "2026-12-08")


def test_fc_rev_a_week_before_the_review_at_9_contract_time_the_report_is_posted_once(
        db: sessionmaker[Session]) -> None:
    assert sweep(db, MONDAY_9) == 0  # eight days before
    assert sweep(db, datetime(2026, 12, 1, 0, 59, tzinfo=UTC)) == 0  # 08:59 in Taipei
    assert sweep(db, datetime(2026, 12, 1, 1, 0, tzinfo=UTC)) == 1  # 09:00 in Taipei: FORMOSA
    assert sweep(db, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 1  # 09:00 in London: ACME
    assert sweep(db, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0  # again: nothing new
    assert sweep(db, datetime(2026, 12, 8, 14, 0, tzinfo=UTC)) == 1  # HUDSON (New York); the business reviews: no
    rows = outbox(db)
    reports = [n for n in rows if n.kind == "quarterly_report"]
    assert [(n.key, n.channel) for n in reports] == [
        ("quarterly-report:FORMOSA-FC-07:2026-Q3", "C0REVIEW2"), ("quarterly-report:ACME-FC-01:2026-Q3", "C0REVIEW1"),
        ("quarterly-report:HUDSON-FC-03:2026-Q3", "C0ALERT3")]  # HUDSON has no reviews channel: its alerts one
    acme = reports[1]
    assert (acme.params["review_kind"], acme.params["review_on"]) == ("technical_review", "2026-12-08")
    message = render_notification(acme.kind, acme.params)
    assert message.text.startswith("Support report 2026-Q3: ACME-FC-01: 0 incidents opened")
    assert "a week before the Quarterly technical review on 2026-12-08" in str(message.as_kwargs()["blocks"])


def test_after_downtime_the_report_still_goes_before_the_review_but_not_after_it(db: sessionmaker[Session]) -> None:
    assert sweep(db, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == 3  # every contract, the day before its review
    assert sweep(db, datetime(2026, 12, 14, 12, 0, tzinfo=UTC)) == 0  # the business reviews: the quarter is sent
    london = "Europe/London"
    assert is_due(date(2026, 12, 8), now=datetime(2026, 12, 8, 23, 0, tzinfo=UTC), zone=london)  # its day
    assert not is_due(date(2026, 12, 8), now=datetime(2026, 12, 9, 0, 0, tzinfo=UTC), zone=london)  # the day after


def test_a_steady_sweep_costs_what_is_due_not_one_visit_per_contract(db: sessionmaker[Session]) -> None:
    # Issue 7, Speed: once every due report is written, a sweep is three set-based reads, however many
    # contracts have a quarterly review coming up (here all three).
    from typing import Any

    from sqlalchemy import event

    due_for_all = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    assert sweep(db, due_for_all) == 3
    engine, statements = db.kw["bind"], []

    def count(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        if not sql.startswith("BEGIN"):
            statements.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert sweep(db, due_for_all) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 3, statements
