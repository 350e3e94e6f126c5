"""Tokens and secrets never reach the log (issue 11): with logging set up as `flexcare` sets it up at start
(bot.logs.configure) and at DEBUG, so slack_sdk writes every Web API call it makes and Bolt every request it
refuses, a run of representative flows leaves no bot token, app token, client secret, signing secret, nor a token
Slack issued at install, in what is written. The flows run through the real App on loopback (tests/e2e/harness)."""

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.logs import configure
from bot.settings import Settings, load_settings
from bot.standin import payloads
from bot.standin.webapi import SlackStandin
from domain.notifications.service import enqueue
from handlers.blocks import incident_forms
from tests.e2e.harness import TEAM, FakeClock, Harness, running_bot
from tests.e2e.incident_steps import FORM, modal
from tests.e2e.test_oauth import install

BOT_TOKEN = "xoxb-1234567890-0987654321-SeCrEtBoTtOkEn"
APP_TOKEN = "xapp-1-A0FLEXCARE-1234567890-SeCrEtApPtOkEn"
SIGNING_SECRET = "signing-SeCrEt-0123456789abcdef"
CLIENT_SECRET = "client-SeCrEt-0123456789abcdef"
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, CLIENT_SECRET)
UNMASKED_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)[.-](?!\[redacted\])[A-Za-z0-9]")  # a token, as bot/logs masks them


@contextmanager
def logged_as_in_production(settings: Settings) -> Iterator[io.StringIO]:
    """Root logging as `flexcare` configures it at start, at DEBUG, written to a buffer. pytest's own capture
    handlers step aside meanwhile (configure() leaves a logger that already has handlers alone)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    written = io.StringIO()
    try:
        configure(settings)
        assert len(root.handlers) == 1, "bot.logs.configure installs one handler"
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(written)
        root.setLevel(logging.DEBUG)  # before the App is built: Bolt's loggers copy the root level then
        yield written
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def assert_nothing_secret(written: str) -> None:
    assert "Sending a request" in written, "slack_sdk's debug lines of Web API calls were not captured"
    for secret in SECRETS:
        assert secret not in written, f"{secret[:6]}... is in the log"
    assert "SeCrEt" not in written, [line for line in written.splitlines() if "SeCrEt" in line][:3]
    leaks = [line for line in written.splitlines() if UNMASKED_TOKEN.search(line)]
    assert not leaks, leaks[:3]


def settings_for(slack: SlackStandin, **more: str) -> Settings:
    return load_settings({"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.base_url,
                          "DATABASE_URL": "sqlite://", "FLEXCARE_LOG_LEVEL": "DEBUG", **more})


def signed(harness: Harness, body: str, content_type: str) -> int:
    return harness.post(body, content_type=content_type, secret=SIGNING_SECRET).status


def single_workspace_flows(harness: Harness) -> None:
    """A command, a modal opened and submitted, the card it posts, a button, App Home, a Slack failure, a request
    with a bad signature, and Socket Mode's handshake with the app token."""
    name = "secrets-points"
    command = payloads.slash_command("points", user_id="U0ADMIN1", channel_id="C0INCID1", team_id=TEAM,
                                     response_url=harness.slack.response_url(name))
    assert signed(harness, command, FORM) == 200
    harness.slack.wait_for(lambda: harness.slack.responses(name))
    command = payloads.slash_command("incident new Collector down", user_id="U0ADMIN1", channel_id="C0INCID1",
                                     team_id=TEAM, trigger_id="trigger-secrets")
    assert signed(harness, command, FORM) == 200
    view = modal(harness, incident_forms.NEW_MODAL)
    body = payloads.view_submission(view, payloads.fill(view, {"description": "Since 8:00", "impact": "2",
                                                               "product:ACME-FC-01": "Operations Bridge"}),
                                    user_id="U0ADMIN1", team_id=TEAM)
    assert signed(harness, body, FORM) == 200
    harness.slack.wait_for(lambda: harness.slack.messages("C0INCID1"))
    assert signed(harness, payloads.app_home_opened("U0ADMIN1", team_id=TEAM), "application/json") == 200
    harness.slack.wait_for(lambda: harness.slack.calls_to("views.publish"))
    harness.slack.fail("chat.postMessage", error="invalid_auth")  # the dispatcher logs Slack's refusal
    with harness.db.begin() as session:
        enqueue(session, key="secrets-text", channel="C0ALERT1", kind="text", params={"text": "Hello"},
                now=harness.clock())
    harness.bot.dispatcher.kick()
    harness.slack.wait_for(lambda: harness.slack.attempts("chat.postMessage")[-1].error == "invalid_auth")
    assert harness.post(command, content_type=FORM, secret="not-the-secret").status == 401
    handler = SocketModeHandler(harness.bot.app, APP_TOKEN)  # type: ignore[no-untyped-call]
    try:
        handler.client.web_client.apps_connections_open(app_token=APP_TOKEN)
    except SlackApiError as exc:  # the stand-in has no Socket Mode; the call and its refusal are what is logged
        logging.getLogger(__name__).debug("apps.connections.open: %s", exc)


def test_a_single_workspace_run_logs_no_token_or_secret(db: sessionmaker[Session]) -> None:
    with SlackStandin() as slack:
        settings = settings_for(slack, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN)
        with logged_as_in_production(settings) as written, running_bot(db, slack, FakeClock(), settings) as harness:
            single_workspace_flows(harness)
            harness.slack.clear_faults()
    assert "Invalid request signature" in written.getvalue()
    assert_nothing_secret(written.getvalue())


def test_an_oauth_install_logs_neither_the_client_secret_nor_the_token_it_receives(
        db: sessionmaker[Session]) -> None:
    with SlackStandin() as slack:
        settings = settings_for(slack, SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET=CLIENT_SECRET)
        with logged_as_in_production(settings) as written, running_bot(db, slack, FakeClock(), settings) as harness:
            install(harness, "T0SECOND")
            event = payloads.event_callback({"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"},
                                            team_id="T0SECOND")
            assert signed(harness, event, "application/json") == 200
            published = harness.slack.wait_for(lambda: harness.slack.calls_to("views.publish"))
    assert published[0].token == "xoxb-t0second"  # the workspace's own token was used, and not written down
    assert "oauth.v2.access" in written.getvalue()
    assert "xoxb-t0second" not in written.getvalue()
    assert_nothing_secret(written.getvalue())


def _json_lines(written: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in written.splitlines() if line.startswith("{")]


def test_json_lines_are_masked_too(db: sessionmaker[Session]) -> None:
    with SlackStandin() as slack:
        settings = settings_for(slack, SLACK_BOT_TOKEN=BOT_TOKEN, LOG_FORMAT="json")
        with logged_as_in_production(settings) as written, running_bot(db, slack, FakeClock(), settings) as harness:
            name = "secrets-json"
            command = payloads.slash_command("points", user_id="U0ADMIN1", channel_id="C0INCID1", team_id=TEAM,
                                             response_url=harness.slack.response_url(name))
            assert signed(harness, command, FORM) == 200
            harness.slack.wait_for(lambda: harness.slack.responses(name))
    assert _json_lines(written.getvalue()), "LOG_FORMAT=json writes one object a line"
    assert_nothing_secret(written.getvalue())
