"""The stand-in's conversations.history and conversations.replies answer as Slack does for what FlexCare asks:
newest first (history) or the thread in order (replies), from `oldest`, `limit` long with a cursor, and message
metadata only with `include_all_metadata`."""

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standin.webapi import SlackStandin

META = {"event_type": "flexcare_notification", "event_payload": {"key": "k1"}}


@pytest.fixture
def client() -> Iterator[WebClient]:
    seconds = iter(range(1_800_000_000, 1_800_001_000, 10))
    with SlackStandin(ts_clock=lambda: float(next(seconds))) as slack:
        yield WebClient(base_url=slack.base_url, token="xoxb-test")


def test_history_is_top_level_newest_first_from_oldest_with_metadata_on_request(client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="one", metadata=META)["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=first)
    second = client.chat_postMessage(channel="C1", text="two")["ts"]
    assert (first, second) == ("1800000000.000000", "1800000020.000000")
    page = client.conversations_history(channel="C1")
    assert [m["text"] for m in page["messages"]] == ["two", "one"] and "metadata" not in page["messages"][1]
    with_metadata = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert with_metadata[1]["metadata"] == META
    assert [m["text"] for m in client.conversations_history(channel="C1", oldest=first)["messages"]] == ["two"]


def test_history_pages_with_a_cursor(client: WebClient) -> None:
    for n in range(5):
        client.chat_postMessage(channel="C1", text=str(n))
    first = client.conversations_history(channel="C1", limit=3)
    assert [m["text"] for m in first["messages"]] == ["4", "3", "2"] and first["has_more"]
    rest = client.conversations_history(channel="C1", limit=3, cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["1", "0"] and not rest["has_more"]


def test_replies_are_the_thread_in_order(client: WebClient) -> None:
    root = client.chat_postMessage(channel="C1", text="card")["ts"]
    client.chat_postMessage(channel="C1", text="warning", thread_ts=root, metadata=META)
    thread = client.conversations_replies(channel="C1", ts=root, include_all_metadata=True)["messages"]
    assert [m["text"] for m in thread] == ["card", "warning"] and thread[1]["metadata"] == META
    with pytest.raises(SlackApiError) as failure:
        client.conversations_replies(channel="C1", ts="1.000000")
    assert failure.value.response["error"] == "thread_not_found"
