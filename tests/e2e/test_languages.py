"""Whose language (issue 10), end to end: two people in the same channel each read their replies, forms and App
Home in their own language; what is posted to the channel is in the contract's language.

FORMOSA-FC-07 is a zh-TW contract (channel C0INCID2) and ACME-FC-01 an English one (C0INCID1). In each channel one
person's Slack is in Traditional Chinese and the other's in English. The zh-TW text expected is the shipped
catalogue's (`zh()`), and must be Chinese: a sentence the translators have not reached yet fails here by name.
"""

import logging
import re
from collections import Counter
from typing import Any

import pytest

from bot.standin import payloads
from domain.words import _, speaking
from handlers.blocks import home as home_blocks
from handlers.blocks import incident_forms as forms
from scheduler.ftc_sweep import sweep_ftc_deadlines
from tests.e2e.harness import TEAM, Harness
from tests.e2e.incident_steps import FORM, card, modal, shortcut, submit, text_of, thread_lines

FORMOSA_ZH, FORMOSA_EN = "U0ADMIN2", "U0MEMB03"  # FORMOSA-FC-07's customer admin and member
ACME_ZH, ACME_EN = "U0MEMB02", "U0MEMB01"  # ACME-FC-01's members
FTC = "首次技術聯絡"  # docs/GLOSSARY.md: "first technical contact" in the datasheet's zh-TW
CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(message: str, **params: Any) -> str:
    """`message` as the shipped zh-TW catalogue has it."""
    with speaking("zh-TW"):
        text = _(message, **params)
    assert CJK.search(text), f"locale/zh_TW/LC_MESSAGES/flexcare.po has no translation yet for {message!r}"
    return text


@pytest.fixture(autouse=True)
def slack_languages(harness: Harness) -> None:
    for user in (FORMOSA_ZH, ACME_ZH):
        harness.slack.add_user(user, locale="zh-TW")
    harness.slack.add_user(FORMOSA_EN, locale="en-US")
    harness.slack.add_user(ACME_EN, locale="en-GB")


def header(reply: dict[str, Any]) -> str:
    return str(reply["blocks"][0]["text"]["text"])


def users_info_calls(harness: Harness) -> Counter[str]:
    return Counter(str(call.args["user"]) for call in harness.slack.calls_to("users.info"))


def test_help_contract_and_points_each_in_their_own_language_in_the_same_channel(harness: Harness) -> None:
    for channel, chinese, english in (("C0INCID2", FORMOSA_ZH, FORMOSA_EN), ("C0INCID1", ACME_ZH, ACME_EN)):
        assert header(harness.reply("help", user=chinese, channel=channel)) == zh("FlexCare commands")
        english_help = harness.reply("help", user=english, channel=channel)
        assert header(english_help) == "FlexCare commands" and not CJK.search(text_of(english_help))
    chinese_help = text_of(harness.reply("help", user=FORMOSA_ZH, channel="C0INCID2"))
    assert zh("Points per contract year, the service menu, history and CSV.") in chinese_help
    assert "點數" in chinese_help  # the glossary's word for points

    contract = harness.reply("contract", user=FORMOSA_ZH, channel="C0INCID2")
    assert contract["response_type"] == "ephemeral"
    assert contract["text"] == zh("Contract %(contract)s: %(customer)s", contract="FORMOSA-FC-07",
                                  customer="Formosa Semiconductor")
    in_english = harness.reply("contract", user=FORMOSA_EN, channel="C0INCID2")
    assert in_english["text"] == "Contract FORMOSA-FC-07: Formosa Semiconductor"
    assert "*Options*" in text_of(in_english) and not CJK.search(text_of(in_english))

    points = harness.reply("points", user=FORMOSA_ZH, channel="C0INCID2")
    assert points["text"] == zh("Points for %(contracts)s", contracts="FORMOSA-FC-07")
    assert harness.reply("points", user=FORMOSA_EN, channel="C0INCID2")["text"] == "Points for FORMOSA-FC-07"
    # Slack was asked once per person, however many requests they made within the day.
    assert users_info_calls(harness) == {FORMOSA_ZH: 1, FORMOSA_EN: 1, ACME_ZH: 1, ACME_EN: 1}


def escalate(harness: Harness, *, user: str, channel: str, text: str, answers: dict[str, Any],
             ts: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shortcut on a message, then Submit: returns the form as opened and what the submission answered."""
    shortcut(harness, user=user, channel=channel, text=text, ts=ts)
    view = modal(harness, forms.NEW_MODAL, ready="p" + ts.replace(".", ""))  # its permalink is in: the form is ready
    return view, submit(harness, view, answers, user=user)


def test_escalating_a_message_the_form_is_the_persons_the_card_and_ftc_warnings_the_contracts(
        harness: Harness) -> None:
    harness.clock.advance(hours=16)  # Tue 1 Dec 01:00 UTC: 09:00 in Taipei, inside FORMOSA's service hours
    view, answer = escalate(harness, user=FORMOSA_EN, channel="C0INCID2", text="Backup jobs fail",
                            answers={"product:FORMOSA-FC-07": "Data Protector", "impact": "1"}, ts="1764550800.000100")
    assert view["title"]["text"] == "Escalate to FlexCare" and view["submit"]["text"] == "Open incident"
    assert answer["response_action"] == "update" and answer["view"]["title"]["text"] == "Incident opened"
    formosa = card(harness, "C0INCID2", containing="FORMOSA-FC-07-0001")
    assert FTC in text_of(formosa) and zh("Record first contact") in text_of(formosa)
    assert "Record first contact" not in text_of(formosa)

    view, answer = escalate(harness, user=ACME_ZH, channel="C0INCID1", text="Event pipeline down",
                            answers={"product:ACME-FC-01": "Operations Bridge", "impact": "1"}, ts="1764550801.000200")
    assert view["title"]["text"] == zh("Escalate to FlexCare")[:24]
    assert view["submit"]["text"] == zh("Open incident")[:24]
    assert answer["view"]["title"]["text"] == zh("Incident opened")[:24]
    acme = card(harness, "C0INCID1", containing="ACME-FC-01-0001")
    assert "Record first contact" in text_of(acme) and not CJK.search(text_of(acme))

    harness.clock.advance(minutes=30)  # half of impact 1's hour used on both: the first FTC warning
    sweep_ftc_deadlines(harness.db, harness.clock)
    harness.bot.dispatcher.kick()
    [formosa_warning] = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID2", formosa["ts"]))
    [acme_warning] = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID1", acme["ts"]))
    assert "<@U0NASE02>" in formosa_warning and FTC in formosa_warning
    assert "First technical contact" not in formosa_warning
    assert "<@U0NASE01> First technical contact on *ACME-FC-01-0001* is due" in acme_warning
    assert not CJK.search(acme_warning)


def test_slack_is_asked_again_after_the_time_to_live_and_a_new_slack_language_is_followed(
        harness: Harness) -> None:
    assert header(harness.reply("help", user=FORMOSA_EN, channel="C0INCID2")) == "FlexCare commands"
    harness.slack.add_user(FORMOSA_EN, locale="zh-TW")  # they switch Slack to Traditional Chinese
    harness.clock.advance(hours=23, minutes=59)
    assert header(harness.reply("help", user=FORMOSA_EN, channel="C0INCID2")) == "FlexCare commands"
    assert users_info_calls(harness) == {FORMOSA_EN: 1}
    harness.clock.advance(minutes=1)  # a day after Slack was asked
    assert header(harness.reply("help", user=FORMOSA_EN, channel="C0INCID2")) == zh("FlexCare commands")
    assert users_info_calls(harness) == {FORMOSA_EN: 2}
    [call, _again] = harness.slack.calls_to("users.info")
    assert call.args["include_locale"] in (True, "true", "1")


def test_when_slack_cannot_say_the_contracts_language_is_used_and_the_next_request_asks_again(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.slack.fail("users.info", status=500)
    with caplog.at_level(logging.WARNING, logger="handlers.language"):
        assert header(harness.reply("help", user=ACME_ZH, channel="C0INCID1")) == "FlexCare commands"  # ACME's
    assert len(harness.slack.attempts("users.info")) == 1  # one try: it runs before the acknowledgement
    assert f"users.info for {ACME_ZH} failed" in caplog.text
    assert header(harness.reply("help", user=ACME_ZH, channel="C0INCID1")) == zh("FlexCare commands")
    harness.slack.add_user("U0GUEST1", locale="fr-FR")  # a language the bot does not speak: the contract's
    assert header(harness.reply("help", user="U0GUEST1", channel="C0INCID2")) == zh("FlexCare commands")
    assert header(harness.reply("help", user="U0GUEST1", channel="C0INCID1")) == "FlexCare commands"


def you_are(role: str, language: str) -> str:
    """App Home's line for FORMOSA-FC-07, as `role` reads it in `language`."""
    if language == "zh-TW":
        return zh("*%(contract)s* · %(customer)s\nYou are: %(roles)s", contract="FORMOSA-FC-07",
                  customer="Formosa Semiconductor", roles=zh(role))
    return f"*FORMOSA-FC-07* · Formosa Semiconductor\nYou are: {role}"


def home(harness: Harness, user: str, *, showing: str) -> dict[str, Any]:
    """`user`'s home tab once it shows the section `showing` (it is published again after each choice)."""
    def shown() -> dict[str, Any]:
        view = harness.slack.home(user) or {"blocks": []}
        sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b.get("text")]
        return view if showing in sections else {}
    return harness.slack.wait_for(shown)


def switch_of(view: dict[str, Any]) -> dict[str, Any]:
    return dict(next(b for b in view["blocks"] if b.get("block_id") == home_blocks.LANGUAGE_BLOCK)["accessory"])


def choose(harness: Harness, user: str, view: dict[str, Any], value: str) -> None:
    body = payloads.block_action(home_blocks.LANGUAGE_CHOICE, value, user_id=user, view=view, team_id=TEAM)
    assert harness.post(body, content_type=FORM).status == 200


def test_app_home_choice_wins_over_slacks_language_until_the_person_follows_slack_again(harness: Harness) -> None:
    assert harness.event({"type": "app_home_opened", "user": FORMOSA_EN, "tab": "home"}).status == 200
    english = home(harness, FORMOSA_EN, showing=you_are("customer member", "en"))
    assert [o["text"]["text"] for o in switch_of(english)["options"]] == [
        "Follow my Slack language", "English", "繁體中文"]
    assert switch_of(english)["initial_option"]["value"] == home_blocks.FOLLOW_SLACK

    choose(harness, FORMOSA_EN, english, "zh-TW")
    chinese = home(harness, FORMOSA_EN, showing=you_are("customer member", "zh-TW"))
    with speaking("zh-TW"):
        follow = _("Follow my Slack language")
    assert [o["text"]["text"] for o in switch_of(chinese)["options"]] == [follow, "English", "繁體中文"]
    assert switch_of(chinese)["initial_option"]["value"] == "zh-TW"
    assert header(harness.reply("help", user=FORMOSA_EN, channel="C0INCID1")) == zh("FlexCare commands")

    # The other way round: the admin reads Chinese in Slack and chooses English.
    assert harness.event({"type": "app_home_opened", "user": FORMOSA_ZH, "tab": "home"}).status == 200
    choose(harness, FORMOSA_ZH, home(harness, FORMOSA_ZH, showing=you_are("customer admin", "zh-TW")), "en")
    home(harness, FORMOSA_ZH, showing=you_are("customer admin", "en"))
    assert header(harness.reply("help", user=FORMOSA_ZH, channel="C0INCID2")) == "FlexCare commands"

    choose(harness, FORMOSA_EN, chinese, home_blocks.FOLLOW_SLACK)
    assert switch_of(home(harness, FORMOSA_EN, showing=you_are("customer member", "en")))["initial_option"][
        "value"] == home_blocks.FOLLOW_SLACK
    assert header(harness.reply("help", user=FORMOSA_EN, channel="C0INCID2")) == "FlexCare commands"


def test_a_choice_made_on_another_replica_is_heard_here_within_a_minute(harness: Harness) -> None:
    """handlers/language.py remembers a reader's language for a minute per process: a burst costs one read."""
    from domain.people import service as people

    assert header(harness.reply("help", user=ACME_EN, channel="C0INCID1")) == "FlexCare commands"
    with harness.db.begin() as session:  # as another replica's App Home switch would write it
        people.choose_language(session, team=TEAM, user=ACME_EN, language="zh-TW")
    harness.clock.advance(seconds=59)
    assert header(harness.reply("help", user=ACME_EN, channel="C0INCID1")) == "FlexCare commands"
    harness.clock.advance(seconds=2)
    assert header(harness.reply("help", user=ACME_EN, channel="C0INCID1")) == zh("FlexCare commands")
