"""Request bodies shaped as Slack sends them to the app, and the headers that sign them.

Slash commands are form-encoded fields; interactivity (shortcuts, block actions, view submissions)
is form-encoded with one `payload` field holding JSON; events are JSON. Bodies are returned as the
raw strings Slack would post, because the signature covers the exact bytes.
"""

import itertools
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from slack_sdk.signature import SignatureVerifier

from bot.standin import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID
from bot.standin.forms import FillError, element_state, fill, find_element

__all__ = ["FillError", "app_home_opened", "block_action", "event_callback", "fill", "message_shortcut",
           "signed_headers", "slash_command", "view_submission"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "standin-verification-token"  # deprecated by Slack, still sent; Bolt ignores it
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0FLEXCARE/1/standin"  # pass slack.response_url(name)

_sequence = itertools.count(1)


def _trigger_id() -> str:
    n = next(_sequence)
    return f"{n}.{n * 7}.standin{n:04x}"


def _now_ts() -> str:
    return f"{time.time():.6f}"


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _interactive(payload: Mapping[str, Any]) -> str:
    return "payload=" + quote(json.dumps(payload))


def slash_command(text: str, *, user_id: str, channel_id: str, team_id: str = TEAM_ID, command: str = "/flexcare",
                  trigger_id: str | None = None, response_url: str = DEFAULT_RESPONSE_URL,
                  channel_name: str | None = None) -> str:
    """The form-encoded body of `/command text` typed by `user_id` in `channel_id`."""
    return urlencode({
        "token": VERIFICATION_TOKEN, "team_id": team_id, "team_domain": TEAM_DOMAIN, "channel_id": channel_id,
        "channel_name": channel_name or ("directmessage" if channel_id.startswith("D") else channel_id.lower()),
        "user_id": user_id, "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id or _trigger_id(),
    })


def message_shortcut(callback_id: str, *, user_id: str, channel_id: str, message_text: str, message_ts: str,
                     message_user: str, team_id: str = TEAM_ID, trigger_id: str | None = None,
                     response_url: str = DEFAULT_RESPONSE_URL, thread_ts: str | None = None) -> str:
    """A person choosing the message shortcut `callback_id` on a message (type "message_action")."""
    message: dict[str, Any] = {
        "type": "message", "user": message_user, "ts": message_ts, "team": team_id, "text": message_text,
        "blocks": [{"type": "rich_text", "block_id": "standin", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": message_text}]}]}],
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return _interactive({
        "type": "message_action", "token": VERIFICATION_TOKEN, "action_ts": _now_ts(), "team": _team(team_id),
        "user": _user(user_id, team_id), "channel": {"id": channel_id, "name": channel_id.lower()},
        "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id,
        "trigger_id": trigger_id or _trigger_id(), "message_ts": message_ts, "message": message,
        "response_url": response_url,
    })


def block_action(action_id: str, value: Any, *, user_id: str, channel_id: str | None = None,
                 view: Mapping[str, Any] | None = None, message: Mapping[str, Any] | None = None,
                 block_id: str | None = None, team_id: str = TEAM_ID, trigger_id: str | None = None,
                 response_url: str = DEFAULT_RESPONSE_URL, action_type: str | None = None) -> str:
    """A person using the element `action_id` in `message` (in `channel_id`) or in `view` (a modal or home tab).

    The element is looked up in the blocks so the action carries its real block_id, type and label;
    `value` is a button's value, or what is picked in a select/picker (as for `fill`).
    """
    blocks = list((view or message or {}).get("blocks", []))
    found = find_element(blocks, action_id, block_id)
    element: Mapping[str, Any] = found[1] if found else {"type": action_type or "button"}
    kind = action_type or str(element.get("type", "button"))
    found_block_id = found[0].get("block_id") if found else None
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id or found_block_id or "standin",
                              "type": kind, "action_ts": _now_ts()}
    if kind in ("button", "workflow_button"):
        action["value"] = value
        action["text"] = element.get("text", {"type": "plain_text", "text": str(value)})
    elif kind == "overflow":
        action["selected_option"] = next((o for o in element.get("options", []) if o.get("value") == value),
                                         {"text": {"type": "plain_text", "text": str(value)}, "value": value})
    else:
        action.update(element_state({**element, "type": kind}, value, action_id))
    payload: dict[str, Any] = {
        "type": "block_actions", "user": _user(user_id, team_id), "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(), "team": _team(team_id), "enterprise": None,
        "is_enterprise_install": False, "state": {"values": {}}, "actions": [action],
    }
    if view is not None:  # actions in modals and the home tab carry the view, and no response_url
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = dict(view)
    else:
        payload["container"] = {"type": "message", "message_ts": (message or {}).get("ts"), "channel_id": channel_id,
                                "is_ephemeral": False}
        payload["channel"] = {"id": channel_id, "name": (channel_id or "").lower()}
        payload["response_url"] = response_url
        if message is not None:
            payload["message"] = dict(message)
    return _interactive(payload)


def view_submission(view: Mapping[str, Any], values: Mapping[str, Any], *, user_id: str, team_id: str = TEAM_ID,
                    trigger_id: str | None = None, response_urls: list[dict[str, Any]] | None = None) -> str:
    """A person pressing Submit on `view` (as the stand-in returned it from views.open) with `values`
    as its state; build `values` with `fill(view, answers)`."""
    submitted = {**view, "state": {"values": dict(values)}}
    submitted.setdefault("team_id", team_id)
    return _interactive({
        "type": "view_submission", "team": _team(team_id), "user": _user(user_id, team_id), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "trigger_id": trigger_id or _trigger_id(), "view": submitted,
        "response_urls": response_urls or [], "is_enterprise_install": False, "enterprise": None,
    })


def event_callback(event: Mapping[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID,
                   event_time: int | None = None) -> str:
    """The Events API envelope around `event`, as JSON; the same event_id marks a redelivery."""
    stamped = {"event_ts": _now_ts(), **event}
    return json.dumps({
        "token": VERIFICATION_TOKEN, "team_id": team_id, "api_app_id": APP_ID, "event": stamped,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_sequence):08d}STANDIN",
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": f"4-standin-{team_id}",
    })


def app_home_opened(user_id: str, *, tab: str = "home", channel: str = "D0FLEXHOME", team_id: str = TEAM_ID,
                    event_id: str | None = None) -> str:
    """`user_id` opening the app's Home tab."""
    return event_callback({"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab},
                          event_id=event_id, team_id=team_id)


def signed_headers(body: str, signing_secret: str, *, timestamp: int | None = None, retry_num: int | None = None,
                   retry_reason: str = "http_timeout", content_type: str | None = None) -> dict[str, str]:
    """Headers Slack sends with `body`: content type (JSON for a JSON body unless given) and signature;
    with `retry_num`, the redelivery headers too."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    headers = {"Content-Type": content_type or (JSON if body.startswith("{") else FORM),
               "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers
