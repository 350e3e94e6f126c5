"""The quarter's figures counted by hand (FC-REV, FC-INC-1, 2, 6, 7, FC-PTS-1, FC-CAL): the pure function on a fixture
of rows, then the same story through the real services and databases (SQLite and PostgreSQL).

HUDSON-FC-03: business hours 08:00-17:00 New York, US holidays; 2026-Q3 runs 1 Jul to 30 Sep, New York time.
Fri 3 Jul 2026 is Independence Day observed (the 4th is a Saturday): no service hours that day.

| key | opened (NY)      | impact | product         | first contact        | FTC                         | resolved |
|-----|------------------|--------|-----------------|----------------------|-----------------------------|----------|
| A   | Tue 30 Jun 16:30 | 2      | SMAX            | Wed 1 Jul 09:00      | 1.5 h of 4 h: met (in Q3)   | 2 Jul    |
| B   | Fri 3 Jul 10:00  | 1      | SMAX, 3rd party | Mon 6 Jul 08:30      | holiday: 0.5 h of 1 h: met  | 10 Jul   |
| C   | Wed 5 Aug 10:00  | 1      | SMAX            | Wed 5 Aug 12:00      | 2 h of 1 h: missed          | -        |
| D   | Thu 10 Sep 14:00 | 3      | Service Manager | Thu 10 Sep 15:00     | no target (1 h)             | 2 Oct    |
| E   | Mon 28 Sep 16:00 | 2      | SMAX            | -                    | due Tue 29 Sep 11:00: missed| -        |
| F   | Wed 30 Sep 16:30 | 1      | Data Protector  | Thu 1 Oct 08:15      | due 1 Oct 08:30: met in Q4  | -        |
| G   | Tue 12 May 10:00 | 4      | Service Manager | Tue 12 May 11:00     | no target (1 h)             | 14 May   |
| H   | Thu 1 Oct 10:00  | 1      | SMAX            | -                    | Q4                          | -        |
Escalations: B technical (6 Jul), C business (5 Aug). Points spent: 3 on 12 Aug, 1 on 20 May.
"""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.calendar import ServiceCalendar
from domain.contracts import service as contracts
from domain.contracts.records import Contract
from domain.contracts.spec import parse_contract_file
from domain.errors import FlexcareError
from domain.incidents import service as incidents
from domain.incidents.rules import EscalationKind
from domain.points.ledger import YearBalance
from domain.reports import service as reports
from domain.reports.facts import report_facts, report_from_facts
from domain.reports.kpis import quarter_report
from domain.reports.quarters import Quarter, last_full_quarter, parse_quarter
from domain.reports.rows import EscalationRow, IncidentRow, ReportInput, ReviewRow, SpendRow
from domain.reviews.service import KindUse

NY = ZoneInfo("America/New_York")
Q3 = Quarter(2026, 3)
NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
SMAX, SM, DP = "SMAX", "Service Manager", "Data Protector"


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NY).astimezone(UTC)


CALENDAR = ServiceCalendar(country="US", subdivision=None, timezone="America/New_York")


def row(key: str, opened: datetime, impact: int, product: str, *, ftc: datetime | None, due: datetime | None,
        met: bool | None, resolved: datetime | None = None, third_party: bool = False) -> IncidentRow:
    return IncidentRow(key=key, opened_at=opened, impact=impact, product=product, owner="U0NASE03", ftc_due_at=due,
                       ftc_at=ftc, ftc_met=met, resolved_at=resolved, third_party=third_party)


INCIDENTS = [
    row("A", ny(6, 30, 16, 30), 2, SMAX, ftc=ny(7, 1, 9), due=ny(7, 1, 11, 30), met=True, resolved=ny(7, 2, 10)),
    row("B", ny(7, 3, 10), 1, SMAX, ftc=ny(7, 6, 8, 30), due=ny(7, 6, 9), met=True, resolved=ny(7, 10, 12),
        third_party=True),
    row("C", ny(8, 5, 10), 1, SMAX, ftc=ny(8, 5, 12), due=ny(8, 5, 11), met=False),
    row("D", ny(9, 10, 14), 3, SM, ftc=ny(9, 10, 15), due=None, met=None, resolved=ny(10, 2, 9)),
    row("E", ny(9, 28, 16), 2, SMAX, ftc=None, due=ny(9, 29, 11), met=None),
    row("F", ny(9, 30, 16, 30), 1, DP, ftc=ny(10, 1, 8, 15), due=ny(10, 1, 8, 30), met=True),
    row("G", ny(5, 12, 10), 4, SM, ftc=ny(5, 12, 11), due=None, met=None, resolved=ny(5, 14, 10)),
    row("H", ny(10, 1, 10), 1, SMAX, ftc=None, due=ny(10, 1, 11), met=None),
]
YEAR_1 = YearBalance(1, date(2025, 7, 1), date(2026, 6, 30), True, 600, 600, 0, 0, 0, 0)
YEAR_2 = YearBalance(2, date(2026, 7, 1), date(2027, 6, 30), False, 600, 30, 50, 0, 0, 520)
REVIEWS = [ReviewRow("technical_review", "remote", "held", 2), ReviewRow("technical_review", "onsite", "scheduled", 2),
           ReviewRow("business_review", "remote", "cancelled", 2), ReviewRow("remote_review", "remote", "held", 2),
           ReviewRow("remote_review", "remote", "held", 2), ReviewRow("remote_review", "remote", "confirmed", 2),
           ReviewRow("remote_review", "remote", "held", 1)]


def report_input(quarter: Quarter = Q3, now: datetime = NOW) -> ReportInput:
    return ReportInput(contract_id="HUDSON-FC-03", customer="Hudson Logistics", timezone="America/New_York",
                       quarter=quarter, now=now, ftc_clock=CALENDAR, incidents=INCIDENTS,
                       escalations=[EscalationRow(ny(7, 6, 10), "technical"), EscalationRow(ny(8, 5, 13), "business")],
                       spends=[SpendRow(ny(8, 12, 12), 30), SpendRow(ny(5, 20, 12), 10)],
                       balances=[YEAR_1, YEAR_2], reviews=REVIEWS)


def test_fc_rev_the_quarters_incidents_are_counted_by_hand() -> None:
    report = quarter_report(report_input())
    q3 = report.current
    assert (report.quarter, report.previous_quarter, report.first_day, report.last_day, report.to_date) == (
        "2026-Q3", "2026-Q2", date(2026, 7, 1), date(2026, 9, 30), False)
    assert q3.opened == (3, 1, 1, 0) and q3.opened_total == 5  # B C F / E / D; A was opened in Q2, H in Q4
    assert q3.resolved == 2  # A (opened in Q2) and B
    assert q3.still_open == 4  # C, D (resolved in October), E, F
    assert q3.third_party == 1  # B (FC-INC-7)
    assert report.top_products == [(SMAX, 3), (DP, 1), (SM, 1)]


def test_fc_inc_2_ftc_met_and_missed_counts_where_it_was_decided_including_the_holiday_and_the_q2_incident() -> None:
    q3 = quarter_report(report_input()).current
    assert q3.ftc_met == (1, 1, 0, 0)  # B (holiday: the clock waited for Monday) and A (opened in Q2)
    assert q3.ftc_missed == (1, 1, 0, 0)  # C contacted late; E overdue without contact; F is decided in Q4
    assert q3.met_rate == 0.5
    # Service time to first contact, for A B C D: 1.5 h (30 min on 30 Jun + 1 h on 1 Jul), 0.5 h, 2 h, 1 h.
    assert q3.median_ftc_seconds == 4500  # (3600 + 5400) / 2
    assert q3.p90_ftc_seconds == 7200  # nearest rank: the 4th of 4


def test_fc_inc_6_escalations_and_points_spent_fall_in_their_quarter() -> None:
    report = quarter_report(report_input())
    assert (report.current.escalations_technical, report.current.escalations_business) == (1, 1)
    assert (report.current.points_spent, report.previous.points_spent) == (30, 10)


def test_the_previous_quarter_is_counted_the_same_way_and_each_headline_says_how_it_moved() -> None:
    report = quarter_report(report_input())
    q2 = report.previous
    assert (q2.opened, q2.resolved, q2.still_open) == ((0, 1, 0, 1), 1, 1)  # A G / G / A open over the turn
    assert (q2.ftc_met, q2.ftc_missed, q2.met_rate) == ((0, 0, 0, 0), (0, 0, 0, 0), None)
    assert (q2.median_ftc_seconds, q2.p90_ftc_seconds) == (3600, 3600)  # G only
    changes = {c.name: (c.now, c.before, c.delta) for c in report.changes}
    assert changes["opened"] == (5, 2, 3)
    assert changes["still_open"] == (4, 1, 3)
    assert changes["met_rate"] == (0.5, None, None)
    assert changes["median_ftc"] == (4500, 3600, 900)


def test_the_months_of_the_chart_split_the_quarter_in_contract_time() -> None:
    months = quarter_report(report_input()).months
    assert [(m.month, m.opened, m.ftc_met, m.ftc_missed) for m in months] == [
        (date(2026, 7, 1), (1, 0, 0, 0), 2, 0), (date(2026, 8, 1), (1, 0, 0, 0), 0, 1),
        (date(2026, 9, 1), (1, 1, 1, 0), 0, 1)]
    assert [m.met_rate for m in months] == [1.0, 0.0, 0.0]


def test_fc_pts_1_points_of_the_year_containing_the_quarters_end_and_what_expires_next() -> None:
    points = quarter_report(report_input()).points
    assert points is not None
    assert (points.contract_year, points.purchased, points.spent, points.reserved, points.expired,
            points.available) == (2, 600, 30, 50, 0, 520)
    assert (points.next_expiry_year, points.next_expiry_tenths, points.next_expiry_after) == (2, 520,
                                                                                              date(2027, 6, 30))


def test_fc_rev_reviews_held_against_entitlement_in_that_contract_year() -> None:
    report = quarter_report(report_input())
    assert report.reviews_year == 2
    assert report.reviews == [KindUse("remote_review", 0, 0, 2, 3), KindUse("technical_review", 0, 1, 1, 1)]


def test_the_quarter_so_far_stops_at_now() -> None:
    report = quarter_report(report_input(Quarter(2026, 4), now=ny(10, 1, 12)))
    assert (report.to_date, report.last_day, report.current.opened) == (True, date(2026, 10, 1), (1, 0, 0, 0))
    assert report.current.ftc_met == (1, 0, 0, 0)  # F, contacted at 08:15
    assert report.current.ftc_missed == (1, 0, 0, 0)  # H was due at 11:00, before now and still waiting


def test_the_report_survives_its_json_facts() -> None:
    report = quarter_report(report_input())
    assert report_from_facts(report_facts(report)) == report


@pytest.mark.parametrize(("text", "today", "quarter"), [
    (None, date(2026, 11, 30), Quarter(2026, 3)), ("", date(2026, 1, 5), Quarter(2025, 4)),
    ("this", date(2026, 11, 30), Quarter(2026, 4)), ("2026-q2", date(2026, 11, 30), Quarter(2026, 2)),
    ("2025Q4", date(2026, 11, 30), Quarter(2025, 4))])
def test_quarters_are_named_like_2026_q3_or_this_and_default_to_the_last_full_one(
        text: str | None, today: date, quarter: Quarter) -> None:
    assert parse_quarter(text, today=today) == quarter
    assert last_full_quarter(date(2026, 4, 1)) == Quarter(2026, 1)


@pytest.mark.parametrize("text", ["2026-Q5", "Q3", "2027-Q1", "last"])
def test_a_word_that_is_not_a_past_or_current_quarter_is_refused_with_a_sentence(text: str) -> None:
    with pytest.raises(FlexcareError, match=r"2026-Q3|has not started"):
        parse_quarter(text, today=date(2026, 11, 30))


def test_quarter_bounds_are_midnights_in_the_contracts_zone() -> None:
    assert Q3.starts_at("Asia/Taipei") == datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    assert Q3.ends_at("America/New_York") == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)


# -- the same story through the real services, on SQLite and PostgreSQL -------------------------------------------
MEMBER, TAM = "U0MEMB04", "U0TAM003"


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=datetime(2026, 5, 1, tzinfo=UTC))
    return db


def replay(db: sessionmaker[Session], incident: IncidentRow, escalation: EscalationRow | None = None) -> None:
    new = incidents.NewIncident(contract_id="HUDSON-FC-03", summary=f"Incident {incident.key}", description="Down.",
                                impact=incident.impact, product=incident.product,
                                vendor="Acme DB Inc." if incident.third_party else None)
    with db.begin() as session:
        key = incidents.open_incident(session, new=new, opened_by=MEMBER, idempotency_key=incident.key,
                                      now=incident.opened_at).key
    steps = sorted([(at, name) for at, name in ((incident.ftc_at, "ftc"), (incident.resolved_at, "resolve"),
                                                (escalation.at if escalation else None, "escalate")) if at])
    for at, name in steps:
        with db.begin() as session:
            if name == "ftc":
                incidents.record_first_contact(session, key=key, actor=TAM, now=at)
            elif name == "resolve":
                incidents.resolve(session, key=key, actor=MEMBER, resolution="Fixed.", now=at)
            else:
                assert escalation is not None
                incidents.escalate(session, key=key, actor=TAM, kind=EscalationKind(escalation.kind),
                                   reason="Needs attention.", now=at)


def test_fc_rev_the_service_loads_the_same_figures_from_the_database(db: sessionmaker[Session]) -> None:
    escalated = {"B": EscalationRow(ny(7, 6, 10), "technical"), "C": EscalationRow(ny(8, 5, 13), "business")}
    for incident in INCIDENTS:
        replay(db, incident, escalated.get(incident.key))
    with db() as session:
        contract = session.get_one(Contract, "HUDSON-FC-03")
        report = reports.report_for(session, contract, quarter="2026-Q3", now=NOW)
        rows = reports.quarter_incidents(session, contract, Q3, now=NOW)
    expected = quarter_report(report_input()).current
    assert report.current.opened == expected.opened and report.current.still_open == expected.still_open
    assert (report.current.resolved, report.current.third_party) == (expected.resolved, expected.third_party)
    assert (report.current.ftc_met, report.current.ftc_missed) == (expected.ftc_met, expected.ftc_missed)
    assert (report.current.median_ftc_seconds, report.current.p90_ftc_seconds) == (4500, 7200)
    assert (report.current.escalations_technical, report.current.escalations_business) == (1, 1)
    assert report.top_products == [(SMAX, 3), (DP, 1), (SM, 1)]
    assert [(r.key[-4:], n) for r, n in rows] == [("0002", 1), ("0003", 1), ("0004", 0), ("0005", 0), ("0006", 0)]
    assert report.points is not None and report.points.contract_year == 2
