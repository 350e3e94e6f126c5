"""What a person does with points, as signed Slack requests through the harness (issue 6).

Each step sends what Slack would send and waits for what a person would then see: the reply through
response_url, the modal after `views.open` / `views.update`, the card the outbox posts.
"""

import itertools
import json
from typing import Any

from bot.standin import payloads
from handlers.blocks import points_forms as forms
from tests.e2e.harness import TEAM, Harness

FORM = "application/x-www-form-urlencoded"
ACME_ADMIN, ACME_MEMBER, ACME_TAM, ACME_NASE = "U0ADMIN1", "U0MEMB01", "U0TAM001", "U0NASE01"
_names = itertools.count(1)


def text_of(message: dict[str, Any]) -> str:
    """Everything a person can read in a message or a view: the fallback text and every block's text."""
    return str(message.get("text", "")) + " " + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def price_of(view: dict[str, Any]) -> str:
    return str(next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == forms.PRICE))


def button_value(message: dict[str, Any], action_id: str) -> str:
    return str(next(e["value"] for b in message["blocks"] if b["type"] in ("actions", "section")
                    for e in (b.get("elements") or [b.get("accessory") or {}]) if e.get("action_id") == action_id))


def press(harness: Harness, action_id: str, message: dict[str, Any], *, user: str, channel: str) -> str:
    """Press a button on a message (or a reply); returns the response_url name the app answers through."""
    name = f"points-press{next(_names)}"
    body = payloads.block_action(action_id, button_value(message, action_id), user_id=user, channel_id=channel,
                                 message=message, team_id=TEAM, response_url=harness.slack.response_url(name))
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return name


def said(harness: Harness, name: str) -> dict[str, Any]:
    """The first thing the app posted to a press's or a command's response_url."""
    return dict(harness.slack.wait_for(lambda: harness.slack.responses(name))[0])


def modal(harness: Harness, callback_id: str = forms.REQUEST_MODAL, *, ready: str = "",
          not_hash: str | None = None) -> dict[str, Any]:
    """The modal `callback_id` once open (containing `ready`; redrawn since the view with hash `not_hash`)."""
    def current() -> dict[str, Any]:
        view = harness.slack.last_modal() or {}
        fits = view.get("callback_id") == callback_id and ready in json.dumps(view, ensure_ascii=False)
        return view if fits and view.get("hash") != not_hash else {}
    return harness.slack.wait_for(current)


def open_request_modal(harness: Harness, *, user: str = ACME_ADMIN, channel: str = "C0INCID1") -> dict[str, Any]:
    """`/flexcare points`, then "Request a service": the empty request form."""
    reply = harness.reply("points", user=user, channel=channel)
    press(harness, forms.OPEN_REQUEST, reply, user=user, channel=channel)
    return modal(harness, ready="Choose a service and a date to see the price.")


def change(harness: Harness, view: dict[str, Any], answers: dict[str, Any], field: str, *,
           user: str = ACME_ADMIN) -> dict[str, Any]:
    """Change one field of the open modal as a person would (the others keep `answers`); returns the redrawn
    modal, after the app's `views.update`."""
    state = payloads.fill(view, answers, require=False)
    body = payloads.block_action(forms.FIELD_PREFIX + field, answers[field], user_id=user, team_id=TEAM,
                                 view={**view, "state": {"values": state}})
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return modal(harness, view.get("callback_id") or forms.REQUEST_MODAL, not_hash=view["hash"])


def fill_in(harness: Harness, answers: dict[str, Any], *, user: str = ACME_ADMIN,
            channel: str = "C0INCID1") -> dict[str, Any]:
    """Open the form and choose each answer in turn, as a person would; returns the modal as it then stands."""
    view = open_request_modal(harness, user=user, channel=channel)
    chosen: dict[str, Any] = {}
    for field, value in answers.items():
        chosen[field] = value
        view = change(harness, view, chosen, field, user=user)
    return view


def submit(harness: Harness, view: dict[str, Any], answers: dict[str, Any], *,
           user: str = ACME_ADMIN) -> dict[str, Any]:
    """Press the modal's submit button; returns what the app acknowledged (errors, an updated view, or nothing)."""
    body = payloads.view_submission(view, payloads.fill(view, answers, require=False), user_id=user, team_id=TEAM)
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return json.loads(answer.body) if answer.body.strip() else {}


def card(harness: Harness, channel: str = "C0ALERT1", *, containing: str = "") -> dict[str, Any]:
    """The request card in the alerts channel, once it shows `containing` (it moves through the outbox)."""
    def found() -> dict[str, Any]:
        return next((m for m in harness.slack.messages(channel) if any(
            b.get("block_id") == "points_card_header" for b in m.get("blocks") or []) and containing in text_of(m)),
            {})
    return harness.slack.wait_for(found)
