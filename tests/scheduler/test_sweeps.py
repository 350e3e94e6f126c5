"""The sweeps on a real database (SQLite and PostgreSQL), with frozen clocks and the example contracts: FTC
warnings in service time and in real time, cancellation, catch-up, point-expiry reminders and expiry."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.incidents import notices
from domain.incidents import service as incidents
from domain.incidents.records import Incident
from domain.notifications.records import CANCELLED, PENDING, Notification
from domain.points.records import EXPIRY, PointsEntry
from scheduler.ftc_sweep import sweep_ftc_deadlines
from scheduler.points_sweep import sweep_points_expiry, sweep_points_expiry_reminders
from scheduler.sweeps import Sweep

NEW_YORK, LONDON, TAIPEI = ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), ZoneInfo("Asia/Taipei")
IMPORTED = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
SMAX = "Service Management Automation X"


@pytest.fixture
def db(db: sessionmaker[Session], examples: Path) -> sessionmaker[Session]:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=IMPORTED)
    return db


def ny(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, second, tzinfo=NEW_YORK).astimezone(UTC)


def open_incident(db: sessionmaker[Session], *, at: datetime, contract: str = "HUDSON-FC-03", product: str = SMAX,
                  impact: int = 1, by: str = "U0MEMB04") -> Incident:
    with db.begin() as session:
        new = incidents.NewIncident(contract_id=contract, summary="Dispatch queue stuck", description="Since 16:20.",
                                    impact=impact, product=product)
        return incidents.open_incident(session, new=new, opened_by=by, idempotency_key=f"t:{at}", now=at)


def run(db: sessionmaker[Session], sweep: Sweep, at: datetime) -> list[Notification]:
    """Run `sweep` at `at`; the notifications it wrote."""
    with db() as session:
        before = set(session.scalars(select(Notification.id)))
    sweep(db, lambda: at)
    with db() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id))
        return [row for row in rows if row.id not in before]


def stages(rows: list[Notification]) -> list[str]:
    return [row.key.rsplit(":", 1)[1] if row.kind == "ftc_stage" else "card-update" for row in rows]


def test_fc_inc_2_business_hours_friday_1630_before_labor_day_warns_and_breaches_in_service_time(
        db: sessionmaker[Session]) -> None:
    incident = open_incident(db, at=ny(4, 16, 30))  # Mon 7 Sep 2026 is Labor Day
    assert incident.ftc_due_at == ny(8, 8, 30)
    timeline = [(ny(4, 16, 59, 59), []), (ny(4, 17, 0), ["half"]), (ny(5, 12, 0), []), (ny(7, 10, 0), []),
                (ny(8, 8, 14, 59), []), (ny(8, 8, 15), ["last"]), (ny(8, 8, 30), ["breach", "card-update"]),
                (ny(8, 10, 29), []), (ny(8, 10, 30), ["reminder-1"]), (ny(8, 12, 30), ["reminder-2"])]
    for at, expected in timeline:
        assert stages(run(db, sweep_ftc_deadlines, at)) == expected, at.astimezone(NEW_YORK)
    with db() as session:
        rows = {r.key.rsplit(":", 1)[1]: r for r in session.scalars(select(Notification).where(
            Notification.kind == "ftc_stage"))}
    card = notices.card_key(incident)
    assert {r.thread_of for r in rows.values()} == {card}
    assert {r.channel for r in rows.values()} == {"C0INCID3"}
    assert rows["half"].params["owner"] == "U0NASE03" and rows["half"].params["tam"] is None
    assert rows["breach"].params["tam"] == "U0TAM003"  # FC-INC-6: the TAM coordinates
    assert not any(r.params["late"] for r in rows.values())


def test_fc_dec_6_a_24x7_contract_warns_in_real_time_through_the_night(db: sessionmaker[Session]) -> None:
    opened = datetime(2026, 11, 28, 23, 50, tzinfo=UTC)  # Saturday night in London
    open_incident(db, at=opened, contract="ACME-FC-01", product="Operations Bridge", by="U0MEMB01")
    minutes = {29: [], 30: ["half"], 45: ["last"], 60: ["breach", "card-update"], 179: [], 180: ["reminder-1"]}
    for after, expected in minutes.items():
        assert stages(run(db, sweep_ftc_deadlines, opened + timedelta(minutes=after))) == expected, after


def test_sweeping_twice_at_one_instant_writes_once(db: sessionmaker[Session]) -> None:
    open_incident(db, at=ny(4, 16, 30))
    assert stages(run(db, sweep_ftc_deadlines, ny(8, 8, 30))) == ["breach", "card-update"]
    assert run(db, sweep_ftc_deadlines, ny(8, 8, 30)) == []


def test_catch_up_after_downtime_posts_the_breach_late_and_skips_the_superseded_warnings(
        db: sessionmaker[Session]) -> None:
    open_incident(db, at=ny(4, 16, 30))
    rows = run(db, sweep_ftc_deadlines, ny(8, 9, 0))  # the scheduler was down from Friday 16:00
    assert stages(rows) == ["breach", "card-update"]
    assert rows[0].params["late"] is True
    assert stages(run(db, sweep_ftc_deadlines, ny(8, 11, 0))) == ["reminder-1"]


def test_an_ftc_stamp_cancels_a_pending_warning_and_stops_the_rest(db: sessionmaker[Session]) -> None:
    incident = open_incident(db, at=ny(4, 16, 30))
    [half] = run(db, sweep_ftc_deadlines, ny(4, 17, 0))
    with db.begin() as session:
        incidents.record_first_contact(session, key=incident.key, actor="U0NASE03", now=ny(4, 17, 5))
    assert run(db, sweep_ftc_deadlines, ny(8, 9, 0)) == []
    with db() as session:
        assert session.get_one(Notification, half.id).status == CANCELLED


def test_an_impact_change_moves_the_due_instant_and_old_stages_are_never_posted(db: sessionmaker[Session]) -> None:
    opened = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    incident = open_incident(db, at=opened, contract="ACME-FC-01", product="Operations Bridge", impact=2,
                             by="U0MEMB01")
    [half] = run(db, sweep_ftc_deadlines, opened + timedelta(hours=2))  # impact 2: 4 h, half at 11:00
    with db.begin() as session:
        incidents.change_impact(session, key=incident.key, actor="U0MEMB01", impact=1, now=opened + timedelta(hours=2))
    rows = run(db, sweep_ftc_deadlines, opened + timedelta(hours=2, minutes=1))
    assert stages(rows) == ["breach", "card-update"]  # now due 10:00: overdue already, said late
    assert "20261130T100000Z" in rows[0].key and rows[0].params["late"] is True
    with db() as session:
        assert session.get_one(Notification, half.id).status == CANCELLED


def test_fc_pts_1_expiry_reminders_at_nine_local_on_business_days_once(db: sessionmaker[Session]) -> None:
    # ACME year 1 ends 2026-12-31: 90 days before expiry is Sat 3 Oct, so Fri 2 Oct 09:00 BST; 30 days before
    # is Wed 2 Dec, 09:00 GMT.
    def acme(at: datetime) -> list[Notification]:
        return [r for r in run(db, sweep_points_expiry_reminders, at) if "ACME" in r.key]

    assert acme(datetime(2026, 10, 2, 7, 59, tzinfo=UTC)) == []
    assert [r.key for r in acme(datetime(2026, 10, 2, 8, 0, tzinfo=UTC))] == [
        "points:ACME-FC-01:1:expiry-reminder:90-days"]
    assert acme(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == []
    assert acme(datetime(2026, 12, 2, 8, 59, tzinfo=UTC)) == []
    [row] = acme(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert (row.key, row.channel) == ("points:ACME-FC-01:1:expiry-reminder:30-days", "C0ALERT1")
    assert row.params["admins"] == ["U0ADMIN1"] and row.params["available_tenths"] == 1200
    assert row.params["expires_on"] == "2027-01-01" and row.params["late"] is False
    assert {b["code"] for b in row.params["buys"]} == {"feature-coaching", "troubleshooting-coaching",
                                                       "service-day", "weekend-service"}
    assert acme(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)) == []


def test_catch_up_posts_only_the_latest_expiry_reminder_marked_late(db: sessionmaker[Session]) -> None:
    rows = [r for r in run(db, sweep_points_expiry_reminders, datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
            if "ACME" in r.key]
    assert [(r.key.rsplit(":", 1)[1], r.params["late"]) for r in rows] == [("last-normal-price-day", True)]
    assert [b["code"] for b in rows[0].params["buys"]] == ["feature-coaching", "troubleshooting-coaching",
                                                          "service-day", "weekend-service"]
    assert rows[0].params["buys"][2]["price_tenths"] == 105  # FC-PTS-4: under three weeks left, +50%


def test_fc_dec_8_a_reminder_day_on_a_holiday_moves_to_the_business_day_before(db: sessionmaker[Session]) -> None:
    # FORMOSA year 1 ends 2027-03-31: 90 days before expiry is Fri 1 Jan 2027, a holiday in Taiwan.
    at = datetime(2026, 12, 31, 9, 0, tzinfo=TAIPEI).astimezone(UTC)
    rows = run(db, sweep_points_expiry_reminders, at - timedelta(minutes=1))
    assert [r.key for r in rows if "FORMOSA" in r.key] == []
    rows = run(db, sweep_points_expiry_reminders, at)
    assert [r.key for r in rows if "FORMOSA" in r.key] == ["points:FORMOSA-FC-07:1:expiry-reminder:90-days"]


def test_fc_pts_1_an_ended_year_expires_once(db: sessionmaker[Session]) -> None:
    after = datetime(2027, 1, 1, 0, 30, tzinfo=LONDON)
    sweep_points_expiry(db, lambda: after)
    sweep_points_expiry(db, lambda: after + timedelta(hours=1))
    with db() as session:
        expired = list(session.scalars(select(PointsEntry).where(PointsEntry.kind == EXPIRY,
                                                                 PointsEntry.contract_id == "ACME-FC-01")))
    assert [(e.contract_year, e.tenths) for e in expired] == [(1, -1200)]
    # and no reminder for an expired year
    assert [r.key for r in run(db, sweep_points_expiry_reminders, after) if "ACME" in r.key] == []


def test_pending_rows_are_left_to_the_dispatcher(db: sessionmaker[Session]) -> None:
    open_incident(db, at=ny(4, 16, 30))
    rows = run(db, sweep_ftc_deadlines, ny(4, 17, 0))
    assert {r.status for r in rows} == {PENDING}
