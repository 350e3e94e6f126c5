"""Logs an operator can search: JSON lines with the request's Slack ids and the error id a person saw;
no token or secret ever written (issue 11)."""

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import handlers.contract
from bot.logs import make_handler
from bot.settings import SettingsError, load_settings
from bot.standin.webapi import SlackStandin
from tests.e2e.harness import SIGNING_SECRET, TEAM, FakeClock, Harness, running_bot

ERROR_ID = re.compile(r"\(error ([0-9a-f]+)\)")


@pytest.fixture
def harness(db: sessionmaker[Session]) -> Iterator[Harness]:
    with SlackStandin() as slack, running_bot(db, slack, FakeClock()) as running:
        yield running


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes in LOG_FORMAT=json, with the test settings' secrets to mask."""
    stream = io.StringIO()
    handler = make_handler("json", secrets=["xoxb-test", SIGNING_SECRET], stream=stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_error_id_a_person_saw_finds_its_log_line_with_the_requests_slack_ids(
        harness: Harness, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(handlers.contract, "choose_contract", broken)
    seen = {}
    for user, channel in (("U0MEMB01", "C0INCID1"), ("U0ADMIN1", "C0ALERT1")):
        name = harness.command("contract", user=user, channel=channel)
        reply = harness.slack.wait_for(lambda name=name: harness.slack.responses(name), timeout=10)[0]  # type: ignore[misc]
        match = ERROR_ID.search(reply["text"])
        assert match, reply["text"]
        seen[match.group(1)] = (user, channel, f"trigger-{name}")

    lines = records(json_lines)  # every line is one JSON object
    failures = {r["error_id"]: r for r in lines if "error_id" in r}
    assert set(failures) == set(seen)
    for error_id, (user, channel, trigger) in seen.items():
        line = failures[error_id]  # each line carries its own request's ids, not the other's
        assert (line["level"], line["logger"]) == ("ERROR", "handlers.replies")
        assert (line["team_id"], line["user_id"], line["channel_id"], line["trigger_id"]) == (TEAM, user, channel,
                                                                                               trigger)
        assert error_id in line["message"] and "RuntimeError: database on fire" in line["exception"]
        assert line["time"].endswith("+00:00")


def test_tokens_and_the_signing_secret_are_masked_in_messages_arguments_and_tracebacks(
        json_lines: io.StringIO) -> None:
    log = logging.getLogger("tests.leaky")
    log.warning("posting with xoxb-123-456-abcDEF and xapp-1-A0-99 for %s", "xoxp-9-8-7")
    log.warning("rotated xoxe.xoxp-1-abc, refresh xoxe-1-def, secret %s", SIGNING_SECRET)
    try:
        raise RuntimeError("Slack said no to xoxb-test")
    except RuntimeError:
        log.exception("a call failed")

    written = json_lines.getvalue()
    for secret in ("xoxb-123", "xapp-1-A0", "xoxp-9", "xoxe.xoxp-1", "xoxe-1-def", SIGNING_SECRET, "xoxb-test"):
        assert secret not in written
    first, second, third = records(json_lines)
    assert first["message"] == "posting with xoxb-[redacted] and xapp-[redacted] for xoxp-[redacted]"
    assert second["message"] == "rotated xoxe.[redacted], refresh xoxe-[redacted], secret [redacted]"
    assert "RuntimeError: Slack said no to xoxb-[redacted]" in third["exception"]


def test_text_lines_end_with_the_slack_ids_and_error_id_in_brackets() -> None:
    stream = io.StringIO()
    log = logging.getLogger("tests.text")
    log.addHandler(make_handler("text", stream=stream))
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        log.error("unexpected failure [error %s]", "a1b2c3", extra={"error_id": "a1b2c3", "user_id": "U0MEMB01"})
        log.info("nothing to add")
    finally:
        log.handlers.clear()
        log.propagate = True
        log.setLevel(logging.NOTSET)
    failure, plain = stream.getvalue().splitlines()
    assert failure.endswith("ERROR tests.text: unexpected failure [error a1b2c3] [user_id=U0MEMB01 error_id=a1b2c3]")
    assert plain.endswith("INFO tests.text: nothing to add")


def test_log_format_is_text_or_json() -> None:
    assert load_settings({}).log_format == "text"
    assert load_settings({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT: 'yaml' is not text or json"):
        load_settings({"LOG_FORMAT": "yaml"})
