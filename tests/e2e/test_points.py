"""Points end to end (issue 6): `/flexcare points`, the request modal with its live price, the card in the alerts
channel and every button on it, extra days, history pages and the CSV export, through signed requests into the
real app. The clock: Mon 2026-11-30 09:00 UTC (ACME's year 1 ends 2026-12-31, London)."""

import csv
import io
from datetime import date
from typing import Any

import pytest

from domain.points import service as points
from domain.points.history import CSV_COLUMNS
from domain.points.menu import load_menu
from handlers.blocks import points_forms as forms
from tests.e2e.harness import Harness
from tests.e2e.points_steps import (
    ACME_ADMIN,
    ACME_MEMBER,
    ACME_TAM,
    button_value,
    card,
    change,
    fill_in,
    modal,
    open_request_modal,
    press,
    price_of,
    said,
    submit,
    text_of,
)

COACHING = {"service": "feature-coaching", "date": "2026-12-21"}  # 3 points, 21 days ahead: the normal price


def book(harness: Harness, answers: dict[str, Any] = COACHING) -> dict[str, Any]:
    """A customer admin requests a service through the modal; returns the card vendor staff see."""
    ack = submit(harness, fill_in(harness, answers), answers)
    assert ack.get("response_action") == "update", ack
    return card(harness)


def summary(harness: Harness, user: str = ACME_ADMIN) -> str:
    return text_of(harness.reply("points", user=user, channel="C0INCID1"))


def test_fc_pts_1_points_shows_each_open_year_its_expiry_and_the_last_normal_price_day(harness: Harness) -> None:
    reply = harness.reply("points", user=ACME_ADMIN, channel="C0INCID1")
    text = text_of(reply)
    assert reply["response_type"] == "ephemeral" and reply["text"] == "Points for ACME-FC-01"
    assert ("*Contract year 1* (2026-01-01 to 2026-12-31)\\nPurchased 120 · Spent 0 · Reserved 0 · "
            "*Available 120* points\\nUnused points expire after 2026-12-31 (32 days left).\\n"
            "Book by 2026-12-10 for the normal price on any day of the year.") in text
    assert "*Contract year 2* (2027-01-01 to 2027-12-31)" in text and "Book by 2027-12-10" in text
    assert "Purchase · +120 points · year 1 · contract file" in text  # the last few entries
    buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [forms.OPEN_REQUEST, forms.SHOW_HISTORY, forms.EXPORT_CSV]


def test_a_member_sees_the_points_but_no_request_button(harness: Harness) -> None:
    text = summary(harness, ACME_MEMBER)
    assert "*Available 120* points" in text and forms.OPEN_REQUEST not in text and forms.SHOW_HISTORY in text


def test_fc_pts_1_after_the_last_normal_price_day_the_year_says_services_cost_more(harness: Harness) -> None:
    harness.clock.advance(days=11)  # Fri 11 Dec: the year's last day is under three weeks away
    assert ("Services in the rest of this year cost 50% more: they are less than three weeks away (FC-PTS-4); the "
            "last normal-price booking day was 2026-12-10.") in summary(harness)


def test_in_a_dm_points_shows_the_persons_contract(harness: Harness) -> None:
    reply = harness.reply("points", user="U0ADMIN3", channel="D0DIRECT")
    assert reply["text"] == "Points for HUDSON-FC-03"
    assert "*Contract year 2* (2026-07-01 to 2027-06-30)" in text_of(reply)  # year 1 has ended: not shown


def test_fc_pts_4_the_modal_redraws_the_price_as_each_field_changes(harness: Harness) -> None:
    view = open_request_modal(harness)
    answers: dict[str, Any] = {"service": "service-day"}
    view = change(harness, view, answers, "service")
    assert price_of(view) == "Choose a service and a date to see the price."
    answers["date"] = "2026-12-21"
    view = change(harness, view, answers, "date")
    assert price_of(view).startswith("*Price:* 7 points (1 day at 7 points)\nNormal price: the date is 21 days away.")
    answers["days"] = "3"
    view = change(harness, view, answers, "days")
    assert price_of(view).startswith("*Price:* 21 points (3 days at 7 points)")
    answers["delivery"] = "onsite"
    view = change(harness, view, answers, "delivery")
    assert price_of(view) == ("*Price:* 30 points (3 days at 10 points)\nNormal price: the date is 21 days away.\n"
                              "Contract year 1: 120 points available, 90 after this request.")
    assert "The prices on this menu are examples" in text_of(view)


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-12-21", "*Price:* 3 points (one request at 3 points)\nNormal price: the date is 21 days away.\n"
                   "Contract year 1: 120 points available, 117 after this request."),
    ("2026-12-20", "*Price:* 4.5 points (one request at 3 points)\nIncludes the 50% short-notice surcharge of 1.5 "
                   "points: the date is 20 days away, less than three weeks (FC-PTS-4). The normal price applies to "
                   "services from 2026-12-21. Vendor staff may decline a short-notice request.\n"
                   "Contract year 1: 120 points available, 115.5 after this request."),
])
def test_fc_pts_4_surcharge_at_20_days_normal_price_at_21(harness: Harness, day: str, expected: str) -> None:
    assert price_of(fill_in(harness, {"service": "feature-coaching", "date": day})) == expected


def test_fc_dec_2_notice_is_counted_in_the_contracts_zone(harness: Harness) -> None:
    harness.clock.advance(hours=8)  # 17:00 UTC on Mon 30 Nov is 01:00 on Tue 1 Dec in Taipei
    answers = {"service": "feature-coaching", "date": "2026-12-21"}  # 21 days in UTC, 20 in Taipei
    view = fill_in(harness, answers, user="U0ADMIN2", channel="C0INCID2")
    assert "the date is 20 days away" in price_of(view) and "services from 2026-12-22" in price_of(view)
    view = change(harness, view, answers | {"date": "2026-12-22"}, "date", user="U0ADMIN2")
    assert price_of(view).startswith("*Price:* 3 points (one request at 3 points)\nNormal price: the date is 21 days")


@pytest.mark.parametrize(("answers", "field", "sentence"), [
    ({"service": "feature-coaching", "date": "2026-11-29"}, forms.DATE,
     "2026-11-29 has already passed. Choose today or a later day."),
    ({"service": "feature-coaching", "date": "2028-01-04"}, forms.DATE,
     "2028-01-04 is outside this contract's term (2026-01-01 to 2027-12-31). Choose a service day inside the term."),
    ({"service": "service-day", "date": "2026-12-21", "days": "30"}, forms.DAYS,
     "Not enough points: this needs 210 points and contract year 1 has 120 available. Choose a smaller service or "
     "fewer days, or ask your vendor account manager about buying more points for that year."),
    ({"date": "2026-12-21"}, forms.SERVICE, "Choose a service from the menu."),
])
def test_a_request_that_cannot_be_booked_keeps_the_modal_open_with_the_reason_beside_the_field(
        harness: Harness, answers: dict[str, Any], field: str, sentence: str) -> None:
    view = fill_in(harness, answers)
    assert submit(harness, view, answers) == {"response_action": "errors", "errors": {field: sentence}}
    assert harness.slack.messages("C0ALERT1") == []
    assert "*Available 120* points" in summary(harness)


def test_the_modal_says_how_many_points_are_available_before_submitting(harness: Harness) -> None:
    view = fill_in(harness, {"service": "weekend-service", "date": "2026-12-21", "days": "10", "hours": "outside"})
    assert ("Not enough points: contract year 1 has 120 points available. Choose fewer days or another service."
            in price_of(view))


def test_fc_pts_3_a_request_reserves_its_points_and_is_posted_to_the_alerts_channel(harness: Harness) -> None:
    answers = {"service": "feature-coaching", "date": "2026-12-20", "notes": "Dashboards for the night shift"}
    ack = submit(harness, fill_in(harness, answers), answers)
    assert ("Request 1 for New-feature usage and configuration coaching on 2026-12-20 is booked: 4.5 points are "
            "reserved. Vendor staff will see it in <#C0ALERT1>.") in text_of(ack["view"])
    posted = card(harness)
    text = text_of(posted)
    assert ("Points request 1 · ACME-FC-01: New-feature usage and configuration coaching on 2026-12-20, "
            "4.5 points") in text
    assert "Includes a 1.5-point short-notice surcharge (50%, FC-PTS-4)." in text
    assert "Requested by <@U0ADMIN1>; waiting for vendor staff to accept or decline." in text
    assert "Dashboards for the night shift" in text
    assert "Reserved 4.5 · *Available 115.5* points" in summary(harness)


def test_a_double_submit_books_once(harness: Harness) -> None:
    view = fill_in(harness, COACHING)
    submit(harness, view, COACHING)
    submit(harness, view, COACHING)
    card(harness)
    assert "Reserved 3 · *Available 117* points" in summary(harness)


def test_accept_then_deliver_by_vendor_staff_update_the_card_in_place_and_spend_the_points(harness: Harness) -> None:
    posted = book(harness)
    refused = said(harness, press(harness, forms.ACCEPT, posted, user=ACME_ADMIN, channel="C0ALERT1"))
    assert refused == {"text": "On contract ACME-FC-01 you may not accept or decline a points request. Ask "
                               "<@U0AGSM01>, <@U0ESM001>, <@U0NASE01>, <@U0TAM001>.",
                       "response_type": "ephemeral", "replace_original": False}
    press(harness, forms.ACCEPT, posted, user=ACME_TAM, channel="C0ALERT1")
    accepted = card(harness, containing="Accepted by <@U0TAM001>.")
    assert accepted["ts"] == posted["ts"] and forms.ACCEPT not in text_of(accepted)
    press(harness, forms.DELIVER, accepted, user=ACME_TAM, channel="C0ALERT1")
    delivered = card(harness, containing="Delivered; <@U0TAM001> recorded it and the points are spent.")
    assert "actions" not in [b["type"] for b in delivered["blocks"]]
    assert len(harness.slack.messages("C0ALERT1")) == 1
    assert "Purchased 120 · Spent 3 · Reserved 0 · *Available 117* points" in summary(harness)


def test_fc_trm_1_vendor_staff_decline_and_the_points_come_back(harness: Harness) -> None:
    posted = book(harness, {"service": "feature-coaching", "date": "2026-12-02"})
    press(harness, forms.DECLINE, posted, user="U0NASE01", channel="C0ALERT1")
    card(harness, containing="Declined by <@U0NASE01>; the points are back.")
    assert "Spent 0 · Reserved 0 · *Available 120* points" in summary(harness)


def test_the_requester_cancels_and_vendor_staff_cannot(harness: Harness) -> None:
    posted = book(harness)
    refused = said(harness, press(harness, forms.CANCEL, posted, user=ACME_TAM, channel="C0ALERT1"))
    assert refused["text"] == ("Only the person who made request 1 or a customer admin of ACME-FC-01 can cancel it.")
    press(harness, forms.CANCEL, posted, user=ACME_ADMIN, channel="C0ALERT1")
    cancelled = card(harness, containing="Cancelled by <@U0ADMIN1>; the points are back.")
    assert "actions" not in [b["type"] for b in cancelled["blocks"]]
    assert "*Available 120* points" in summary(harness)
    again = said(harness, press(harness, forms.CANCEL, posted, user=ACME_ADMIN, channel="C0ALERT1"))
    assert again["text"] == "Request 1 is cancelled, so it can no longer be cancelled."


def test_fc_pts_5_vendor_staff_add_extra_days_with_a_reason_and_the_card_shows_them(harness: Harness) -> None:
    posted = book(harness, {"service": "service-day", "date": "2026-12-21", "days": "2"})  # 14 points
    refused = said(harness, press(harness, forms.EXTRA_DAYS_BUTTON, posted, user=ACME_ADMIN, channel="C0ALERT1"))
    assert refused["text"].startswith("On contract ACME-FC-01 you may not accept or decline a points request.")
    press(harness, forms.EXTRA_DAYS_BUTTON, posted, user=ACME_TAM, channel="C0ALERT1")
    view = modal(harness, forms.EXTRA_DAYS_MODAL)
    assert "Each extra day costs 8 points, taken from the request's contract year, which has 106 points" \
        in text_of(view)
    no_reason = submit(harness, view, {forms.EXTRA_DAYS_REASON: " "}, user=ACME_TAM)
    assert no_reason == {"response_action": "errors", "errors": {
        forms.EXTRA_DAYS_REASON: "Say why the extra days are needed; the customer sees it."}}
    too_many = submit(harness, view, {forms.EXTRA_DAYS_COUNT: "14", forms.EXTRA_DAYS_REASON: "Huge"}, user=ACME_TAM)
    assert too_many["errors"][forms.EXTRA_DAYS_COUNT].startswith(
        "Not enough points: this needs 112 points and contract year 1 has 106 available.")
    done = submit(harness, view, {forms.EXTRA_DAYS_COUNT: "2", forms.EXTRA_DAYS_REASON: "400 managed nodes"},
                  user=ACME_TAM)
    assert done == {}
    updated = card(harness, containing="Includes 16 points for extra days (FC-PTS-5).")
    assert "on 2026-12-21, 30 points" in text_of(updated)
    assert "Reserved 30 · *Available 90* points" in summary(harness)
    assert "2 extra day(s) on request 1 (FC-PTS-5): 400 managed nodes" in summary(harness)


def seed_history(harness: Harness, requests: int) -> None:
    """Set-up: `requests` bookings and cancellations through the domain, two ledger entries each."""
    menu = load_menu()
    for n in range(requests):
        with harness.db.begin() as session:
            from domain.contracts.records import Contract

            contract = session.get_one(Contract, "ACME-FC-01")
            request = points.request_service(session, contract=contract, menu=menu, by=ACME_ADMIN,
                                             now=harness.clock(), key=f"seed-{n}",
                                             form=points.RequestForm("feature-coaching", date(2026, 12, 21)))
            points.cancel_request(session, request_id=request.id, by=ACME_ADMIN, now=harness.clock())


def test_history_is_newest_first_in_pages_with_a_button_for_older_entries(harness: Harness) -> None:
    seed_history(harness, 12)  # 24 entries + 2 purchases
    name = harness.command("points history", user=ACME_MEMBER, channel="C0INCID1")
    first = said(harness, name)
    assert first["text"] == "Points history · ACME-FC-01"
    assert "Newest first: entries 1 to 20 of 26." in text_of(first)
    assert text_of(first).index("request 12 cancelled") < text_of(first).index("request 11 cancelled")
    assert "Purchase" not in text_of(first)
    more = press(harness, forms.MORE_HISTORY, first, user=ACME_MEMBER, channel="C0INCID1")
    older = said(harness, more)
    assert older["replace_original"] is True
    assert "Newest first: entries 21 to 26 of 26." in text_of(older)
    assert "+120 points · year 1 · contract file" in text_of(older) and forms.MORE_HISTORY not in text_of(older)


def test_history_of_one_year_and_from_the_button(harness: Harness) -> None:
    year_2 = said(harness, harness.command("points history 2", user=ACME_MEMBER, channel="C0INCID1"))
    assert year_2["text"] == "Points history · ACME-FC-01 · year 2"
    assert "+100 points · year 2" in text_of(year_2) and "year 1" not in text_of(year_2)
    reply = harness.reply("points", user=ACME_MEMBER, channel="C0INCID1")
    from_button = said(harness, press(harness, forms.SHOW_HISTORY, reply, user=ACME_MEMBER, channel="C0INCID1"))
    assert "Newest first: entries 1 to 2 of 2." in text_of(from_button)


def test_csv_export_uploads_the_years_ledger_as_a_file_that_parses(harness: Harness) -> None:
    book(harness, {"service": "feature-coaching", "date": "2026-12-20"})  # 4.5 points with the surcharge
    harness.command("points export", user=ACME_MEMBER, channel="C0INCID1")
    upload = harness.slack.wait_for(lambda: harness.slack.uploads)[0]
    assert (upload.filename, upload.channel) == ("ACME-FC-01-year-1-points.csv", "C0INCID1")
    assert upload.title == "Points ledger of ACME-FC-01, contract year 1"
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["kind"], r["points"], r["reserved_points"], r["available_after"]) for r in rows] == [
        ("purchase", "120", "0", "120"), ("reservation", "-4.5", "4.5", "115.5")]
    assert rows[1]["by"] == ACME_ADMIN and rows[1]["request"] == "1" and "short-notice surcharge" in rows[1]["reason"]
    shared = harness.slack.messages("C0INCID1")[-1]
    assert shared["files"][0]["name"] == "ACME-FC-01-year-1-points.csv"


def test_the_export_button_uploads_the_shown_year(harness: Harness) -> None:
    reply = harness.reply("points", user=ACME_MEMBER, channel="C0INCID1")
    assert button_value(reply, forms.EXPORT_CSV) == "ACME-FC-01:1"
    press(harness, forms.EXPORT_CSV, reply, user=ACME_MEMBER, channel="C0INCID1")
    upload = harness.slack.wait_for(lambda: harness.slack.uploads)[0]
    assert [r["kind"] for r in csv.DictReader(io.StringIO(upload.content.decode()))] == ["purchase"]


def test_someone_on_another_contract_cannot_export_its_ledger(harness: Harness) -> None:
    reply = said(harness, harness.command("points export ACME-FC-01", user="U0MEMB03", channel="D0DIRECT"))
    assert reply["text"].startswith("You are not on contract ACME-FC-01.")
    assert harness.slack.uploads == []


def test_app_home_shows_the_points_section(harness: Harness) -> None:
    book(harness)
    assert harness.event({"type": "app_home_opened", "user": ACME_ADMIN, "channel": "D0FLEXHOME",
                          "tab": "home"}).status == 200
    home = harness.slack.wait_for(lambda: harness.slack.home(ACME_ADMIN))
    assert ("Year 1: *117* of 120 points available; book by 2026-12-10 for the normal price; unused points expire "
            "after 2026-12-31.") in text_of(home)
