"""GET /metrics on `flexcare serve`: ack latency by kind of request, handler errors, the outbox and FTC
figures read from the database, and the worker processes' samples added up (issue 11)."""

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

import handlers.contract
from bot import metrics
from bot.standin import payloads
from bot.standin.webapi import SlackStandin
from domain.incidents.deadlines import stage_key
from domain.notifications.records import CANCELLED, DELIVERED, FAILED, Notification
from domain.notifications.service import enqueue
from handlers.blocks.reminders import FTC_STAGE
from tests.e2e.harness import FakeClock, Harness, running_bot

ROOT = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def harness(db: sessionmaker[Session]) -> Iterator[Harness]:
    with SlackStandin() as slack, running_bot(db, slack, FakeClock()) as running:
        yield running


def samples(text: str) -> Samples:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(harness: Harness) -> Samples:
    answer = harness.get("/metrics")
    assert answer.status == 200
    return samples(answer.body)


def acks(found: Samples, kind: str) -> float:
    return found.get(("flexcare_slack_ack_seconds_count", (("kind", kind),)), 0.0)


def test_metrics_counts_each_signed_request_by_kind_with_its_latency(harness: Harness) -> None:
    before = scrape(harness)
    for _ in range(3):
        harness.reply("help", user="U0MEMB01")
    assert harness.event({"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"}).status == 200
    after = scrape(harness)

    assert acks(after, "command") - acks(before, "command") == 3
    assert acks(after, "event") - acks(before, "event") == 1
    # every answer came well inside Slack's 3 seconds: all four are in the 3 s bucket
    in_3s = sum(after[("flexcare_slack_ack_seconds_bucket", (("kind", k), ("le", "3.0")))]
                - before.get(("flexcare_slack_ack_seconds_bucket", (("kind", k), ("le", "3.0"))), 0.0)
                for k in ("command", "event"))
    assert in_3s == 4
    assert after[("flexcare_slack_ack_seconds_sum", (("kind", "command"),))] > before.get(
        ("flexcare_slack_ack_seconds_sum", (("kind", "command"),)), 0.0)
    assert harness.get("/healthz").status == 200 and acks(scrape(harness), "other") == acks(after, "other")


def test_an_unexpected_failure_counts_as_a_handler_error(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    before = scrape(harness).get(("flexcare_handler_errors_total", ()), 0.0)
    monkeypatch.setattr(handlers.contract, "choose_contract", broken)
    harness.reply("contract", user="U0MEMB01")
    harness.reply("help", user="U0MEMB01")  # a request that works adds nothing
    assert scrape(harness)[("flexcare_handler_errors_total", ())] - before == 1


def test_the_outbox_figures_are_read_from_the_database(db: sessionmaker[Session]) -> None:
    clock = FakeClock()
    now = clock()
    with db.begin() as session:
        for n, minutes_ago in enumerate((42, 10, 3, 1)):
            enqueue(session, key=f"test:{n}", channel="C0INCID1", kind="test", params={},
                    now=now - timedelta(minutes=minutes_ago))
        session.execute(update(Notification).where(Notification.key == "test:0").values(status=DELIVERED))
        session.execute(update(Notification).where(Notification.key == "test:3").values(status=FAILED))
    found = samples(metrics.exposition(db, clock)[0].decode())

    assert found[("flexcare_database_up", ())] == 1
    assert found[("flexcare_outbox_backlog", ())] == 2  # test:1 and test:2
    assert found[("flexcare_outbox_oldest_undelivered_seconds", ())] == 600  # test:1, 10 minutes old
    assert found[("flexcare_outbox_failed", ())] == 1

    with db.begin() as session:
        session.execute(update(Notification).values(status=DELIVERED))
    found = samples(metrics.exposition(db, clock)[0].decode())
    assert (found[("flexcare_outbox_backlog", ())], found[("flexcare_outbox_oldest_undelivered_seconds", ())]) == (0, 0)


def test_ftc_warnings_and_breaches_are_the_stage_rows_written(db: sessionmaker[Session]) -> None:
    now = FakeClock()()
    due, later_due = now + timedelta(hours=1), now + timedelta(hours=4)
    stages = [(7, due, "half"), (7, due, "last"), (7, due, "breach"), (7, due, "reminder-1"), (7, due, "reminder-2"),
              (8, due, "half"), (8, later_due, "half")]
    with db.begin() as session:
        for incident, due_at, stage in stages:
            enqueue(session, key=stage_key(incident, due_at, stage), channel="C0INCID1", kind=FTC_STAGE,
                    params={"stage": stage}, now=now)
        # superseded before it was sent (the due instant moved): never a warning anyone saw
        session.execute(update(Notification).where(Notification.key == stage_key(8, due, "half"))
                        .values(status=CANCELLED))
    found = samples(metrics.exposition(db, FakeClock())[0].decode())

    assert {stage: found[("flexcare_ftc_warnings_total", (("stage", stage),))]
            for stage in ("half", "last", "reminder")} == {"half": 2, "last": 1, "reminder": 2}
    assert found[("flexcare_ftc_breaches_total", ())] == 1


@pytest.mark.parametrize(("body", "kind"), [
    (payloads.slash_command("help", user_id="U1", channel_id="C1"), "command"),
    (payloads.block_action("points_open", "x", user_id="U1", channel_id="C1"), "action"),
    (payloads.view_submission({"id": "V1", "type": "modal", "callback_id": "cb", "blocks": []}, {}, user_id="U1"),
     "view"),
    (payloads.message_shortcut("flexcare_escalate", user_id="U1", channel_id="C1", message_text="down",
                               message_ts="1.2", message_user="U2"), "shortcut"),
    ("payload=" + quote(json.dumps({"type": "block_suggestion", "action_id": "a", "value": "ac"})), "options"),
    (payloads.app_home_opened("U1"), "event"),
    ('{"type": "url_verification", "challenge": "x"}', "other"),
    ("payload=not-json", "other"),
])
def test_the_kind_of_request_comes_from_its_body(body: str, kind: str) -> None:
    content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    assert metrics.request_kind(body.encode(), content_type) == kind


def test_worker_processes_samples_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """What gunicorn does: the directory is set before the fork, each worker writes its own file."""
    script = textwrap.dedent("""
        import os, sys
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker
        from bot import metrics

        metrics.observe_ack("command", 0.02)
        child = os.fork()
        if child == 0:
            metrics.observe_ack("command", 0.5)
            metrics.observe_ack("view", 0.01)
            os._exit(0)
        os.waitpid(child, 0)
        body, _ = metrics.exposition(sessionmaker(create_engine("sqlite://")), lambda: None)
        sys.stdout.write(body.decode())
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    found = samples(done.stdout)
    assert (acks(found, "command"), acks(found, "view")) == (2, 1)
    assert found[("flexcare_slack_ack_seconds_sum", (("kind", "command"),))] == pytest.approx(0.52)
    assert found[("flexcare_database_up", ())] == 0  # no tables there: the scrape says so and goes on
    assert "cannot read the outbox" in done.stderr


def test_serve_makes_a_metrics_directory_unless_the_operator_gave_one(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    made = metrics.prepare_multiprocess_dir(environ)
    try:
        assert environ == {"PROMETHEUS_MULTIPROC_DIR": made} and Path(made).is_dir() and not list(Path(made).iterdir())
    finally:
        Path(made).rmdir()
    given = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    assert metrics.prepare_multiprocess_dir(given) == str(tmp_path / "prom")
    assert (tmp_path / "prom").is_dir() and given == {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
