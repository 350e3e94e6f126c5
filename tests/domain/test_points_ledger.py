"""The points ledger and requests on a real database (SQLite and PostgreSQL): every step of a request's life,
purchases from the contract file, expiry, cash-out and corrections (FC-PTS-1..5, FC-TRM-1..2, FC-DEC-1..4)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts.spec import ContractFileError
from domain.errors import FlexcareError, NotAllowed
from domain.points import history, ledger
from domain.points import service as points
from domain.points.records import PointsEntry
from domain.points.rules import NotEnoughPoints
from tests.domain.outbox import outbox
from tests.domain.points_setup import (
    ADMIN,
    MEMBER,
    MENU,
    NOW,
    VENDOR,
    acme,
    coaching,
    entries,
    import_acme,
    service_days,
)

IN_22_DAYS = date(2026, 12, 21)
IN_20_DAYS = date(2026, 12, 19)
AFTER_YEAR_1 = NOW + timedelta(days=40)  # 2027-01-08


@pytest.fixture
def db(db: sessionmaker[Session]) -> sessionmaker[Session]:
    import_acme(db)
    return db


def book(db: sessionmaker[Session], form: points.RequestForm, *, by: str = ADMIN, key: str = "k1") -> int:
    with db.begin() as session:
        return points.request_service(session, contract=acme(session), menu=MENU, form=form, by=by, now=NOW,
                                      key=key).id


def year(db: sessionmaker[Session], number: int = 1, now: object = NOW) -> ledger.YearBalance:
    with db() as session:
        return ledger.year_balance(session, acme(session), number, now=now)  # type: ignore[arg-type]


def test_fc_pts_1_the_contract_files_points_become_one_purchase_per_year_once(db: sessionmaker[Session]) -> None:
    assert [(e.kind, e.contract_year, e.tenths, e.actor) for e in entries(db)] == [
        ("purchase", 1, 1200, "contract file"), ("purchase", 2, 1000, "contract file")]
    import_acme(db, customer="ACME plc")  # a changed file, same points: nothing new in the ledger
    assert len(entries(db)) == 2
    assert (year(db, 1).purchased, year(db, 1).available, year(db, 2).available) == (1200, 1200, 1000)


def test_fc_pts_1_a_changed_figure_becomes_a_correction_naming_the_purchase(db: sessionmaker[Session]) -> None:
    import_acme(db, points=[{"year": 1, "points": 150.5}, {"year": 2, "points": 100}])
    purchase, _, correction = entries(db)
    assert (correction.kind, correction.tenths, correction.corrects_id) == ("correction", 305, purchase.id)
    assert correction.reason == "the contract file changed contract year 1's points from 120 to 150.5"
    assert year(db).purchased == 1505
    import_acme(db, points=[{"year": 1, "points": 150.5}, {"year": 2, "points": 100}], customer="again")
    assert len(entries(db)) == 3


def test_fc_pts_1_the_file_cannot_lower_a_year_below_what_is_already_used(db: sessionmaker[Session]) -> None:
    book(db, service_days(IN_22_DAYS, 10))  # 70 reserved
    with pytest.raises(ContractFileError, match=r"points\[year 1\]: 60 points is less than the 70 already"):
        import_acme(db, points=[{"year": 1, "points": 60}, {"year": 2, "points": 100}])
    assert year(db).purchased == 1200


def test_fc_pts_3_a_request_reserves_its_price_and_is_posted_to_the_alerts_channel(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS, notes="Upgrade to 25.1"))
    balance = year(db)
    assert (balance.reserved, balance.available, balance.spent) == (30, 1170, 0)
    [card] = outbox(db)
    assert (card.key, card.channel, card.kind) == (f"points-request:{request_id}", "C0ALERT1", "points_request")
    assert card.params["status"] == "requested" and card.params["notes"] == "Upgrade to 25.1"
    assert (card.params["base_tenths"], card.params["surcharge_tenths"]) == (30, 0)


def test_fc_pts_4_fc_dec_2_at_20_days_notice_the_request_costs_50_percent_more(db: sessionmaker[Session]) -> None:
    book(db, coaching(IN_20_DAYS))
    [reservation] = [e for e in entries(db) if e.kind == "reservation"]
    assert (reservation.tenths, reservation.held_tenths) == (-45, 45)
    assert "1.5 short-notice surcharge (20 days' notice, FC-PTS-4)" in reservation.reason


def test_fc_pts_4_the_quote_shows_price_surcharge_and_balance_after(db: sessionmaker[Session]) -> None:
    with db() as session:
        quote = points.quote(session, contract=acme(session), menu=MENU, form=service_days(IN_20_DAYS, 2), now=NOW)
    assert (quote.price.base_tenths, quote.price.surcharge_tenths, quote.available, quote.balance_after) == (
        140, 70, 1200, 990)
    assert quote.price.normal_price_from == date(2026, 12, 20)


@pytest.mark.parametrize(("form", "field", "sentence"), [
    (coaching(date(2026, 11, 28)), "date", "2026-11-28 has already passed. Choose today or a later day."),
    (coaching(date(2028, 1, 3)), "date", "2028-01-03 is outside this contract's term (2026-01-01 to 2027-12-31)."),
    (coaching(IN_22_DAYS, item_code="massage"), "service", "Choose a service from the menu."),
    (coaching(IN_22_DAYS, hours="outside"), "options", "New-feature usage and configuration coaching is offered as"),
    (service_days(IN_22_DAYS, 0), "days", "Enter between 1 and 30 days."),
])
def test_a_form_that_cannot_be_booked_names_the_field(db: sessionmaker[Session], form: points.RequestForm,
                                                      field: str, sentence: str) -> None:
    with pytest.raises(points.RequestFormError) as caught:
        book(db, form)
    assert caught.value.field == field and str(caught.value).startswith(sentence)
    assert len(entries(db)) == 2


def test_fc_pts_1_more_than_available_is_refused_saying_how_many_are_available(db: sessionmaker[Session]) -> None:
    book(db, service_days(IN_22_DAYS, 17), key="a")  # 119 of 120
    with pytest.raises(NotEnoughPoints) as caught:
        book(db, coaching(IN_22_DAYS), key="b")
    assert str(caught.value).startswith("Not enough points: this needs 3 points and contract year 1 has 1 available.")
    assert year(db).available == 10


def test_only_customer_admins_may_spend_points(db: sessionmaker[Session]) -> None:
    for person in (MEMBER, VENDOR):
        with pytest.raises(NotAllowed, match="you may not spend points"):
            book(db, coaching(IN_22_DAYS), by=person)


def test_the_same_submission_twice_books_once(db: sessionmaker[Session]) -> None:
    assert book(db, coaching(IN_22_DAYS), key="view-1") == book(db, coaching(IN_22_DAYS), key="view-1")
    assert year(db).reserved == 30


def step(db: sessionmaker[Session], action: str, request_id: int, *, by: str = VENDOR, now: object = NOW) -> str:
    with db.begin() as session:
        return str(getattr(points, f"{action}_request")(session, request_id=request_id, by=by, now=now).status)


def test_accept_then_deliver_turns_the_reservation_into_spend(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS))
    assert step(db, "accept", request_id) == "accepted"
    assert step(db, "deliver", request_id) == "delivered"
    balance = year(db)
    assert (balance.spent, balance.reserved, balance.available) == (30, 0, 1170)
    assert [n.key for n in outbox(db)] == [f"points-request:{request_id}", f"points-request:{request_id}:accepted",
                                           f"points-request:{request_id}:delivered"]
    assert outbox(db)[-1].params["status"] == "delivered"


def test_fc_pts_4_vendor_staff_may_decline_and_the_points_come_back(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_20_DAYS))
    assert step(db, "decline", request_id) == "declined"
    assert (year(db).reserved, year(db).available) == (0, 1200)
    with pytest.raises(FlexcareError, match="is declined, so it can no longer be accepted"):
        step(db, "accept", request_id)


def test_the_requester_may_cancel_before_delivery_others_may_not(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS))
    step(db, "accept", request_id)
    with pytest.raises(NotAllowed, match="Only the person who made request"):
        step(db, "cancel", request_id, by=MEMBER)
    assert step(db, "cancel", request_id, by=ADMIN) == "cancelled"
    assert (year(db).reserved, year(db).available) == (0, 1200)
    with pytest.raises(FlexcareError, match="is cancelled; only an accepted request can be delivered"):
        step(db, "deliver", request_id)


def test_deciding_needs_vendor_staff(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS))
    with pytest.raises(NotAllowed, match="accept or decline a points request"):
        step(db, "accept", request_id, by=ADMIN)


def test_fc_pts_5_extra_days_are_held_with_the_request_and_spent_on_delivery(db: sessionmaker[Session]) -> None:
    request_id = book(db, service_days(IN_22_DAYS, 2))
    with db.begin() as session:
        entry = points.charge_extra_days(session, request_id=request_id, menu=MENU, days=2, reason="4-node cluster",
                                         by=VENDOR, now=NOW, key="x1")
    assert (entry.kind, entry.tenths, entry.held_tenths) == ("extra_days", -160, 160)
    assert "4-node cluster" in entry.reason and outbox(db)[-1].params["extra_tenths"] == 160
    step(db, "accept", request_id)
    step(db, "deliver", request_id)
    assert (year(db).spent, year(db).reserved, year(db).available) == (300, 0, 900)


def test_fc_pts_1_an_ended_year_has_nothing_available_before_its_expiry_entry(db: sessionmaker[Session]) -> None:
    book(db, coaching(IN_22_DAYS))
    balance = year(db, now=AFTER_YEAR_1)
    assert (balance.ended, balance.available, balance.lapsing, balance.expired) == (True, 0, 1170, 0)
    with db.begin() as session:
        assert ledger.years_to_expire(session, now=AFTER_YEAR_1) == [("ACME-FC-01", 1)]


def test_fc_pts_1_expiry_is_one_entry_however_often_it_runs(db: sessionmaker[Session]) -> None:
    book(db, coaching(IN_22_DAYS))
    with db.begin() as session:
        assert ledger.expire_year(session, contract=acme(session), number=1, now=NOW) is None  # not ended yet
    for _ in range(3):
        with db.begin() as session:
            ledger.expire_year(session, contract=acme(session), number=1, now=AFTER_YEAR_1)
    assert [(e.kind, e.tenths) for e in entries(db) if e.kind == "expiry"] == [("expiry", -1170)]
    balance = year(db, now=AFTER_YEAR_1)
    assert (balance.expired, balance.unused, balance.reserved) == (1170, 0, 30)
    with db.begin() as session:
        assert ledger.years_to_expire(session, now=AFTER_YEAR_1) == []


def test_fc_dec_1_a_reservation_may_still_be_delivered_after_its_year_ends(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS))
    step(db, "accept", request_id)
    step(db, "deliver", request_id, now=AFTER_YEAR_1)
    assert (year(db, now=AFTER_YEAR_1).spent, year(db, now=AFTER_YEAR_1).reserved) == (30, 0)


def test_fc_dec_1_released_after_its_year_ends_the_points_expire_at_once(db: sessionmaker[Session]) -> None:
    request_id = book(db, coaching(IN_22_DAYS))
    with db.begin() as session:
        ledger.expire_year(session, contract=acme(session), number=1, now=AFTER_YEAR_1)
    step(db, "cancel", request_id, by=ADMIN, now=AFTER_YEAR_1)
    assert [(e.kind, e.tenths) for e in entries(db)][-2:] == [("release", 30), ("expiry", -30)]
    balance = year(db, now=AFTER_YEAR_1)
    assert (balance.unused, balance.expired, balance.reserved) == (0, 1200, 0)


def test_fc_pts_2_fc_dec_4_cash_out_only_where_the_contract_requires_it(db: sessionmaker[Session]) -> None:
    with db.begin() as session, pytest.raises(NotAllowed, match="not marked cashout_required"):
        ledger.cash_out(session, contract=acme(session), number=1, approval_reference="LAW-1", operator="ops",
                        now=AFTER_YEAR_1)
    import_acme(db, cashout_required=True)
    with db.begin() as session:
        assert ledger.expire_year(session, contract=acme(session), number=1, now=AFTER_YEAR_1) is None  # owed
        with pytest.raises(FlexcareError, match="approval reference"):
            ledger.cash_out(session, contract=acme(session), number=1, approval_reference=" ", operator="ops",
                            now=AFTER_YEAR_1)
    with db.begin() as session:
        entry = ledger.cash_out(session, contract=acme(session), number=1, approval_reference="LAW-1",
                                operator="ops", now=AFTER_YEAR_1)
    assert (entry.kind, entry.tenths, entry.reference, entry.actor) == ("cashout", -1200, "LAW-1", "ops")
    balance = year(db, now=AFTER_YEAR_1)
    assert (balance.cashed_out, balance.unused, balance.expired) == (1200, 0, 0)


def test_a_correction_names_its_entry_and_reason_and_cannot_go_below_zero(db: sessionmaker[Session]) -> None:
    purchase = entries(db)[0]
    with db.begin() as session:
        with pytest.raises(NotEnoughPoints):
            ledger.correct(session, contract=acme(session), corrects_id=purchase.id, tenths=-1201,
                           reason="typo", by="ops", now=NOW, key="c1")
        ledger.correct(session, contract=acme(session), corrects_id=purchase.id, tenths=-200, reason="typo",
                       by="ops", now=NOW, key="c1")
    assert year(db).available == 1000


def test_fc_pts_1_points_added_to_an_ended_year_expire_at_once(db: sessionmaker[Session]) -> None:
    purchase = entries(db)[0]
    with db.begin() as session:
        ledger.expire_year(session, contract=acme(session), number=1, now=AFTER_YEAR_1)
        ledger.correct(session, contract=acme(session), corrects_id=purchase.id, tenths=50, reason="late top-up",
                       by="ops", now=AFTER_YEAR_1, key="c2")
    assert [(e.kind, e.tenths) for e in entries(db)][-2:] == [("correction", 50), ("expiry", -50)]


def test_the_ledger_cannot_be_rewritten(db: sessionmaker[Session]) -> None:
    with db.begin() as session, pytest.raises(ValueError, match="is history"):
        entry = session.get_one(PointsEntry, 1)
        entry.tenths = 99999
        session.flush()
    with db.begin() as session, pytest.raises(Exception, match="append-only"):
        session.execute(update(PointsEntry).values(tenths=99999))


def test_history_is_newest_first_in_pages_and_the_csv_has_a_running_balance(db: sessionmaker[Session]) -> None:
    for n in range(3):
        book(db, coaching(IN_22_DAYS), key=f"k{n}")
    with db() as session:
        page = history.history(session, acme(session), limit=2)
        assert ([e.kind for e in page.entries], page.total, page.next_offset) == (
            ["reservation", "reservation"], 5, 2)
        text = history.ledger_csv(history.year_entries(session, acme(session), 1))
    lines = text.splitlines()
    assert lines[0].startswith("entry,recorded_at_utc,contract,contract_year,kind,points")
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["120", "117", "114", "111"]
