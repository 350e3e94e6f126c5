"""Hostile and odd input end to end (issue 11): whatever is typed after `/flexcare` or into a modal's text fields,
Slack gets a 200 and the person a sentence, and what the app echoes into Slack's mrkdwn is escaped: no broadcast, no
mention, channel or link of the typer's making, no code span broken open. The clock: Mon 2026-11-30 09:00 UTC.

Hypothesis draws the text; the explicit cases below run every time. The harness lives for the whole run of one
test, so examples share a database, as requests to one running app do.
"""

import itertools
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.standin import payloads
from bot.standin.render import mrkdwn
from domain.notifications.records import FAILED, PENDING, Notification
from handlers.blocks import account_forms, incident_forms, points_forms
from handlers.blocks import reviews as review_blocks
from tests.e2e import listeners
from tests.e2e.harness import TEAM, Harness
from tests.e2e.incident_steps import FORM, card, modal, press
from tests.e2e.points_steps import button_value, open_request_modal

CONTROL = "\x00\x01\x07\x08\x1b[31m\x7f\u0085"
# 4,000 characters, control characters, SQL, Slack's broadcasts, mentions and links, mrkdwn, RTL marks, emoji and a
# lone combining mark (a lone surrogate cannot travel in a form or in JSON), entities, line breaks, nothing at all.
HOSTILE = ["x" * 4000, CONTROL, "'; DROP TABLE contracts; --", "<!channel>", "<!here|here>", "<!everyone>",
           "<#C0INCID2|ops>", "<!subteam^S0HOSTILE|@oncall>",
           "<https://evil.example/x|click here>", "*bold", "`", "``` _x_ ~y~", "\u202eevil\u202c \u200f\u200e",
           "🔥🧯 ok 👍🏽", "\u0301\u0308 combining", "AT&T &amp; &lt;b&gt; &#60; & <", "\ttab\r\nline\nbreak", " ", ""]
# The same threats, packed into fewer texts for the modals (each case is one submission of every one of them).
PACKED = ["x" * 4000, CONTROL, "'; DROP TABLE contracts; --", "<!channel>",
          "<!here|here> <!everyone> <!subteam^S0X|@all>", "<@U0ADMIN2> <#C0INCID2|ops> <https://evil.example/x|click>",
          "*bold `", "\u202eevil\u202c\u200f 🔥👍🏽 \u0301", "AT&T &amp; &lt;b&gt; &#60; & <", " ", "²",
          "99999999999999999999"]
GENERIC_FAILURE = re.compile(r"\(error [0-9a-f]{6}\)")  # handlers.replies: the sentence for an unexpected failure
TOKEN = re.compile(r"<([^<>\n]+)>")
VALID = {account_forms.PRODUCT: "Operations Bridge",  # a notice reaches contracts only for a product they cover
         account_forms.LINK: "https://support.example.com/kb?a=1&b=<!channel>|x"}  # valid, and hostile too
SETTINGS = settings(max_examples=45, deadline=None, database=None, derandomize=True,  # the same examples each CI run
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_ids = itertools.count(1)


def typed(stranger: str) -> st.SearchStrategy[str]:
    """Anything, the hostile cases, and a mention of `stranger`: someone the app never mentions in that test."""
    hostile = [*HOSTILE, f"<@{stranger}>"]
    return st.one_of(st.sampled_from(hostile), st.text(max_size=300),
                     st.lists(st.one_of(st.sampled_from(hostile[1:]), st.text(max_size=12)), max_size=5).map(" ".join))


# -- what a person would read -----------------------------------------------------------------------------
def mrkdwn_texts(value: Any, *, top: bool = True) -> Iterator[str]:
    """Every string Slack parses as mrkdwn in a message, a response or a view: the message's (fallback) text, a file's
    comment and each mrkdwn text object. Plain text (headers, titles, input values) is shown as typed: skipped."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for key, inner in value.items():
            if top and key in ("text", "initial_comment") and isinstance(inner, str):
                yield inner
            elif key not in ("private_metadata", "value", "initial_value", "state"):
                yield from mrkdwn_texts(inner, top=False)
    elif isinstance(value, list):
        for inner in value:
            yield from mrkdwn_texts(inner, top=False)


def what_slack_got(harness: Harness, since: int) -> list[Any]:
    """Messages, responses, ephemerals, files' comments and views the app sent since call number `since`."""
    return [call.args for call in harness.slack.calls[since:] if call.method != "upload"]


def assert_escaped(shown: list[Any], typed_texts: list[str], *, own_code_spans: bool = False) -> None:
    """No broadcast anywhere, no token that the person typed, and code spans that open and close. With
    `own_code_spans`, a backtick the person typed into free text is theirs to pair (a note may quote `code`)."""
    for text in (t for item in shown for t in mrkdwn_texts(item)):
        for inner in TOKEN.findall(text):
            target = inner.split("|")[0]
            assert not (target.startswith("!") and not target.startswith("!date^")), f"a broadcast: {text[:300]!r}"
            assert not any(f"<{inner}>" in t for t in typed_texts), f"typed markup went through: {text[:300]!r}"
        reads = mrkdwn(text)
        assert not any(word in reads for word in ("@channel", "@here", "@everyone")), reads[:300]
        if not (own_code_spans and any("`" in t for t in typed_texts)):
            assert text.count("`") % 2 == 0, f"a code span left open: {text[:300]!r}"


def assert_no_failures(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Every notification delivered (none stuck or refused by Block Kit), and nothing logged as an error."""
    def settled() -> tuple[str, ...] | None:
        with harness.db() as session:
            rows = session.execute(select(Notification.key, Notification.status, Notification.last_error)
                                   .where(Notification.status.in_((PENDING, FAILED)))).all()
        return None if any(r.status == PENDING for r in rows) else ("settled", *(f"{r.key}: {r.last_error}"
                                                                                  for r in rows))
    failed = harness.slack.wait_for(settled, timeout=10)[1:]
    assert not failed, failed
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


# -- /flexcare TEXT -------------------------------------------------------------------------------------------
def answer_to(harness: Harness, text: str, *, user: str, channel: str) -> list[dict[str, Any]]:
    """Send `/flexcare TEXT`; returns what the person then sees: the replies, or the modal or file it opened."""
    since, uploads = len(harness.slack.calls), len(harness.slack.calls_to("files.completeUploadExternal"))
    name = harness.command(text, user=user, channel=channel)

    def seen() -> list[dict[str, Any]]:
        opened = [c.args for c in harness.slack.calls[since:] if c.method == "views.open"
                  and c.args.get("trigger_id") == f"trigger-{name}"]
        filed = harness.slack.calls_to("files.completeUploadExternal")[uploads:]
        return harness.slack.responses(name) or opened or [c.args for c in filed]
    answers = harness.slack.wait_for(seen, timeout=10)
    if answers[0].get("response_type") == "in_channel":  # a report: its chart follows; let it land in this example
        harness.slack.wait_for(lambda: harness.slack.calls_to("files.completeUploadExternal")[uploads:], timeout=10)
    return answers


def assert_a_sentence(answers: list[dict[str, Any]]) -> None:
    first = answers[0]
    said = str(first.get("text") or first.get("view") or first.get("initial_comment") or first.get("files") or "")
    assert said.strip(), first
    assert not GENERIC_FAILURE.search(said), said


def test_any_flexcare_text_is_answered_with_a_sentence_and_echoed_escaped(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    user, channel = "U0ADMIN2", "C0INCID2"  # FORMOSA-FC-07's admin in its channel: U0ADMIN1 is nobody to them
    verbs = ["", *listeners.subcommands(), "incident show", "points history", "report csv", "link FORMOSA-FC-07"]

    def check(text: str) -> list[dict[str, Any]]:
        since = len(harness.slack.calls)
        answers = answer_to(harness, text, user=user, channel=channel)
        assert_a_sentence(answers)
        assert_no_failures(harness, caplog)
        assert_escaped(what_slack_got(harness, since), [text])
        return answers

    for text in [*HOSTILE, "<@U0ADMIN1>"]:
        check(text)
    for verb in verbs:  # numbers that are digits to str.isdigit() but not to int(), or too big for a column
        check(f"{verb} ²")
        check(f"{verb} 99999999999999999999")
    said = check("<!channel> `x`")[0]["text"]
    assert said.startswith("`/flexcare &lt;!channel&gt;` is not a command."), said  # shlex split it at the space
    assert "There is no contract &lt;@U0ADMIN1&gt;." in check("contract <@U0ADMIN1>")[0]["text"]
    assert "There is no incident &lt;!here&gt;." in check("incident show <!here>")[0]["text"]

    @SETTINGS
    @given(verb=st.sampled_from(verbs), rest=typed("U0ADMIN1"))
    def anything(verb: str, rest: str) -> None:
        check(f"{verb} {rest}")
    anything()


# -- every modal's text fields --------------------------------------------------------------------------------
def fill_modal(view: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """Answers for every input: `texts` in the text fields, the first choice in each select, a date three weeks
    ahead in each date picker, no ticks."""
    answers: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element, block_id = block.get("element") or {}, block.get("block_id")
        if block.get("type") != "input":
            continue
        if element["type"] == "plain_text_input":
            answers[block_id] = texts[block_id]
        elif element["type"] in ("static_select", "radio_buttons"):
            answers[block_id] = element["options"][0]["value"]
        elif element["type"] == "datepicker":
            answers[block_id] = "2026-12-21"
    return answers


def text_fields(view: dict[str, Any]) -> list[str]:
    return [str(b["block_id"]) for b in view.get("blocks") or []
            if b.get("type") == "input" and (b.get("element") or {}).get("type") == "plain_text_input"]


def open_every_modal(harness: Harness) -> dict[str, tuple[dict[str, Any], str]]:
    """Each modal the app has, opened as the person who may submit it on ACME-FC-01: {callback_id: (view, user)}."""
    opened: dict[str, tuple[dict[str, Any], str]] = {}
    answer_to(harness, "incident new", user="U0ADMIN1", channel="C0INCID1")
    opened[incident_forms.NEW_MODAL] = (modal(harness, incident_forms.NEW_MODAL), "U0ADMIN1")
    new = opened[incident_forms.NEW_MODAL][0]
    plain = {"summary": "Collector down", "description": "Since 8:00"}
    submit(harness, new, fill_modal(new, {f: plain.get(f, "") for f in text_fields(new)}), "U0ADMIN1")
    posted = card(harness, "C0INCID1")
    for action_id, callback_id in ((incident_forms.ESCALATE, incident_forms.ESCALATE_MODAL),
                                   (incident_forms.CHANGE_IMPACT, incident_forms.IMPACT_MODAL),
                                   (incident_forms.POST_UPDATE, incident_forms.UPDATE_MODAL),
                                   (incident_forms.RESOLVE, incident_forms.RESOLVE_MODAL)):
        press(harness, action_id, posted, user="U0TAM001", channel="C0INCID1")
        opened[callback_id] = (modal(harness, callback_id), "U0TAM001")
    request = open_request_modal(harness)
    opened[points_forms.REQUEST_MODAL] = (request, "U0ADMIN1")
    submit(harness, request, {"service": "feature-coaching", "date": "2026-12-21"}, "U0ADMIN1")
    request_card = harness.slack.wait_for(lambda: next(m for m in harness.slack.messages("C0ALERT1")
                                                       if points_forms.EXTRA_DAYS_BUTTON in json.dumps(m)))
    press_value(harness, points_forms.EXTRA_DAYS_BUTTON, request_card, user="U0TAM001", channel="C0ALERT1")
    opened[points_forms.EXTRA_DAYS_MODAL] = (modal(harness, points_forms.EXTRA_DAYS_MODAL), "U0TAM001")
    answer_to(harness, "notice new", user="U0ESM001", channel="C0ALERT1")
    notice = modal(harness, account_forms.NOTICE_MODAL)
    opened[account_forms.NOTICE_MODAL] = (notice, "U0ESM001")
    submit(harness, notice, fill_modal(notice, {f: VALID.get(f, "Patch 3") for f in text_fields(notice)}),
           "U0ESM001")
    notice_card = harness.slack.wait_for(lambda: next(m for m in harness.slack.messages("C0ALERT1")
                                                      if account_forms.PLAN in json.dumps(m)))
    press_value(harness, account_forms.PLAN, notice_card, user="U0TAM001", channel="C0ALERT1")
    opened[account_forms.PLAN_MODAL] = (modal(harness, account_forms.PLAN_MODAL), "U0TAM001")
    listing = harness.reply("reviews", user="U0TAM001", channel="C0REVIEW1")
    menu = next(b["accessory"] for b in listing["blocks"] if (b.get("accessory") or {}).get("action_id")
                == review_blocks.MENU)
    press_value(harness, review_blocks.MENU, listing, user="U0TAM001", channel="C0REVIEW1",
                value=next(o["value"] for o in menu["options"] if o["value"].startswith("reschedule:")))
    opened[review_blocks.RESCHEDULE_MODAL] = (modal(harness, review_blocks.RESCHEDULE_MODAL), "U0TAM001")
    return opened


def press_value(harness: Harness, action_id: str, message: dict[str, Any], *, user: str, channel: str,
                value: str | None = None) -> None:
    body = payloads.block_action(action_id, value or button_value(message, action_id), user_id=user,
                                 channel_id=channel, message=message, team_id=TEAM,
                                 response_url=harness.slack.response_url(f"hostile{next(_ids)}"))
    assert harness.post(body, content_type=FORM).status == 200


def submit(harness: Harness, view: dict[str, Any], answers: dict[str, Any], user: str) -> dict[str, Any]:
    """Press Submit as `user`, each time as a new view (its id is the idempotency key of what it creates)."""
    fresh = {**view, "id": f"VHOSTILE{next(_ids)}"}
    body = payloads.view_submission(fresh, payloads.fill(fresh, answers, require=False), user_id=user, team_id=TEAM)
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return json.loads(answer.body) if answer.body.strip() else {}


def test_every_modal_takes_any_text_with_a_sentence_and_shows_it_escaped(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    opened = open_every_modal(harness)
    registered = set(listeners.registered().views)
    assert set(opened) == registered, f"open these modals in open_every_modal too: {registered - set(opened)}"

    everything_typed: list[str] = []

    def check(callback_id: str, texts: dict[str, str]) -> None:
        view, user = opened[callback_id]
        everything_typed.extend(texts.values())
        since = len(harness.slack.calls)
        ack = submit(harness, view, fill_modal(view, texts), user)
        for sentence in (ack.get("errors") or {}).values():
            assert sentence.strip() and not GENERIC_FAILURE.search(sentence), sentence
        assert_no_failures(harness, caplog)
        assert_escaped([*what_slack_got(harness, since), ack.get("view") or {}], list(texts.values()),
                       own_code_spans=True)

    for callback_id, (view, _user) in opened.items():
        for text in PACKED if text_fields(view) else [""]:  # U0ADMIN2 (FORMOSA-FC-07) is nobody on ACME-FC-01
            check(callback_id, {field: VALID.get(field, text) for field in text_fields(view)})
        check(callback_id, dict.fromkeys(text_fields(view), "<!channel>"))

    @SETTINGS
    @given(data=st.data())
    def anything(data: st.DataObject) -> None:
        callback_id = data.draw(st.sampled_from(sorted(opened)), label="modal")
        fields = text_fields(opened[callback_id][0])
        text = typed("U0ADMIN2")
        check(callback_id, {f: data.draw(text if f not in VALID else st.one_of(st.just(VALID[f]), text), label=f)
                            for f in fields})
    anything()

    # Then every place that lists what was typed: the points ledger, the lists, the plan, App Home.
    since = len(harness.slack.calls)
    for command, user in (("points", "U0ADMIN1"), ("points history", "U0ADMIN1"), ("incident list", "U0TAM001"),
                          ("notices", "U0TAM001"), ("incident show ACME-FC-01-0002", "U0TAM001")):
        assert_a_sentence(answer_to(harness, command, user=user, channel="C0INCID1"))
    for user in ("U0ADMIN1", "U0TAM001"):
        assert harness.event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
        harness.slack.wait_for(lambda: harness.slack.home(user))  # noqa: B023 (waited for at once)
    assert_escaped(what_slack_got(harness, since), everything_typed, own_code_spans=True)
    assert_no_failures(harness, caplog)

