"""Account management end to end (issue 9): a notice sent from its modal reaches every covering contract's alerts
channel and no other, Acknowledge and Plan update each card in place, the reminder after 2 business days, stale
documents, onboarding once per contract. The clock: Mon 2026-11-30 09:00 UTC; sweeps are called directly."""

import itertools
import json
from typing import Any

from bot.standin import payloads
from bot.standin.render import render_message
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from handlers.blocks import account_forms as forms
from handlers.blocks import points_forms
from scheduler.account_sweeps import sweep_account
from tests.e2e.harness import EXAMPLES, TEAM, Harness
from tests.e2e.incident_steps import FORM, modal, refusal, submit, text_of

PATCH = {"product": "Operations Bridge", "kind": "critical_patch", "severity": "critical",
         "title": "OpsB 24.2 patch 3", "details": "Fixes event loss when the pipeline is under load.",
         "link": "https://support.example.com/opsb-24-2-p3", "risks": ["data_loss"]}
_names = itertools.count(1)


def press(harness: Harness, action_id: str, message: dict[str, Any], *, user: str, channel: str) -> str:
    """Press a button (in an actions block or a section's accessory); returns the response_url name."""
    name = f"account{next(_names)}"
    value = next(e["value"] for b in message["blocks"] for e in [*b.get("elements", []), b.get("accessory") or {}]
                 if e.get("action_id") == action_id)
    body = payloads.block_action(action_id, value, user_id=user, channel_id=channel, message=message, team_id=TEAM,
                                 response_url=harness.slack.response_url(name), trigger_id=f"trigger-{name}")
    answer = harness.post(body, content_type=FORM)
    assert answer.status == 200, answer.body
    return name


def notice_card(harness: Harness, channel: str, containing: str = "") -> dict[str, Any]:
    def found() -> dict[str, Any]:
        return next((m for m in harness.slack.messages(channel) if any(
            b.get("block_id") == forms.NOTICE_HEADER for b in m.get("blocks") or []) and containing in text_of(m)), {})
    return harness.slack.wait_for(found)


def send_patch(harness: Harness, **answers: Any) -> dict[str, Any]:
    harness.command("notice new", user="U0ESM001", channel="C0ALERT1")
    return submit(harness, modal(harness, forms.NOTICE_MODAL), PATCH | answers, user="U0ESM001")


def sweep(harness: Harness) -> int:
    written = sweep_account(harness.db, harness.clock)
    harness.bot.dispatcher.kick()
    return written


def test_fc_inc_9_a_notice_reaches_both_covering_contracts_and_not_a_third(harness: Harness) -> None:
    ack = send_patch(harness)
    assert ack.get("response_action") == "update", ack
    assert "ACME-FC-01 in <#C0ALERT1>" in text_of(ack["view"]) and "HUDSON-FC-03 in <#C0ALERT3>" in text_of(ack["view"])
    acme, hudson = notice_card(harness, "C0ALERT1"), notice_card(harness, "C0ALERT3")
    assert "ESM <@U0ESM001> · TAM <@U0TAM001>" in text_of(acme) and "Risk of data loss" in text_of(acme)
    assert "ESM <@U0AGSM03> · TAM <@U0TAM003>" in text_of(hudson)  # no ESM bought: the AGSM notifies
    assert "Critical patch · Critical · Operations Bridge: OpsB 24.2 patch 3" in acme["text"]
    assert not any("OpsB" in text_of(m) for m in harness.slack.messages("C0ALERT2"))  # FORMOSA: Data Protector


def test_fc_inc_9_a_bad_notice_keeps_the_form_open_and_a_customer_cannot_open_it(harness: Harness) -> None:
    ack = send_patch(harness, link="ftp://x", title=" ")
    assert ack["response_action"] == "errors" and set(ack["errors"]) == {forms.LINK, forms.TITLE}
    assert ack["errors"][forms.LINK] == "Give a web address starting with https://, or leave the link empty."
    said = harness.reply("notice new", user="U0MEMB01", channel="C0ALERT1")["text"]
    assert said == "Only vendor staff named on a FlexCare contract may send notices (FC-INC-9)."


def test_fc_inc_9_acknowledge_and_plan_update_the_card_in_place(harness: Harness) -> None:
    send_patch(harness)
    card = notice_card(harness, "C0ALERT1")
    said = refusal(harness, press(harness, forms.ACKNOWLEDGE, card, user="U0TAM001", channel="C0ALERT1"))
    assert said.startswith("On contract ACME-FC-01 you may not acknowledge a notice.")
    press(harness, forms.ACKNOWLEDGE, card, user="U0MEMB01", channel="C0ALERT1")
    acked = notice_card(harness, "C0ALERT1", containing="Acknowledged by <@U0MEMB01>")
    assert acked["ts"] == card["ts"]  # chat.update: the same message
    assert forms.ACKNOWLEDGE not in json.dumps(acked["blocks"])
    said = refusal(harness, press(harness, forms.PLAN, acked, user="U0NASE01", channel="C0ALERT1"))
    assert said == "The action plan for NOTICE-0001 is reviewed by the TAM (FC-INC-9). Ask <@U0TAM001>."
    press(harness, forms.PLAN, acked, user="U0TAM001", channel="C0ALERT1")
    view = modal(harness, forms.PLAN_MODAL)
    ack = submit(harness, view, {forms.INSTALL_ON: "2026-11-01", forms.MODE: "onsite"}, user="U0TAM001")
    assert ack["errors"] == {forms.INSTALL_ON: "Pick the install date, today or later."}
    ack = submit(harness, view, {forms.INSTALL_ON: "2026-12-12", forms.MODE: "onsite", forms.SERVICE_DAYS: "1",
                                 forms.POINTS_REQUEST: ["yes"]}, user="U0TAM001")
    assert ack == {}
    planned = notice_card(harness, "C0ALERT1", containing="*Action plan* by <@U0TAM001>")
    assert "install on Sat 12 Dec 2026, onsite, 1 technical service day" in text_of(planned)
    assert points_forms.OPEN_REQUEST in json.dumps(planned["blocks"])  # the points request flow's own button
    assert "Acknowledged by <@U0MEMB01>" in text_of(planned) and planned["ts"] == card["ts"]
    assert "Not acknowledged yet" in text_of(notice_card(harness, "C0ALERT3"))  # HUDSON's copy is its own
    listed = text_of(harness.reply("notices", user="U0MEMB04", channel="C0ALERT3"))
    assert "NOTICE-0001" in listed and "Not acknowledged yet" in listed
    assert "No open notices" in harness.reply("notices", user="U0MEMB03", channel="C0ALERT2")["text"]


def test_fc_inc_9_the_reminder_fires_once_after_two_business_days(harness: Harness) -> None:
    send_patch(harness)
    card = notice_card(harness, "C0ALERT1")
    harness.clock.advance(hours=47, minutes=59)  # Wednesday 08:59 London
    sweep(harness)
    harness.clock.advance(minutes=1)  # Wednesday 09:00: two business days in London
    assert sweep(harness) == 1 and sweep(harness) == 0
    replies = harness.slack.wait_for(lambda: [m for m in harness.slack.thread("C0ALERT1", card["ts"])
                                              if m["ts"] != card["ts"]])
    assert len(replies) == 1
    assert replies[0]["text"] == ("<@U0ADMIN1>: NOTICE-0001 (OpsB 24.2 patch 3) has not been acknowledged for 2 "
                                  "business days. Please read it and press Acknowledge (FC-INC-9).")


def test_fc_rev_stale_document_reminders_fire_once_per_stale_period(harness: Harness) -> None:
    reply = harness.reply("plan support-plan <https://docs.example.com/acme-plan>", user="U0ESM001",
                          channel="C0REVIEW1")
    assert "<https://docs.example.com/acme-plan|Customer support plan>" in text_of(reply)
    said = harness.reply("plan profile https://docs.example.com/p", user="U0ESM001", channel="C0REVIEW1")["text"]
    assert said == "The operational profile of ACME-FC-01 is kept by <@U0TAM001>. Ask them."
    sweep(harness)  # onboarding's own messages
    stale = "was last reviewed"

    def reminders() -> list[dict[str, Any]]:
        return [m for m in harness.slack.messages("C0REVIEW1") if stale in m.get("text", "")]

    harness.clock.advance(days=89)
    sweep(harness)
    harness.clock.advance(days=1)
    sweep(harness)
    assert len(harness.slack.wait_for(reminders)) == 1
    harness.clock.advance(days=30)
    sweep(harness)
    sweep(harness)
    assert "<@U0ESM001>: the customer support plan of ACME-FC-01 was last reviewed" in reminders()[0]["text"]
    shown = harness.reply("plan", user="U0ESM001", channel="C0REVIEW1")
    assert "*Stale*: not reviewed for 90 days." in text_of(shown)
    pressed = press(harness, forms.REVIEWED, shown, user="U0ESM001", channel="C0REVIEW1")
    harness.slack.wait_for(lambda: harness.slack.responses(pressed))  # stamped before the clock moves on
    harness.clock.advance(days=89)
    sweep(harness)
    assert len(reminders()) == 1
    harness.clock.advance(days=1)
    sweep(harness)
    assert len(harness.slack.wait_for(lambda: reminders()[1:])) == 1  # a new review, a new period: one more


def test_fc_rev_onboarding_posts_once_per_contract_not_on_re_import(harness: Harness) -> None:
    sweep(harness)
    welcome = harness.slack.wait_for(lambda: [m for m in harness.slack.messages("C0INCID1")
                                              if m["text"].startswith("Welcome to FlexCare")])
    text = render_message(welcome[0])
    assert "*TAM* <@U0TAM001>: Technical account manager for Operations Bridge" in text_of(welcome[0])
    assert "*TAM* @U0TAM001: Technical account manager for Operations Bridge" in text
    assert "Contract year 1 has 120 points available until 31 Dec 2026" in text
    changed = EXAMPLES.read_text(encoding="utf-8").replace("ACME Manufacturing", "ACME Manufacturing plc")
    with harness.db.begin() as session:
        report = contracts.import_contracts(session, parse_contract_file(changed, source="c.yml"), source="c.yml",
                                            now=harness.clock())
    assert report.updated == ["ACME-FC-01"] and sweep(harness) == 0
    channels = ("C0INCID1", "C0ALERT1", "C0REVIEW1", "C0INCID2", "C0ALERT2", "C0REVIEW2", "C0INCID3", "C0ALERT3")

    def welcomes() -> list[int]:
        return [sum(m["text"].startswith("Welcome to FlexCare") or "歡迎使用 FlexCare" in m["text"]  # FORMOSA: zh-TW
                    for m in harness.slack.messages(channel))
                for channel in channels]

    harness.slack.wait_for(lambda: all(welcomes()))
    assert welcomes() == [1] * len(channels)


def test_fc_rev_the_checklist_is_ticked_by_buttons_and_reminded_after_two_weeks(harness: Harness) -> None:
    sweep(harness)
    checklist = harness.slack.wait_for(lambda: next((m for m in harness.slack.messages("U0TAM001")
                                                     if m["text"].startswith("Kick-off checklist")), None))
    said = refusal(harness, press(harness, forms.TICK, checklist, user="U0MEMB01", channel="U0TAM001"))
    assert said.startswith("On contract ACME-FC-01 you may not tick the onboarding checklist.")
    press(harness, forms.TICK, checklist, user="U0TAM001", channel="U0TAM001")
    ticked = "✅ Welcome call held: <@U0TAM001>"  # every vendor staff member's copy is updated in place
    harness.slack.wait_for(lambda: ticked in text_of(harness.slack.messages("U0ESM001")[0]))
    harness.clock.advance(days=13)
    assert sweep(harness) == 0
    harness.clock.advance(days=1)
    assert sweep(harness) == 4 + 3 + 3 and sweep(harness) == 0  # one per vendor staff member of each contract
    reminder = harness.slack.wait_for(lambda: harness.slack.thread("U0TAM001", checklist["ts"])[1:])
    assert reminder[0]["text"] == ("Kick-off of ACME-FC-01 (ACME Manufacturing) started more than 2 weeks ago and "
                                   "these items are still open: Kick-off visit date set, Customer support plan "
                                   "linked, Account operational profile linked.")


def test_app_home_shows_open_notices_and_onboarding_items(harness: Harness) -> None:
    send_patch(harness)
    assert harness.event({"type": "app_home_opened", "user": "U0TAM001", "tab": "home"}).status == 200
    home = text_of(harness.slack.wait_for(lambda: harness.slack.home("U0TAM001")))
    assert "*Open notices*" in home and "*NOTICE-0001* · ACME-FC-01 · Critical patch" in home
    assert "*Onboarding still open*" in home and "ACME-FC-01 · Kick-off visit date set" in home
    assert harness.event({"type": "app_home_opened", "user": "U0MEMB03", "tab": "home"}).status == 200
    other = text_of(harness.slack.wait_for(lambda: harness.slack.home("U0MEMB03")))
    assert "NOTICE-0001" not in other and "Onboarding still open" not in other  # FORMOSA: not covered, a customer
