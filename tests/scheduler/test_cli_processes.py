"""`flexcare sweep` as real processes against the test database and the Slack stand-in (issue 7, items 1, 5):
run twice at one instant, the second posts nothing; killed with SIGKILL between claiming and posting, or between
Slack's answer and the commit, the notification is delivered after a restart, once."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.standin.webapi import SlackStandin
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.incidents import service as incidents
from domain.notifications.records import DELIVERED, Notification
from domain.notifications.service import enqueue
from scheduler.dispatcher import CLAIM_TTL

FLEXCARE = Path(sys.executable).with_name("flexcare")
POST = "chat.postMessage"
TUESDAY_0830_NEW_YORK = "2026-09-08T08:30:00-04:00"


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(ts_clock=time.time) as standin:  # Slack mints ts from its own (real) clock
        yield standin


def sweep(engine: Engine, slack: SlackStandin, tmp_path: Path, now: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FLEXCARE_", "DATABASE_"))}
    env |= {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.base_url, "FLEXCARE_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([str(FLEXCARE), "sweep", "--now", now], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


def row(db: sessionmaker[Session], key: str) -> Notification:
    with db() as session:
        return session.scalars(select(Notification).where(Notification.key == key)).one()


def test_flexcare_sweep_twice_at_one_instant_posts_nothing_the_second_time(
        db: sessionmaker[Session], engine: Engine, slack: SlackStandin, tmp_path: Path, examples: Path) -> None:
    opened = datetime(2026, 9, 4, 20, 30, tzinfo=UTC)  # Friday 16:30 New York, before Labor Day
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source="contracts.yml"),
                                   source="contracts.yml", now=opened)
        incidents.open_incident(session, new=incidents.NewIncident(
            contract_id="HUDSON-FC-03", summary="Queue stuck", description="Since 16:20.", impact=1,
            product="Service Management Automation X"), opened_by="U0MEMB04", idempotency_key="p1", now=opened)
    first = finished(sweep(engine, slack, tmp_path, TUESDAY_0830_NEW_YORK))
    assert "FTC deadline warnings: 1 written" in first and "0 still pending" in first
    keys = [c.args["metadata"]["event_payload"]["key"] for c in slack.calls_to(POST)]
    assert [k for k in keys if k.startswith("incident:")] == ["incident:1:card",
                                                              "incident:1:ftc:20260908T123000Z:breach"]
    assert len(keys) == len(set(keys))  # review reminders too, each once
    calls = len(slack.calls)
    second = finished(sweep(engine, slack, tmp_path, TUESDAY_0830_NEW_YORK))
    assert "FTC deadline warnings: 0 written" in second and "0 delivered" in second
    assert len(slack.calls) == calls


def kill_while_posting(db: sessionmaker[Session], engine: Engine, slack: SlackStandin, tmp_path: Path) -> None:
    """Start a sweep, and SIGKILL it while its chat.postMessage is in flight (the row claimed)."""
    with db.begin() as session:
        enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "Hello"}, now=datetime.now(UTC))
    slack.delay(POST, 5.0)
    process = sweep(engine, slack, tmp_path, datetime.now(UTC).isoformat())
    deadline = time.monotonic() + 30
    while row(db, "notice:1").claimed_by is None:
        assert time.monotonic() < deadline and process.poll() is None, "the sweep never claimed the row"
        time.sleep(0.05)
    time.sleep(2.0)  # the post is on its way (even on a busy machine), waiting out the stand-in's delay
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


def restart_after_the_claim_expired(engine: Engine, slack: SlackStandin, tmp_path: Path) -> str:
    slack.delay(POST, 0)
    later = datetime.now(UTC) + CLAIM_TTL + timedelta(minutes=1)
    return finished(sweep(engine, slack, tmp_path, later.isoformat()))


def test_killed_between_claiming_and_posting_it_is_delivered_after_restart_once(
        db: sessionmaker[Session], engine: Engine, slack: SlackStandin, tmp_path: Path) -> None:
    slack.fail(POST, status=500, times=1)  # the in-flight post never lands: Slack has nothing
    kill_while_posting(db, engine, slack, tmp_path)
    slack.wait_for(lambda: slack.attempts(POST), timeout=15)
    assert slack.messages("C1") == []
    restart_after_the_claim_expired(engine, slack, tmp_path)
    assert [m["text"] for m in slack.messages("C1")] == ["Hello"]
    assert len(slack.calls_to("conversations.history")) == 1  # looked first, found nothing, posted
    assert (row(db, "notice:1").status, row(db, "notice:1").ts) == (DELIVERED, slack.messages("C1")[0]["ts"])


def test_killed_between_slacks_answer_and_the_commit_it_is_recorded_not_posted_again(
        db: sessionmaker[Session], engine: Engine, slack: SlackStandin, tmp_path: Path) -> None:
    kill_while_posting(db, engine, slack, tmp_path)
    slack.wait_for(lambda: slack.messages("C1"), timeout=15)  # Slack posted it; nobody recorded that
    assert row(db, "notice:1").status != DELIVERED
    restart_after_the_claim_expired(engine, slack, tmp_path)
    assert len(slack.calls_to(POST)) == 1 and len(slack.messages("C1")) == 1
    assert (row(db, "notice:1").status, row(db, "notice:1").ts) == (DELIVERED, slack.messages("C1")[0]["ts"])


def test_flexcare_scheduler_catches_up_at_start_delivers_and_stops_on_sigterm(
        db: sessionmaker[Session], engine: Engine, slack: SlackStandin, tmp_path: Path) -> None:
    with db.begin() as session:
        enqueue(session, key="notice:1", channel="C1", kind="text", params={"text": "Hello"}, now=datetime.now(UTC))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FLEXCARE_", "DATABASE_"))}
    env |= {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.base_url}
    process = subprocess.Popen([str(FLEXCARE), "scheduler"], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        slack.wait_for(lambda: slack.messages("C1"), timeout=30)
        slack.wait_for(lambda: row(db, "notice:1").status == DELIVERED, timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "SIGTERM received; stopping the scheduler" in err
    assert len(slack.calls_to(POST)) == 1
