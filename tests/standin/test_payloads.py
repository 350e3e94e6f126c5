"""Payloads built here are signed and shaped so a real Bolt App routes them, and `fill` submits a
modal the way a person would."""

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.standin import payloads
from bot.standin.payloads import FillError, fill
from bot.standin.webapi import SlackStandin

SECRET = "test-signing-secret"
OPTION = {"text": {"type": "plain_text", "text": "High"}, "value": "high"}
LOW = {"text": {"type": "plain_text", "text": "Low"}, "value": "low"}


def text(label: str) -> dict[str, str]:
    return {"type": "plain_text", "text": label}


def field(block_id: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": text(block_id.title()), "optional": optional,
            "element": {"action_id": "value", **element}}


MODAL: dict[str, Any] = {
    "type": "modal", "callback_id": "escalate", "private_metadata": "C0INCID1", "title": text("Escalate"),
    "submit": text("Send"), "blocks": [
        field("summary", {"type": "plain_text_input"}),
        field("impact", {"type": "static_select", "option_groups": [
            {"label": text("Urgent"), "options": [OPTION]}, {"label": text("Later"), "options": [LOW]}]}),
        field("note", {"type": "plain_text_input", "initial_value": "none"}, optional=True)]}


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin() as standin:
        yield standin


@pytest.fixture
def seen() -> dict[str, Any]:
    return {}


@pytest.fixture
def app(slack: SlackStandin, seen: dict[str, Any]) -> App:
    """A minimal real App: every listener records what Bolt handed it and talks to the stand-in."""
    app = App(signing_secret=SECRET, client=WebClient(base_url=slack.base_url, token="xoxb-test"),
              token_verification_enabled=False, process_before_response=True)

    @app.command("/flexcare")
    def command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack("On it")
        seen["command"] = command
        client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        respond("Opened the form")

    @app.shortcut("flexcare_escalate")
    def shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        seen["shortcut"] = shortcut

    @app.action("open_incident")
    def action(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        seen["action"], seen["action_body"] = action, body
        respond(f"Opening {action['value']}")

    @app.view("escalate")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        seen["view"] = view
        summary = view["state"]["values"]["summary"]["value"]["value"]
        if len(summary) < 5:
            ack(response_action="errors", errors={"summary": "At least 5 characters"})
            return
        ack()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        seen["retry_num"] = request.headers.get("x-slack-retry-num")
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": MODAL["blocks"][:1]})

    return app


def dispatch(app: App, body: str, **signing: Any) -> BoltResponse:
    secret = signing.pop("secret", SECRET)
    headers = payloads.signed_headers(body, secret, **signing)
    response: BoltResponse = app.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()}))
    return response


def test_signed_headers_carry_a_valid_slack_signature_and_the_retry_headers() -> None:
    body = payloads.slash_command("help", user_id="U1", channel_id="C1")
    headers = payloads.signed_headers(body, SECRET, retry_num=2)
    assert SignatureVerifier(SECRET).is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("2", "http_timeout")
    assert payloads.signed_headers("{}", SECRET, timestamp=1700000000)["X-Slack-Request-Timestamp"] == "1700000000"
    assert payloads.signed_headers("{}", SECRET)["Content-Type"] == "application/json"


def test_a_slash_command_is_the_form_slack_posts(slack: SlackStandin) -> None:
    body = payloads.slash_command("contract ACME", user_id="U1", channel_id="C1", response_url=slack.response_url("r"))
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert (fields["command"], fields["text"], fields["user_id"], fields["channel_id"], fields["team_id"]) == (
        "/flexcare", "contract ACME", "U1", "C1", "T0FLEXCARE")
    assert fields["response_url"] == slack.response_url("r") and fields["trigger_id"]
    assert payloads.slash_command("", user_id="U1", channel_id="C1") != body


def test_bolt_routes_a_command_whose_listener_opens_a_modal_and_responds(
        app: App, slack: SlackStandin, seen: dict[str, Any]) -> None:
    body = payloads.slash_command("escalate", user_id="U1", channel_id="C1", trigger_id="9.9.t",
                                  response_url=slack.response_url("cmd"))
    response = dispatch(app, body)
    assert (response.status, response.body) == (200, "On it")
    assert seen["command"]["text"] == "escalate"
    assert slack.last_modal() is not None and slack.calls_to("views.open")[0].args["trigger_id"] == "9.9.t"
    assert slack.responses("cmd") == [{"text": "Opened the form"}]


def test_a_bad_signature_or_an_old_timestamp_is_refused_with_401(app: App, slack: SlackStandin) -> None:
    body = payloads.slash_command("help", user_id="U1", channel_id="C1")
    assert dispatch(app, body, secret="not-the-secret").status == 401
    assert dispatch(app, body, timestamp=int(time.time()) - 301).status == 401
    assert slack.calls == []


def test_bolt_routes_a_message_shortcut(app: App, seen: dict[str, Any]) -> None:
    body = payloads.message_shortcut("flexcare_escalate", user_id="U1", channel_id="C1", message_text="db-1 is down",
                                     message_ts="1700000001.000200", message_user="U2")
    assert dispatch(app, body).status == 200
    shortcut = seen["shortcut"]
    assert (shortcut["type"], shortcut["message"]["text"], shortcut["message"]["user"]) == (
        "message_action", "db-1 is down", "U2")
    assert (shortcut["channel"]["id"], shortcut["message_ts"], shortcut["user"]["id"]) == (
        "C1", "1700000001.000200", "U1")


def test_bolt_routes_a_button_press_on_a_message_the_bot_posted(
        app: App, slack: SlackStandin, seen: dict[str, Any]) -> None:
    button = {"type": "button", "action_id": "open_incident", "text": text("Open"), "value": "INC-7"}
    WebClient(base_url=slack.base_url, token="xoxb-test").chat_postMessage(
        channel="C1", text="card", blocks=[{"type": "actions", "block_id": "card_actions", "elements": [button]}])
    [message] = slack.messages("C1")
    body = payloads.block_action("open_incident", "INC-7", user_id="U1", channel_id="C1", message=message,
                                 response_url=slack.response_url("press"))
    assert dispatch(app, body).status == 200
    assert (seen["action"]["block_id"], seen["action"]["value"], seen["action"]["text"]) == (
        "card_actions", "INC-7", text("Open"))
    assert seen["action_body"]["container"]["message_ts"] == message["ts"]
    assert slack.responses("press") == [{"text": "Opening INC-7"}]


def test_a_select_in_a_modal_is_reported_with_its_selected_option() -> None:
    body = payloads.block_action("value", "low", user_id="U1", view={"id": "V1", **MODAL}, block_id="impact")
    payload = json.loads(parse_qs(body)["payload"][0])
    [action] = payload["actions"]
    assert (action["block_id"], action["type"], action["selected_option"]) == ("impact", "static_select", LOW)
    assert payload["container"] == {"type": "view", "view_id": "V1"} and "response_url" not in payload


def test_a_modal_opened_on_the_stand_in_is_filled_and_submitted_like_a_person_would(
        app: App, slack: SlackStandin, seen: dict[str, Any]) -> None:
    dispatch(app, payloads.slash_command("escalate", user_id="U1", channel_id="C1",
                                         response_url=slack.response_url("cmd")))
    view = slack.last_modal()
    assert view is not None
    too_short = payloads.view_submission(view, fill(view, {"summary": "db", "impact": "high"}), user_id="U1")
    response = dispatch(app, too_short)
    assert json.loads(response.body) == {"response_action": "errors", "errors": {"summary": "At least 5 characters"}}
    answers = fill(view, {"summary": "Disk full on db-1", "impact": "High"})
    assert dispatch(app, payloads.view_submission(view, answers, user_id="U1")).status == 200
    values = seen["view"]["state"]["values"]
    assert values["impact"]["value"]["selected_option"] == OPTION
    assert values["note"]["value"] == {"type": "plain_text_input", "value": "none"}  # left alone: its initial value
    assert (seen["view"]["id"], seen["view"]["private_metadata"]) == (view["id"], "C0INCID1")


def test_bolt_routes_an_event_and_sees_a_redelivery(app: App, slack: SlackStandin, seen: dict[str, Any]) -> None:
    body = payloads.app_home_opened("U1", event_id="Ev1")
    assert json.loads(body)["event_id"] == "Ev1"
    assert dispatch(app, body, retry_num=1).status == 200
    assert slack.home("U1") is not None and seen["retry_num"] == ["1"]
    envelope = json.loads(payloads.event_callback({"type": "reaction_added", "user": "U1"}))
    assert envelope["type"] == "event_callback" and envelope["event"]["event_ts"]
    assert envelope["authorizations"][0]["user_id"] == "U0FLEXBOT"


@pytest.mark.parametrize(("element", "answer", "state"), [
    ({"type": "plain_text_input"}, "hello", {"value": "hello"}),
    ({"type": "number_input", "is_decimal_allowed": False}, 12, {"value": "12"}),
    ({"type": "static_select", "options": [OPTION, LOW]}, "low", {"selected_option": LOW}),
    ({"type": "multi_static_select", "options": [OPTION, LOW]}, ["high", "low"], {"selected_options": [OPTION, LOW]}),
    ({"type": "multi_static_select", "options": [OPTION, LOW]}, "high, low", {"selected_options": [OPTION, LOW]}),
    ({"type": "radio_buttons", "options": [OPTION, LOW]}, "high", {"selected_option": OPTION}),
    ({"type": "checkboxes", "options": [OPTION, LOW]}, ["low"], {"selected_options": [LOW]}),
    ({"type": "datepicker"}, "2026-12-01", {"selected_date": "2026-12-01"}),
    ({"type": "timepicker"}, "09:30", {"selected_time": "09:30"}),
    ({"type": "users_select"}, "U2", {"selected_user": "U2"}),
    ({"type": "multi_users_select"}, ["U2", "U3"], {"selected_users": ["U2", "U3"]}),
    ({"type": "conversations_select"}, "C9", {"selected_conversation": "C9"}),
    ({"type": "channels_select"}, "C9", {"selected_channel": "C9"}),
])
def test_fill_gives_each_element_the_state_shape_slack_sends(element: dict[str, Any], answer: Any,
                                                             state: dict[str, Any]) -> None:
    view = {"blocks": [field("f", element)]}
    assert fill(view, {"f": answer}) == {"f": {"value": {"type": element["type"], **state}}}
    assert fill(view, {"value": answer}) == fill(view, {"f": answer})  # by action_id too


def test_fill_refuses_what_a_person_could_not_submit() -> None:
    with pytest.raises(FillError, match=r"'urgent' is not one of the options offered \('high', 'low'\)"):
        fill(MODAL, {"summary": "x", "impact": "urgent"})
    with pytest.raises(FillError, match=r"required, but not answered: Impact \(impact\)"):
        fill(MODAL, {"summary": "x"})
    with pytest.raises(FillError, match=r"no field 'sumary'; its fields are: impact, note, summary"):
        fill(MODAL, {"sumary": "x"})
    with pytest.raises(FillError, match="not a date"):
        fill({"blocks": [field("d", {"type": "datepicker"})]}, {"d": "1 Dec"})


def test_fill_leaves_unanswered_optional_inputs_empty_as_slack_does() -> None:
    view = {"blocks": [field("when", {"type": "datepicker"}, optional=True),
                       field("who", {"type": "multi_users_select", "initial_users": ["U1"]}, optional=True)]}
    assert fill(view, {}) == {"when": {"value": {"type": "datepicker", "selected_date": None}},
                              "who": {"value": {"type": "multi_users_select", "selected_users": ["U1"]}}}
    assert "summary" in fill(MODAL, {"impact": "low"}, require=False)
