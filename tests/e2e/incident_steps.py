"""What a person does with incidents, as signed Slack requests through the harness (issue 5)."""

import itertools
import json
from typing import Any
from urllib.parse import quote, unquote

from bot.standin import payloads
from handlers.blocks import incident_forms as forms
from tests.e2e.harness import TEAM, Harness

FORM = "application/x-www-form-urlencoded"
_names = itertools.count(1)


def text_of(message: dict[str, Any]) -> str:
    """Everything a person can read in a message: the fallback text and every block's text."""
    return str(message.get("text", "")) + " " + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def shortcut(harness: Harness, *, user: str, channel: str, text: str, ts: str = "1764493200.000100",
             message_user: str = "U0MEMB01", **message: Any) -> str:
    """Choose "Escalate to FlexCare" on a message; returns the response_url name for refusals."""
    name = f"shortcut{next(_names)}"
    body = payloads.message_shortcut(forms.SHORTCUT, user_id=user, channel_id=channel, message_text=text,
                                     message_ts=ts, message_user=message_user, team_id=TEAM,
                                     response_url=harness.slack.response_url(name))
    if message:  # e.g. a bot's message: bot_id and blocks of its own
        payload = json.loads(unquote(body.removeprefix("payload=")))
        payload["message"].update(message)
        body = "payload=" + quote(json.dumps(payload))
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return name


def modal(harness: Harness, callback_id: str, *, ready: str = "") -> dict[str, Any]:
    """Wait for the modal `callback_id` to be open (and, with `ready`, to contain that text)."""
    def current() -> dict[str, Any]:
        view = harness.slack.last_modal() or {}
        return view if view.get("callback_id") == callback_id and ready in json.dumps(view) else {}
    return harness.slack.wait_for(current)


def submit(harness: Harness, view: dict[str, Any], answers: dict[str, Any], *, user: str) -> dict[str, Any]:
    """Press Submit; returns what the app acknowledged (errors, an updated view, or nothing)."""
    body = payloads.view_submission(view, payloads.fill(view, answers, require=False), user_id=user, team_id=TEAM)
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return json.loads(answer.body) if answer.body.strip() else {}


def press(harness: Harness, action_id: str, message: dict[str, Any], *, user: str, channel: str) -> str:
    """Press a button on a message; returns the response_url name the app answers a refusal through."""
    name = f"press{next(_names)}"
    element = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == action_id)
    body = payloads.block_action(action_id, element["value"], user_id=user, channel_id=channel, message=message,
                                 team_id=TEAM, response_url=harness.slack.response_url(name))
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return name


def refusal(harness: Harness, name: str) -> str:
    replies = harness.slack.wait_for(lambda: harness.slack.responses(name))
    assert replies[0].get("response_type") == "ephemeral"
    return str(replies[0]["text"])


def card(harness: Harness, channel: str, *, containing: str = "") -> dict[str, Any]:
    """The incident card in `channel` once it shows `containing` (updates arrive through the outbox)."""
    def found() -> dict[str, Any]:
        return next((m for m in harness.slack.messages(channel) if any(
            b.get("block_id") == forms.CARD_HEADER for b in m.get("blocks") or []) and containing in text_of(m)),
            {})
    return harness.slack.wait_for(found)


def thread_lines(harness: Harness, channel: str, ts: str) -> list[str]:
    return [text_of(m) for m in harness.slack.thread(channel, ts) if m["ts"] != ts]


def open_incident(harness: Harness, *, user: str, channel: str, text: str, answers: dict[str, Any],
                  ts: str = "1764493200.000100") -> dict[str, Any]:
    """Shortcut, form (with the permalink in place), submit: returns the acknowledgement."""
    shortcut(harness, user=user, channel=channel, text=text, ts=ts)
    view = modal(harness, forms.NEW_MODAL, ready="source_link")
    return submit(harness, view, answers, user=user)
