"""Review services on a real database (SQLite and PostgreSQL): the schedule generated at import and regenerated
idempotently, confirm / reschedule / mark held with their refusals and FC-DEC-5 warnings, this year's use
against entitlement, and reminders written once per stage by the sweep (FC-REV, FC-DEC-5, FC-DEC-8)."""

import copy
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.records import Contract
from domain.contracts.spec import parse_contract_file
from domain.errors import FlexcareError, NotAllowed, OutsideTerm
from domain.notifications.records import Notification
from domain.reviews import reminders
from domain.reviews import service as reviews
from domain.reviews.records import CANCELLED, CONFIRMED, HELD, RESCHEDULED, SCHEDULED, Review, ReviewPlan
from domain.reviews.rules import ReviewCadence
from scheduler.review_sweeps import sweep_reviews
from tests.domain.outbox import outbox

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 09:00 in London, 17:00 in Taipei, 04:00 in New York
TAM, ESM, MEMBER = "U0TAM001", "U0ESM001", "U0MEMB01"
REMOTE_TAM = "ACME-FC-01:remote_review:TAM:operations-bridge:"
QTR = "ACME-FC-01:technical_review:TAM:operations-bridge:"
STATS = "ACME-FC-01:support_statistics:y1q4"


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    import_file(db, examples.read_text())
    return db


def import_file(db: sessionmaker[Session], text: str, now: datetime = MONDAY_9) -> contracts.ImportReport:
    with db.begin() as session:
        return contracts.import_contracts(session, parse_contract_file(text, source="contracts.yml"),
                                          source="contracts.yml", now=now)


def examples_with(examples: Path, **acme_changes: Any) -> str:
    document = yaml.safe_load(examples.read_text())
    document["contracts"][0] |= copy.deepcopy(acme_changes)
    return yaml.safe_dump(document)


def review(db: sessionmaker[Session], key: str) -> Review:
    with db() as session:
        return session.scalars(select(Review).where(Review.key == key)).one()


def rows(db: sessionmaker[Session], contract: str = "ACME-FC-01") -> list[Review]:
    with db() as session:
        return list(session.scalars(select(Review).where(Review.contract_id == contract).order_by(Review.key)))


def act(db: sessionmaker[Session], step: Any, **kwargs: Any) -> Any:
    with db.begin() as session:
        return step(session, **kwargs)


def test_fc_rev_import_generates_each_contracts_schedule_with_the_files_cadence(db: sessionmaker[Session]) -> None:
    acme = rows(db)
    assert len(acme) == 92 and len({r.key for r in acme}) == 92
    assert all(r.status == SCHEDULED and r.planned_on == r.scheduled_on for r in acme)
    assert review(db, REMOTE_TAM + "013").scheduled_on == date(2026, 12, 8)  # 1 + 48 weeks from 2026-01-06
    assert review(db, QTR + "y1q4").scheduled_on == date(2026, 12, 8)
    assert (review(db, QTR + "y1q4").mode, review(db, QTR + "y1q4").owner) == ("onsite", TAM)
    assert {r.kind for r in rows(db, "HUDSON-FC-03")} >= {"technical_review", "strategy_review", "onsite_visit"}
    with db() as session:
        plan = session.get_one(ReviewPlan, "ACME-FC-01")
        assert (plan.remote_every_weeks, plan.weekday) == (4, "TU")


def test_fc_rev_regeneration_is_idempotent(db: sessionmaker[Session]) -> None:
    before = [(r.id, r.key, r.scheduled_on) for r in rows(db)]
    with db.begin() as session:
        contract = session.get_one(Contract, "ACME-FC-01")
        report = reviews.refresh_schedule(session, contract=contract, cadence=ReviewCadence(), now=MONDAY_9)
    assert (report.created, report.moved, report.cancelled) == (0, 0, 0)
    assert [(r.id, r.key, r.scheduled_on) for r in rows(db)] == before


def test_fc_rev_a_new_cadence_moves_generated_reviews_keeps_agreed_ones_and_never_duplicates(
        db: sessionmaker[Session], examples: Path) -> None:
    act(db, reviews.confirm, review_id=review(db, REMOTE_TAM + "013").id, by=TAM, now=MONDAY_9)
    act(db, reviews.mark_held, review_id=review(db, REMOTE_TAM + "012").id, by=TAM, now=MONDAY_9)
    report = import_file(db, examples_with(examples, reviews={"remote_every_weeks": 2, "weekday": "TH"}))
    assert report.updated == ["ACME-FC-01"]
    assert review(db, REMOTE_TAM + "013").scheduled_on == date(2026, 12, 8)  # confirmed: agreed, kept
    assert review(db, REMOTE_TAM + "012").status == HELD  # history
    assert review(db, REMOTE_TAM + "011").scheduled_on == date(2026, 5, 21)  # generated: follows the file
    assert review(db, QTR + "y1q4").scheduled_on == date(2026, 12, 10)  # the 2nd Thursday now
    count = len(rows(db))
    assert count == 146
    import_file(db, examples_with(examples, reviews={"remote_every_weeks": 4, "weekday": "TH"}))
    after = rows(db)
    assert len(after) == count and len({r.key for r in after}) == count
    assert review(db, REMOTE_TAM + "050").status == CANCELLED  # a 4-week cadence owes only 27
    assert review(db, REMOTE_TAM + "014").scheduled_on == date(2026, 12, 30)  # the 31st is an extra holiday
    assert review(db, REMOTE_TAM + "013").scheduled_on == date(2026, 12, 8)


def test_confirm_is_for_vendor_staff_and_twice_is_once(db: sessionmaker[Session]) -> None:
    target = review(db, QTR + "y1q4").id
    with pytest.raises(NotAllowed, match="Only vendor staff on contract ACME-FC-01 confirm, reschedule or mark"):
        act(db, reviews.confirm, review_id=target, by=MEMBER, now=MONDAY_9)
    act(db, reviews.confirm, review_id=target, by=TAM, now=MONDAY_9)
    act(db, reviews.confirm, review_id=target, by=ESM, now=MONDAY_9)
    confirmed = review(db, QTR + "y1q4")
    assert (confirmed.status, confirmed.confirmed_by) == (CONFIRMED, TAM)
    notices = [n for n in outbox(db) if n.kind == reminders.CHANGED]
    assert [(n.channel, n.params["what"], n.params["by"]) for n in notices] == [("C0REVIEW1", "confirmed", TAM)]


def test_fc_dec_5_rescheduling_a_remote_review_warns_which_rule_it_breaks(db: sessionmaker[Session]) -> None:
    january = review(db, REMOTE_TAM + "014").id  # 2027-01-05, January's only one; December's is on the 8th
    moved = act(db, reviews.reschedule, review_id=january, to=date(2026, 12, 11), by=TAM, now=MONDAY_9)
    assert moved.warnings == ["January 2027 now has no remote review; FC-DEC-5 asks for at least one in every "
                              "calendar month of the term.",
                              "Remote reviews on 2026-12-11 and 2026-12-08 are less than 7 days apart; FC-DEC-5 "
                              "asks for at most one a week."]
    assert (moved.review.status, moved.review.scheduled_on, moved.moved_from) == (
        RESCHEDULED, date(2026, 12, 11), date(2027, 1, 5))
    notice = [n for n in outbox(db) if n.kind == reminders.CHANGED][-1]
    assert notice.params["moved_from"] == "2027-01-05" and len(notice.params["warnings"]) == 2
    december = review(db, REMOTE_TAM + "013").id  # into January: both rules hold again
    moved = act(db, reviews.reschedule, review_id=december, to=date(2027, 1, 5), by=TAM, now=MONDAY_9)
    assert moved.warnings == []
    assert review(db, REMOTE_TAM + "013").status == RESCHEDULED


@pytest.mark.parametrize(("to", "error", "sentence"), [
    (date(2026, 12, 26), FlexcareError, "2026-12-26 is not a business day in GB; the next one is 2026-12-29."),
    (date(2026, 11, 27), FlexcareError, "2026-11-27 has passed; choose today or a later day."),
    (date(2028, 1, 4), OutsideTerm, "2028-01-04 is outside the term of ACME-FC-01 (2026-01-01 to 2027-12-31)"),
])
def test_a_reschedule_to_a_day_that_cannot_be_is_refused(db: sessionmaker[Session], to: date,
                                                         error: type[Exception], sentence: str) -> None:
    with pytest.raises(error) as refused:
        act(db, reviews.reschedule, review_id=review(db, QTR + "y1q4").id, to=to, by=TAM, now=MONDAY_9)
    assert str(refused.value).startswith(sentence)
    assert review(db, QTR + "y1q4").status == SCHEDULED


def test_fc_rev_held_reviews_count_against_this_years_entitlement(db: sessionmaker[Session]) -> None:
    with pytest.raises(FlexcareError, match="This review is on 2026-12-08, so it cannot have been held yet"):
        act(db, reviews.mark_held, review_id=review(db, QTR + "y1q4").id, by=TAM, now=MONDAY_9)
    for key in ("y1q2", "y1q3"):  # onsite in June, remote in September
        act(db, reviews.mark_held, review_id=review(db, QTR + key).id, by=TAM, now=MONDAY_9)
    act(db, reviews.mark_held, review_id=review(db, QTR + "y1q3").id, by=TAM, now=MONDAY_9)  # twice: once
    with db() as session:
        use = reviews.year_use(session, contract=session.get_one(Contract, "ACME-FC-01"), now=MONDAY_9)
    assert use is not None and use.contract_year == 1
    technical = next(u for u in use.kinds if u.kind == "technical_review")
    assert (technical.onsite_held, technical.onsite_owed, technical.remote_held, technical.remote_owed) == (
        1, 2, 1, 2)
    with pytest.raises(FlexcareError, match="This review was marked held on 2026-11-30 by <@U0TAM001>"):
        act(db, reviews.reschedule, review_id=review(db, QTR + "y1q3").id, to=date(2026, 12, 9), by=TAM,
            now=MONDAY_9)


def reminder_keys(db: sessionmaker[Session]) -> list[str]:
    return [n.key for n in outbox(db) if n.kind == reminders.REMINDER]


def test_fc_dec_8_reminders_are_written_once_per_stage_at_nine_local(db: sessionmaker[Session]) -> None:
    # First run, 08:59 in London: the latest stage due of each coming review, on all three contracts.
    assert sweep_reviews(db, lambda: datetime(2026, 11, 30, 8, 59, tzinfo=UTC)) == 13
    keys = reminder_keys(db)
    assert f"review:{QTR}y1q4:three_weeks:2026-12-08" in keys
    assert f"review:{STATS}:one_week:2026-12-01" in keys  # the day-before stage is due at 09:00, not yet
    assert f"review:{STATS}:three_weeks:2026-12-01" not in keys  # superseded: one reminder, not two
    assert sweep_reviews(db, lambda: MONDAY_9) == 1
    assert reminder_keys(db)[-1] == f"review:{STATS}:day_before:2026-12-01"
    assert sweep_reviews(db, lambda: MONDAY_9) == 0
    assert sweep_reviews(db, lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)) == 6
    assert len(reminder_keys(db)) == len(set(reminder_keys(db))) == 20
    day_before = {n.key: n for n in outbox(db)}[f"review:{STATS}:day_before:2026-12-01"]
    assert (day_before.channel, day_before.params["owner"], day_before.params["days_left"]) == (
        "C0REVIEW1", "U0AGSM01", 1)


def test_a_rescheduled_review_gets_reminders_of_its_own_date(db: sessionmaker[Session]) -> None:
    sweep_reviews(db, lambda: MONDAY_9)
    target = review(db, QTR + "y1q4").id
    act(db, reviews.reschedule, review_id=target, to=date(2026, 12, 3), by=TAM, now=MONDAY_9)
    sweep_reviews(db, lambda: MONDAY_9)
    keys = [k for k in reminder_keys(db) if k.startswith(f"review:{QTR}y1q4")]
    assert keys == [f"review:{QTR}y1q4:three_weeks:2026-12-08", f"review:{QTR}y1q4:one_week:2026-12-03"]


def test_a_contract_without_a_reviews_channel_is_reminded_in_its_alerts_channel(db: sessionmaker[Session]) -> None:
    sweep_reviews(db, lambda: datetime(2026, 12, 7, 14, tzinfo=UTC))  # 09:00 in New York
    channels = {n.channel for n in outbox(db) if n.kind == reminders.REMINDER and "HUDSON" in n.key}
    assert channels == {"C0ALERT3"}


def test_the_sweep_logs_and_skips_a_failing_contract(db: sessionmaker[Session], caplog: pytest.LogCaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = reminders.enqueue_review_reminders

    def broken_for_acme(session: Session, *, contract: Contract, now: datetime) -> int:
        if contract.id == "ACME-FC-01":
            raise RuntimeError("disk on fire")
        return real(session, contract=contract, now=now)

    monkeypatch.setattr("scheduler.review_sweeps.enqueue_review_reminders", broken_for_acme)
    with caplog.at_level(logging.ERROR, logger="scheduler.review_sweeps"):
        written = sweep_reviews(db, lambda: MONDAY_9)
    assert written > 0 and not any("ACME" in k for k in reminder_keys(db))
    assert "review sweep failed for contract ACME-FC-01" in caplog.text and "disk on fire" in caplog.text


def test_a_contract_imported_before_reviews_existed_is_planned_by_the_sweep(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.query(Review).filter(Review.contract_id == "FORMOSA-FC-07").delete()
        session.query(ReviewPlan).filter(ReviewPlan.contract_id == "FORMOSA-FC-07").delete()
    assert rows(db, "FORMOSA-FC-07") == []
    sweep_reviews(db, lambda: MONDAY_9)
    assert len(rows(db, "FORMOSA-FC-07")) == 42
    with db() as session:
        assert session.get_one(ReviewPlan, "FORMOSA-FC-07").weekday == "TU"
        assert session.scalar(select(func.count()).select_from(Notification).where(
            Notification.key.like("review:FORMOSA-FC-07:%"))) == 5


def test_a_steady_sweep_reads_what_is_due_without_visiting_each_contract(db: sessionmaker[Session]) -> None:
    # Issue 7, Speed: with every due reminder written, a sweep is a few set-based reads whatever the number of
    # contracts (here three, each with reviews inside the horizon); it opens no contract's own transaction.
    sweep_reviews(db, lambda: MONDAY_9)
    engine, statements = db.kw["bind"], []

    def count(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        if not sql.startswith("BEGIN"):  # SQLite's transaction start is a statement there, not on PostgreSQL
            statements.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert sweep_reviews(db, lambda: datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC)) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 3, statements
