"""Several schedulers against one database (issue 7, items 1, 5): three replicas, each with its own engine and
dispatcher, run every sweep and deliver at the same simulated instants through a day; every notification reaches
the Slack stand-in exactly once (counted from its recorded Web API calls)."""

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.standin.webapi import SlackStandin
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.incidents import service as incidents
from domain.notifications.records import CANCELLED, DELIVERED, Notification
from domain.points.records import EXPIRY, PointsEntry
from scheduler.dispatcher import Dispatcher
from scheduler.jobs import SWEEPS
from tests.scheduler.test_dispatcher import FakeClock

DAY = datetime(2026, 10, 2, 0, 0, tzinfo=UTC)  # a Friday: ACME's 90-day points reminder is due at 08:00 UTC
STEP = timedelta(minutes=15)
REPLICAS = 3


@pytest.fixture
def slack(clock: FakeClock) -> Iterator[SlackStandin]:
    with SlackStandin(ts_clock=lambda: clock().timestamp()) as standin:
        yield standin


@pytest.fixture
def clock() -> FakeClock:
    fake = FakeClock()
    fake.now = DAY
    return fake


def open_incident(db: sessionmaker[Session], at: datetime, contract: str, product: str, impact: int,
                  by: str) -> str:
    with db.begin() as session:
        new = incidents.NewIncident(contract_id=contract, summary="Down", description="Since now.", impact=impact,
                                    product=product)
        return incidents.open_incident(session, new=new, opened_by=by, idempotency_key=f"r:{at}", now=at).key


def test_three_replicas_over_a_simulated_day_deliver_every_notification_exactly_once(
        db: sessionmaker[Session], engine: Engine, slack: SlackStandin, clock: FakeClock, examples: Path) -> None:
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=DAY)
    engines = [make_engine(engine.url) for _ in range(REPLICAS)]
    replicas = [(make_session_factory(e), Dispatcher(make_session_factory(e), WebClient(
        base_url=slack.base_url, token="xoxb-test"), clock=clock, worker=f"replica-{n}", per_channel_interval=0))
        for n, e in enumerate(engines)]
    errors: list[BaseException] = []
    start, done = threading.Barrier(REPLICAS + 1), threading.Barrier(REPLICAS + 1)
    stop = threading.Event()

    def replica(own_db: sessionmaker[Session], dispatcher: Dispatcher) -> None:
        while True:
            start.wait()
            if stop.is_set():
                return
            try:
                for job in SWEEPS:
                    job.sweep(own_db, clock)
                dispatcher.deliver_pending()
            except BaseException as exc:  # collected and failed on below, with its traceback
                errors.append(exc)
            done.wait()

    threads = [threading.Thread(target=replica, args=pair) for pair in replicas]
    for thread in threads:
        thread.start()
    opened: list[str] = []
    try:
        while clock() < DAY + timedelta(days=1):
            if clock() == DAY + timedelta(hours=1):  # 24x7, London: warnings at 01:30, 01:45, breach at 02:00
                opened.append(open_incident(db, clock(), "ACME-FC-01", "Operations Bridge", 1, "U0MEMB01"))
            if clock() == DAY + timedelta(hours=12):  # 08:00 New York, impact 2: 4 service hours
                opened.append(open_incident(db, clock(), "HUDSON-FC-03", "Service Management Automation X", 2,
                                            "U0MEMB04"))
            if clock() == DAY + timedelta(hours=15):  # first contact made after half-time: no more stages
                with db.begin() as session:
                    incidents.record_first_contact(session, key=opened[1], actor="U0NASE03", now=clock())
            start.wait()
            done.wait()
            clock.advance(seconds=STEP.total_seconds())
    finally:
        stop.set()
        start.wait()
        for thread in threads:
            thread.join(10)
        for e in engines:
            e.dispose()
    assert errors == []
    with db() as session:
        rows = list(session.scalars(select(Notification)))
        expired = list(session.scalars(select(PointsEntry).where(PointsEntry.kind == EXPIRY)))
    assert {row.status for row in rows} <= {DELIVERED, CANCELLED}
    posts = Counter(call.args["metadata"]["event_payload"]["key"] for call in slack.calls_to("chat.postMessage"))
    posted_rows = [row.key for row in rows if row.status == DELIVERED and row.updates is None]
    assert sorted(posts) == sorted(posted_rows) and set(posts.values()) == {1}
    assert len(slack.calls_to("chat.update")) == sum(1 for row in rows if row.updates and row.status == DELIVERED)
    stages = Counter(row.key.rsplit(":", 1)[1] for row in rows if row.kind == "ftc_stage")
    assert stages["breach"] == 1 and stages["half"] == 2 and stages["reminder-10"] == 1  # ACME: 22:00
    assert "points:ACME-FC-01:1:expiry-reminder:90-days" in posts
    assert [(e.contract_id, e.contract_year) for e in expired] == [("HUDSON-FC-03", 1)]
