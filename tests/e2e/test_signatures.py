"""Slack's request signatures (issue 11): a request with no signature, a wrong one, one for other bytes, or one
replayed after Slack's five minutes is answered 401 and does nothing; the log says so, and never holds the signing
secret. The same request, properly signed and fresh, is served, so each refusal is the signature's doing."""

import logging
import time
import urllib.error
import urllib.request

import pytest

from bot.standin import payloads
from tests.e2e.harness import SIGNING_SECRET, TEAM, Harness

FORM = "application/x-www-form-urlencoded"
SIX_MINUTES = 6 * 60


@pytest.fixture(autouse=True)
def info_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Before the App is built: Bolt's loggers take the root logger's level then (as at INFO in production)."""
    caplog.set_level(logging.DEBUG)


def raw_post(harness: Harness, body: str, headers: dict[str, str]) -> int:
    """POST `body` with exactly `headers` (no signing of our own); returns the HTTP status."""
    request = urllib.request.Request(harness.url + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": FORM, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def command(harness: Harness, name: str) -> str:
    return payloads.slash_command("help", user_id="U0ADMIN1", channel_id="C0INCID1", team_id=TEAM,
                                  trigger_id=f"trigger-{name}", response_url=harness.slack.response_url(name))


def signed(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    return payloads.signed_headers(body, secret, timestamp=timestamp, content_type=FORM)


def forged_headers(body: str) -> dict[str, dict[str, str]]:
    """Each way a request can fail the check, as the headers `body` would arrive with."""
    now = int(time.time())
    fresh = signed(body)
    return {
        "no signature headers": {},
        "a timestamp but no signature": {"X-Slack-Request-Timestamp": str(now)},
        "a signature but no timestamp": {"X-Slack-Signature": fresh["X-Slack-Signature"]},
        "signed with another secret": signed(body, secret="not-the-" + SIGNING_SECRET),
        "signed for other bytes": {**fresh, "X-Slack-Signature": signed(body + "&text=x")["X-Slack-Signature"]},
        "a valid signature, six minutes old": signed(body, timestamp=now - SIX_MINUTES),
        "a valid signature, six minutes ahead": signed(body, timestamp=now + SIX_MINUTES),
        "a timestamp that is no number": {**fresh, "X-Slack-Request-Timestamp": "soon"},
        "a signature that is not ASCII": {**fresh, "X-Slack-Signature": "v0=\u00e9t\u00e9"},
        "an empty signature": {**fresh, "X-Slack-Signature": ""},
    }


CASES = ("no signature headers", "a timestamp but no signature", "a signature but no timestamp",
         "signed with another secret", "signed for other bytes", "a valid signature, six minutes old",
         "a valid signature, six minutes ahead", "a timestamp that is no number", "a signature that is not ASCII",
         "an empty signature")


def test_every_way_of_forging_is_tried() -> None:
    assert tuple(forged_headers("body")) == CASES


def test_a_request_without_a_valid_fresh_signature_is_refused_401_logged_and_does_nothing(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    for number, case in enumerate(CASES):
        caplog.clear()
        name = f"forged{number}"
        body = command(harness, name)
        status = raw_post(harness, body, forged_headers(body)[case])
        assert status == 401, f"{case}: answered {status}"
        served = harness.command("help", user="U0ADMIN1")  # a proper request right after it is served
        harness.slack.wait_for(lambda: harness.slack.responses(served))  # noqa: B023 (waited for at once)
        assert harness.slack.responses(name) == [], f"{case}: the refused request was acted on"
        logged = [record.getMessage() for record in caplog.records]
        assert any("Invalid request signature" in line or "signature headers are not Slack's" in line
                   for line in logged), f"{case}: {logged}"
        assert not [line for line in logged if SIGNING_SECRET in line], case
        assert not any(SIGNING_SECRET in (record.exc_text or "") for record in caplog.records), case
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], f"{case}: {logged}"


def test_a_fresh_signed_request_is_served_again_within_five_minutes(harness: Harness) -> None:
    """Inside the window a repeat is Slack's own retry: served (events are deduplicated by event_id instead)."""
    body = command(harness, "twice")
    headers = signed(body, timestamp=int(time.time()) - 4 * 60)
    assert raw_post(harness, body, headers) == 200
    assert raw_post(harness, body, headers) == 200
    assert len(harness.slack.wait_for(lambda: harness.slack.responses("twice")[1:] and
                                      harness.slack.responses("twice"))) == 2
