"""The stand-in's fault windows the outage tests use: a rule or a delay that lapses after `for_seconds`."""

import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin.webapi import SlackStandin

POST = "chat.postMessage"


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin() as standin:
        yield standin


def outcome(client: WebClient) -> int:
    try:
        client.chat_postMessage(channel="C1", text="x")
    except SlackApiError as failure:
        return int(failure.response.status_code)
    return 200


def test_a_failure_window_answers_every_call_until_it_lapses_then_the_next_rule_does(slack: SlackStandin) -> None:
    client = WebClient(base_url=slack.base_url, token="xoxb-test", retry_handlers=[])
    slack.fail(POST, status=429, retry_after=3, times=None, for_seconds=0.3)
    slack.fail(POST, status=500, times=1)
    assert [outcome(client) for _ in range(3)] == [429, 429, 429]
    time.sleep(0.3)
    assert [outcome(client) for _ in range(2)] == [500, 200]
    with pytest.raises(ValueError, match="for_seconds must be positive"):
        slack.fail(POST, status=500, for_seconds=0)


def test_a_delay_window_slows_only_the_calls_arriving_in_it(slack: SlackStandin) -> None:
    client = WebClient(base_url=slack.base_url, token="xoxb-test", retry_handlers=[], timeout=1)
    slack.delay(POST, 1.2, for_seconds=0.5)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="slow")
    # The client gave up; Slack still posted it, as a real Slack would a request it had received.
    assert slack.wait_for(lambda: slack.messages("C1"), timeout=2)[0]["text"] == "slow"
    started = time.monotonic()
    assert outcome(client) == 200 and time.monotonic() - started < 0.5
