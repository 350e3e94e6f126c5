"""The Slack stand-in answers a real slack_sdk WebClient as Slack would, and records what it was asked."""

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from bot.standin.webapi import SlackStandin

SECTION = {"type": "section", "block_id": "s1", "text": {"type": "mrkdwn", "text": "Disk full on *db-1*"}}
MODAL = {"type": "modal", "callback_id": "escalate", "title": {"type": "plain_text", "text": "Escalate"},
         "blocks": [{"type": "input", "block_id": "summary", "label": {"type": "plain_text", "text": "Summary"},
                     "element": {"type": "plain_text_input", "action_id": "value"}}]}
HOME = {"type": "home", "blocks": [SECTION]}


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin() as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandin) -> WebClient:
    return WebClient(base_url=slack.base_url, token="xoxb-test")


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.response["error"])


def test_base_url_is_a_loopback_api_root_and_auth_test_names_the_bot(slack: SlackStandin, client: WebClient) -> None:
    assert slack.base_url.startswith("http://127.0.0.1:") and slack.base_url.endswith("/api/")
    me = client.auth_test()
    assert (me["team_id"], me["user_id"], me["bot_id"]) == ("T0FLEXCARE", "U0FLEXBOT", "B0FLEXBOT")
    assert me["url"] == "https://example.slack.com/"
    [call] = slack.calls
    assert (call.method, call.failed, call.token) == ("auth.test", False, "xoxb-test")


def test_posted_messages_get_unique_increasing_ts_and_are_kept_per_channel_and_thread(
        slack: SlackStandin, client: WebClient) -> None:
    root = client.chat_postMessage(channel="C1", text="Incident opened", blocks=[SECTION])
    reply = client.chat_postMessage(channel="C1", text="Engineer assigned", thread_ts=root["ts"])
    other = client.chat_postMessage(channel="C2", text="elsewhere")
    assert root["ts"] == "1700000000.000100"
    assert float(root["ts"]) < float(reply["ts"]) < float(other["ts"])
    assert root["channel"] == "C1" and root["message"]["blocks"] == [SECTION]
    assert [m["text"] for m in slack.messages("C1")] == ["Incident opened", "Engineer assigned"]
    assert [m["ts"] for m in slack.thread("C1", root["ts"])] == [root["ts"], reply["ts"]]
    assert slack.messages("C3") == []
    assert client.chat_postMessage(channel="U0MEMB01", text="a DM")["channel"] == "U0MEMB01"
    assert slack.messages("U0MEMB01")[0]["text"] == "a DM"
    assert error_of(lambda: client.chat_postMessage(channel="#nowhere", text="x")) == "channel_not_found"


def test_form_encoded_calls_have_their_json_arguments_decoded(slack: SlackStandin, client: WebClient) -> None:
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "t", "blocks": json.dumps([SECTION])})
    [call] = slack.calls_to("chat.postMessage")
    assert call.args["blocks"] == [SECTION]
    assert slack.messages("C1")[0]["blocks"] == [SECTION]


def test_an_update_changes_the_stored_message_and_an_unknown_ts_is_message_not_found(
        slack: SlackStandin, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="v1", blocks=[SECTION])["ts"]
    assert client.chat_update(channel="C1", ts=ts, text="v2")["message"]["text"] == "v2"
    [message] = slack.messages("C1")
    assert (message["ts"], message["text"], message["blocks"]) == (ts, "v2", [SECTION])  # blocks kept, as Slack does
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.000000", text="v3")) == "message_not_found"
    assert len(slack.calls_to("chat.update")) == 1
    assert [c.error for c in slack.attempts("chat.update")] == [None, "message_not_found"]


def test_ephemeral_messages_are_kept_per_person(slack: SlackStandin, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    client.chat_postEphemeral(channel="C1", user="U2", text="only them")
    assert answer["message_ts"]
    assert [(m["channel"], m["text"]) for m in slack.ephemerals("U1")] == [("C1", "only you")]
    assert len(slack.ephemerals()) == 2 and slack.messages("C1") == []


def test_a_permalink_names_the_channel_and_ts(client: WebClient) -> None:
    link = client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")["permalink"]
    assert link == "https://example.slack.com/archives/C1/p1700000000000100"


def test_a_modal_needs_a_trigger_and_comes_back_with_an_id(slack: SlackStandin, client: WebClient) -> None:
    assert error_of(lambda: client.views_open(trigger_id="", view=MODAL)) == "invalid_arguments"
    view = client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "escalate" and view["state"] == {"values": {}}
    assert slack.last_modal() == view
    pushed = client.views_push(trigger_id="1.2.abd", view={**MODAL, "callback_id": "second"})["view"]
    assert (pushed["previous_view_id"], pushed["root_view_id"]) == (view["id"], view["id"])
    updated = client.views_update(view_id=view["id"], view={**MODAL, "callback_id": "edited"}, hash=view["hash"])
    assert slack.last_modal() == updated["view"] and updated["view"]["id"] == view["id"]
    assert error_of(lambda: client.views_update(view_id=view["id"], view=MODAL, hash=view["hash"])) == "hash_conflict"
    assert error_of(lambda: client.views_update(view_id="V404", view=MODAL)) == "not_found"
    assert [v["callback_id"] for v in slack.views("modal")] == ["edited", "second"]


def test_the_home_tab_is_published_per_person_and_replaced(slack: SlackStandin, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view=HOME)["view"]
    again = client.views_publish(user_id="U1", view={**HOME, "blocks": []})["view"]
    assert first["id"] == again["id"]
    assert slack.home("U1") == again and slack.home("U2") is None
    assert slack.views("home") == [again] and slack.last_modal() is None


def test_users_have_a_london_default_and_can_be_registered(slack: SlackStandin, client: WebClient) -> None:
    anyone = client.users_info(user="U0MEMB01")["user"]
    assert (anyone["id"], anyone["tz"], "locale" in anyone) == ("U0MEMB01", "Europe/London", False)
    slack.add_user("U0TW0001", name="mei", real_name="Mei Lin", tz="Asia/Taipei", locale="zh-TW")
    mei = client.users_info(user="U0TW0001", include_locale=True)["user"]
    assert (mei["name"], mei["real_name"], mei["tz"], mei["tz_offset"], mei["locale"]) == (
        "mei", "Mei Lin", "Asia/Taipei", 8 * 3600, "zh-TW")
    assert error_of(lambda: client.users_info(user="nobody")) == "user_not_found"


def test_conversations_and_their_members(slack: SlackStandin, client: WebClient) -> None:
    slack.add_channel("C0OPS", name="ops", members=["U1", "U0FLEXBOT"])
    info = client.conversations_info(channel="C0OPS")["channel"]
    assert (info["name"], info["is_channel"], info["is_member"]) == ("ops", True, True)
    assert client.conversations_members(channel="C0OPS")["members"] == ["U1", "U0FLEXBOT"]
    assert client.conversations_info(channel="D0DM")["channel"]["is_im"] is True


def test_a_reaction_is_added_once(slack: SlackStandin, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert slack.messages("C1")[0]["reactions"] == [{"name": "eyes", "users": ["U0FLEXBOT"], "count": 1}]
    assert error_of(lambda: client.reactions_add(channel="C1", timestamp=ts, name="eyes")) == "already_reacted"


def test_files_upload_v2_stores_the_file_and_shares_it_in_the_channel(slack: SlackStandin, client: WebClient) -> None:
    answer = client.files_upload_v2(channel="C1", content="date,points\n2026-01-01,12\n", filename="points.csv",
                                    title="Points", initial_comment="Your statement")
    [upload] = slack.uploads
    assert (upload.filename, upload.title, upload.channel) == ("points.csv", "Points", "C1")
    assert upload.content == b"date,points\n2026-01-01,12\n" and answer["file"]["id"] == upload.file_id
    [shared] = slack.messages("C1")
    assert shared["text"] == "Your statement" and shared["files"][0]["title"] == "Points"
    assert [c.method for c in slack.calls] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def test_what_is_posted_to_a_response_url_is_recorded_by_name(slack: SlackStandin) -> None:
    response = WebhookClient(slack.response_url("cmd1")).send(text="Working on it", response_type="ephemeral")
    assert (response.status_code, response.body) == (200, "ok")
    assert slack.responses("cmd1") == [{"text": "Working on it", "response_type": "ephemeral"}]
    assert slack.responses("cmd2") == [] and slack.calls_to("respond")[0].args["text"] == "Working on it"


def test_unknown_methods_and_bad_tokens_are_refused(slack: SlackStandin, client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.nonsense")) == "unknown_method"
    assert error_of(lambda: WebClient(base_url=slack.base_url).auth_test()) == "not_authed"
    assert error_of(lambda: WebClient(base_url=slack.base_url, token="bad").auth_test()) == "invalid_auth"
    assert all(c.failed for c in slack.calls) and slack.calls_to("auth.test") == []


def test_a_rate_limit_is_429_with_retry_after_and_the_sdk_handler_retries_it(slack: SlackStandin) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    plain = WebClient(base_url=slack.base_url, token="xoxb-test")
    with pytest.raises(SlackApiError) as raised:
        plain.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429 and raised.value.response.headers["Retry-After"] == "1"
    assert raised.value.response["error"] == "ratelimited"

    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    retrying = WebClient(base_url=slack.base_url, token="xoxb-test",
                         retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    assert retrying.chat_postMessage(channel="C1", text="y")["ok"]
    assert time.monotonic() - started >= 1
    attempts = [(c.status, c.failed) for c in slack.attempts("chat.postMessage")]
    assert attempts == [(429, True), (429, True), (200, False)]
    assert [m["text"] for m in slack.messages("C1")] == ["y"]


def test_faults_for_one_method_are_used_in_the_order_given(slack: SlackStandin, client: WebClient) -> None:
    slack.fail("chat.postMessage", status=500, times=2)
    slack.fail("chat.postMessage", error="channel_not_found")
    statuses = []
    for _ in range(4):
        try:
            client.chat_postMessage(channel="C1", text="x")
            statuses.append("ok")
        except SlackApiError as failure:
            statuses.append(f"{failure.response.status_code} {failure.response['error']}")
    assert statuses == ["500 internal_error", "500 internal_error", "200 channel_not_found", "ok"]
    assert client.auth_test()["ok"]  # other methods were never affected
    assert (len(slack.attempts("chat.postMessage")), len(slack.calls_to("chat.postMessage"))) == (4, 1)


def test_the_sdk_server_error_handler_retries_a_500(slack: SlackStandin) -> None:
    slack.fail("chat.postMessage", status=500, times=1)
    quick = FixedValueRetryIntervalCalculator(fixed_internal=0.05)  # sic: the SDK spells it so
    client = WebClient(base_url=slack.base_url, token="xoxb-test",
                       retry_handlers=[ServerErrorRetryHandler(max_retry_count=1, interval_calculator=quick)])
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in slack.attempts("chat.postMessage")] == [500, 200]


def test_an_outage_answers_503_until_it_ends_or_is_cleared(slack: SlackStandin, client: WebClient) -> None:
    slack.outage(0.3)
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response.status_code == 503
    assert slack.wait_for(lambda: _succeeds(client), timeout=3)
    slack.outage()
    assert not _succeeds(client)
    slack.clear_faults()
    assert _succeeds(client)


def _succeeds(client: WebClient) -> bool:
    try:
        return bool(client.auth_test()["ok"])
    except SlackApiError:
        return False


def test_a_delay_slows_one_method_and_not_the_others(slack: SlackStandin, client: WebClient) -> None:
    slack.delay("chat.postMessage", 0.4)
    slow = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="slow"))
    started = time.monotonic()
    slow.start()
    client.auth_test()
    fast = time.monotonic() - started
    slow.join(5)
    assert fast < 0.3 and time.monotonic() - started >= 0.4
    assert slack.messages("C1")[0]["text"] == "slow"


def test_many_threads_posting_at_once_get_distinct_ts_and_every_call_is_recorded(
        slack: SlackStandin, client: WebClient) -> None:
    def post(n: int) -> None:
        for i in range(10):
            client.chat_postMessage(channel=f"C{n % 3}", text=f"{n}-{i}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    all_ts = [m["ts"] for c in ("C0", "C1", "C2") for m in slack.messages(c)]
    assert len(all_ts) == len(set(all_ts)) == 160 == len(slack.calls)


def test_wait_for_returns_the_value_or_says_what_it_waited_for(slack: SlackStandin, client: WebClient) -> None:
    threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later")).start()
    assert slack.wait_for(lambda: slack.messages("C1"))[0]["text"] == "later"

    def the_reply_arrived() -> bool:
        return bool(slack.messages("C9")[0]["text"] == "never")

    with pytest.raises(AssertionError, match=r"waited 0.2s for .*the_reply_arrived.*IndexError.*chat.postMessage x1"):
        slack.wait_for(the_reply_arrived, timeout=0.2)


def test_reset_forgets_what_happened_but_keeps_registered_people(slack: SlackStandin, client: WebClient) -> None:
    slack.add_user("U1", name="ana", tz="Asia/Taipei")
    client.chat_postMessage(channel="C1", text="x")
    slack.fail("auth.test", status=500)
    slack.reset()
    assert slack.calls == [] and slack.messages("C1") == []
    assert client.auth_test()["ok"] and client.users_info(user="U1")["user"]["tz"] == "Asia/Taipei"
    assert client.chat_postMessage(channel="C1", text="y")["ts"] == "1700000000.000100"


def test_the_server_stops_quickly_even_with_a_slow_call_in_flight() -> None:
    slack = SlackStandin().start()
    url = slack.base_url
    slack.delay("auth.test", 5)
    threading.Thread(target=lambda: _quietly(url), daemon=True).start()
    time.sleep(0.1)
    started = time.monotonic()
    slack.stop()
    assert time.monotonic() - started < 1
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", data=b"", timeout=1)


def _quietly(url: str) -> None:
    with contextlib.suppress(OSError):  # the server going away mid-call is the point
        urllib.request.urlopen(url + "auth.test", data=b"token=xoxb-x", timeout=10)


def test_an_unknown_path_is_404(slack: SlackStandin) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(slack.root_url + "elsewhere", data=b"", timeout=2)
    assert raised.value.code == 404
