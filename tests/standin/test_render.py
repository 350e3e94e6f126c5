"""Block Kit read as a person would in a terminal: compact, deterministic, Slack's tokens resolved."""

from typing import Any

import pytest

from bot.standin.render import mrkdwn, render_message, render_view


def text(value: str, kind: str = "plain_text") -> dict[str, str]:
    return {"type": kind, "text": value}


def md(value: str) -> dict[str, str]:
    return text(value, "mrkdwn")


OPTIONS = [{"text": text("High"), "value": "high"}, {"text": text("Low"), "value": "Low"}]


@pytest.mark.parametrize(("raw", "shown"), [
    ("<@U1> and <@U2>", "@ana and @U2"),
    ("<@U3|carl>", "@carl"),
    ("in <#C1|ops> and <#C2>", "in #ops and #C2"),
    ("due <!date^1700000000^{date_short_pretty} {time}|Tue 14 Nov 22:13 UTC>", "due Tue 14 Nov 22:13 UTC"),
    ("see <https://status.example.com|the status page>", "see the status page (https://status.example.com)"),
    ("<https://x.io>", "https://x.io"),
    ("<mailto:ops@x.io|ops@x.io>", "ops@x.io (mailto:ops@x.io)"),
    ("<!here> <!subteam^S1|@oncall>", "@here @oncall"),
    ("a &lt;b&gt; &amp; c", "a <b> & c"),
])
def test_mrkdwn_tokens_are_resolved_for_reading(raw: str, shown: str) -> None:
    assert mrkdwn(raw, {"U1": "ana"}) == shown


def test_a_message_without_blocks_shows_its_text() -> None:
    assert render_message({"text": "Hello <@U1>"}, users={"U1": "ana"}) == "Hello @ana"


def test_a_message_shows_its_blocks_instead_of_its_fallback_text() -> None:
    message = {"text": "fallback", "blocks": [
        {"type": "header", "text": text("INC-7: Disk full")},
        {"type": "section", "text": md("*Impact* high, reported by <@U1>"),
         "fields": [md("*Contract*\nACME-FC-01"), md("*Due*\n<!date^1^{date}|1 Dec>")],
         "accessory": {"type": "button", "action_id": "a", "text": text("Open")}},
        {"type": "divider"},
        {"type": "context", "elements": [md("Contract time: Mon 30 Nov 09:00 GMT"),
                                         {"type": "image", "image_url": "https://x/i.png", "alt_text": "logo"}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "b", "text": text("Acknowledge")},
            {"type": "static_select", "action_id": "c", "placeholder": text("Reassign"), "options": OPTIONS},
            {"type": "overflow", "action_id": "d", "options": OPTIONS}]},
        {"type": "image", "image_url": "https://x/chart.png", "alt_text": "points chart"},
    ]}
    assert render_message(message, users={"U1": "ana"}) == "\n".join([
        "# INC-7: Disk full",
        "*Impact* high, reported by @ana",
        "  *Contract*",
        "  ACME-FC-01",
        "  *Due*",
        "  1 Dec",
        "  [ Open ]",
        "--------------------------------",
        "  Contract time: Mon 30 Nov 09:00 GMT  [image: logo]",
        "[ Acknowledge ]  [ Reassign v ]  [ ... ]",
        "[image: points chart]",
    ])


def test_rich_text_is_flattened() -> None:
    block = {"type": "rich_text", "elements": [
        {"type": "rich_text_section", "elements": [
            {"type": "text", "text": "Ping "}, {"type": "user", "user_id": "U1"}, {"type": "text", "text": " in "},
            {"type": "channel", "channel_id": "C1"}, {"type": "text", "text": " "},
            {"type": "emoji", "name": "fire"}, {"type": "text", "text": " "},
            {"type": "link", "url": "https://x.io", "text": "runbook"}]},
        {"type": "rich_text_list", "style": "ordered", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "check disk"}]},
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "rotate logs"}]}]},
        {"type": "rich_text_quote", "elements": [{"type": "text", "text": "it was fine yesterday"}]},
        {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "df -h"}]},
    ]}
    assert render_message({"blocks": [block]}, users={"U1": "ana"}) == "\n".join([
        "Ping @ana in #C1 :fire: runbook (https://x.io)",
        "1. check disk",
        "2. rotate logs",
        "> it was fine yesterday",
        "    df -h",
    ])


def modal(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "modal", "title": text("Escalate"), "submit": text("Send"), "close": text("Cancel"),
            "blocks": blocks}


def test_a_modal_shows_its_title_inputs_with_hints_and_options_and_its_buttons() -> None:
    view = modal([
        {"type": "section", "text": md("Tell us what is broken.")},
        {"type": "input", "block_id": "summary", "label": text("Summary"), "hint": text("one line"),
         "element": {"type": "plain_text_input", "action_id": "v"}},
        {"type": "input", "block_id": "impact", "label": text("Impact"),
         "element": {"type": "static_select", "action_id": "v", "placeholder": text("Choose impact"),
                     "option_groups": [{"label": text("All"), "options": OPTIONS}]}},
        {"type": "input", "block_id": "when", "optional": True, "label": text("Since"),
         "element": {"type": "datepicker", "action_id": "v", "initial_date": "2026-11-30"}},
        {"type": "input", "block_id": "kind", "label": text("Kind"),
         "element": {"type": "radio_buttons", "action_id": "v", "options": OPTIONS, "initial_option": OPTIONS[1]}},
        {"type": "input", "block_id": "who", "label": text("Engineer"),
         "element": {"type": "users_select", "action_id": "v", "initial_user": "U1"}},
    ])
    assert render_view(view, users={"U1": "ana"}) == "\n".join([
        "=== Escalate ===",
        "Tell us what is broken.",
        "Summary: ____ (one line)",
        "    [field: summary]",
        "Impact: [ Choose impact v ]",
        "    options: High (high) | Low",
        "    [field: impact]",
        "Since: [ date: 2026-11-30 ] (optional)",
        "    [field: when]",
        "Kind: ( ) High  (x) Low",
        "    [field: kind]",
        "Engineer: [ @ana v ]",
        "    [field: who]",
        "[ Send ]  [ Cancel ]",
    ])


def test_a_home_tab_has_no_title_or_buttons() -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": md("*ACME-FC-01* · ACME Manufacturing")}]}
    assert render_view(home) == "*ACME-FC-01* · ACME Manufacturing"


def test_legacy_attachments_and_shared_files_are_shown_under_the_message() -> None:
    message = {"text": "Report", "attachments": [{"title": "Points", "fields": [{"title": "Left", "value": "12"}]}],
               "files": [{"name": "points.csv", "title": "Points statement"}]}
    assert render_message(message) == "Report\n| Points\n| Left: 12\n[file: Points statement]"


def test_rendering_is_deterministic_and_has_no_trailing_space_or_runs_of_blank_lines() -> None:
    message = {"blocks": [{"type": "section", "text": md("a  \n\n\n\nb")}, {"type": "unknown_kind"}]}
    first = render_message(message)
    assert first == render_message(message) == "a\n\nb\n[unknown_kind]"
