"""deploy/compose.yml's topology as local processes (issue 11, part 5): a fresh PostgreSQL database, migrations
and the contract import run once, two `flexcare serve` replicas behind a round-robin proxy, one `flexcare
scheduler`. People open incidents through the proxy; both replicas answer; one replica is SIGKILLed mid-load.
Every request the proxy took is answered 200 with its own incident, and every card reaches Slack exactly once:
the dead replica's claims are taken over once they expire (CLAIM_TTL), found in the channel's history if it
had posted already."""

import json
import re
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.standin import TEAM_ID, payloads
from bot.standin.webapi import SlackStandin
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.incidents.records import Incident
from domain.notifications.records import DELIVERED, PENDING, Notification
from handlers.blocks import incident_forms as forms
from handlers.escalation import contract_choices
from scheduler.dispatcher import CLAIM_TTL
from tests.deploy.fleet import SIGNING_SECRET, Fleet, flexcare_env, free_port, wait_healthy
from tests.deploy.proxy import RoundRobinProxy

INCIDENTS = 15
CLIENTS = 4  # people pressing Submit at the same time
KILL_AFTER = 5  # answers (from both replicas) before serve-1 dies: most of the load is still to come
# contract -> (a member who opens incidents, the alerts channel the form is opened in, a covered product)
OPENERS = {"ACME-FC-01": ("U0MEMB01", "C0ALERT1", "Operations Bridge"),
           "FORMOSA-FC-07": ("U0MEMB03", "C0ALERT2", "Data Protector"),
           "HUDSON-FC-03": ("U0MEMB04", "C0ALERT3", "Service Management Automation X")}


@pytest.fixture
def fresh_database(postgres_engine: Engine) -> Iterator[URL]:
    """A new, empty database on the test server (postgres_engine decides what an unreachable server means)."""
    name = f"flexcare_topology_{uuid4().hex[:12]}"
    admin = create_engine(postgres_engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_engine.url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(ts_clock=time.time) as standin:  # Slack mints ts from its own (real) clock
        yield standin


def submissions(db: sessionmaker[Session]) -> list[str]:
    """Request bodies: the new-incident form submitted, each with its own view id (so one incident each)."""
    bodies, contracts = [], list(OPENERS)
    with db() as session:
        for n in range(INCIDENTS):
            contract = contracts[n % len(contracts)]
            user, channel, product = OPENERS[contract]
            choices, chosen = contract_choices(session, user=user, channel=channel, team=TEAM_ID, linked_only=True)
            view = forms.new_incident_modal(choices, chosen, summary=f"Load test {n}", description="",
                                            metadata={"channel": channel}).to_dict()
            view |= {"id": f"VTOPOLOGY{n:04d}", "hash": f"{n}.topology", "team_id": TEAM_ID}
            answers = {forms.product_block(contract): product, forms.IMPACT: "4",
                       forms.DESCRIPTION: "Opened under load."}
            bodies.append(payloads.view_submission(view, payloads.fill(view, answers), user_id=user))
    return bodies


def submit(proxy: RoundRobinProxy, body: str) -> tuple[int, dict[str, Any]]:
    headers = payloads.signed_headers(body, SIGNING_SECRET, content_type=payloads.FORM)
    request = urllib.request.Request(proxy.url + "/slack/events", data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, json.loads(answer.read() or b"{}")


def incident_opened(ack: dict[str, Any]) -> str:
    """The incident key the "Incident opened" modal names."""
    found = re.search(r"\*([A-Z]+-FC-\d+-\d+)\*", json.dumps(ack))  # in any language
    assert found, ack
    return found[1]


def worker_pid(claimed_by: str) -> int:
    return int(claimed_by.split(":")[1])  # "host:pid" (a serve worker) or "host:pid:role"


def only_the_dead_hold_work(db: sessionmaker[Session], dead: set[int]) -> bool:
    """Nothing left that a live process could deliver: each pending row is claimed by a dead worker, or waits
    behind one in its channel (per-channel order), and no live worker holds a claim."""
    with db() as session:
        pending = session.scalars(select(Notification).where(Notification.status == PENDING)).all()
    stuck = {row.channel for row in pending if row.claimed_by and worker_pid(row.claimed_by) in dead}
    live_claims = [row for row in pending if row.claimed_by and worker_pid(row.claimed_by) not in dead]
    return not live_claims and all(row.channel in stuck for row in pending)


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"waited {timeout:g}s for {what}"
        time.sleep(0.2)


def test_two_replicas_behind_a_proxy_answer_and_one_killed_mid_load_loses_nothing(
        fresh_database: URL, slack: SlackStandin, tmp_path: Path, examples: Path) -> None:
    fleet = Fleet(flexcare_env(fresh_database, slack), tmp_path)
    fleet.run_once("db", "upgrade")  # compose: the one-shot `migrate` service, before anything serves
    engine = make_engine(fresh_database)
    db = make_session_factory(engine)
    with db.begin() as session:  # and the contract file, which `migrate` imports next
        contracts.import_contracts(session, parse_contract_file(examples.read_text(), source=examples.name),
                                   source=examples.name, now=datetime.now(UTC))
    ports = {"serve-1": free_port(), "serve-2": free_port()}
    try:
        for name, port in ports.items():
            fleet.start(name, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--threads", "4")
        fleet.start("scheduler", "scheduler")
        for name, port in ports.items():
            wait_healthy(fleet, name, port)
        dead = fleet.pids("serve-1")
        bodies = submissions(db)
        answers: list[tuple[int, dict[str, Any]]] = []
        killed_after: int | None = None
        with RoundRobinProxy(list(ports.values())) as proxy, ThreadPoolExecutor(CLIENTS) as clients:
            for done in as_completed([clients.submit(submit, proxy, body) for body in bodies]):
                answers.append(done.result())
                both_answered = all(proxy.answered[port] for port in ports.values())
                if killed_after is None and len(answers) >= KILL_AFTER and both_answered:
                    assert fleet.kill("serve-1") < 0
                    killed_after = len(answers)
        assert killed_after is not None and killed_after < INCIDENTS - CLIENTS, (killed_after, proxy.answered)
        assert proxy.skipped[ports["serve-1"]] >= 1 and not proxy.skipped[ports["serve-2"]]  # it went around
        assert [status for status, _ in answers] == [200] * INCIDENTS
        assert len({incident_opened(ack) for _, ack in answers}) == INCIDENTS  # each its own incident, none twice
        with db() as session:
            assert session.scalar(select(func.count()).select_from(Incident)) == INCIDENTS

        wait_until(lambda: only_the_dead_hold_work(db, dead), 40, "the survivors to deliver what they can")
        # What serve-1 had claimed waits out its claim; a sweep at that instant stands in for the wait. The
        # survivors stop first (cleanly, on SIGTERM): to a clock CLAIM_TTL ahead their claims would look void too.
        assert fleet.stop("serve-2", "scheduler") == [0, 0]
        later = datetime.now(UTC) + CLAIM_TTL + timedelta(minutes=1)
        fleet.run_once("sweep", "--now", later.isoformat())

        with db() as session:
            rows = session.scalars(select(Notification)).all()
        assert {row.status for row in rows} == {DELIVERED}, [row for row in rows if row.status != DELIVERED]
        posted = Counter(call.args["metadata"]["event_payload"]["key"] for call in slack.calls_to("chat.postMessage"))
        assert [key for key, times in posted.items() if times > 1] == []
        assert set(posted) == {row.key for row in rows if row.updates is None}
        assert len([key for key in posted if re.fullmatch(r"incident:\d+:card", key)]) == INCIDENTS
    finally:
        fleet.stop_all()
        engine.dispose()
