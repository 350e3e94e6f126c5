"""Incidents end to end (issue 5): shortcut → form → card in the channel and the thread, every button with
its refusals, the FTC clock on a 24x7 and a business-hours contract, and what goes wrong."""

from typing import Any

from sqlalchemy import func, select

from bot.standin import payloads
from domain.contracts.records import ContractPerson
from domain.incidents.records import Incident
from handlers.blocks import incident_forms as forms
from tests.e2e.harness import TEAM, Harness
from tests.e2e.incident_steps import (
    FORM,
    card,
    modal,
    open_incident,
    press,
    refusal,
    shortcut,
    submit,
    text_of,
    thread_lines,
)

ACME_OPEN = {"product:ACME-FC-01": "Operations Bridge", "impact": "1"}
SOURCE_TS = "1764493200.000100"


def acme_card(harness: Harness, containing: str = "") -> dict[str, Any]:
    return card(harness, "C0INCID1", containing=containing)


def open_acme(harness: Harness, **answers: Any) -> dict[str, Any]:
    ack = open_incident(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down\nNothing since 08:10",
                        answers=ACME_OPEN | answers)
    assert ack.get("response_action") == "update", ack
    return acme_card(harness)


def incidents(harness: Harness) -> int:
    with harness.db() as session:
        return session.scalar(select(func.count()).select_from(Incident)) or 0


def test_fc_inc_4_24x7_card_in_channel_and_thread_with_owner_and_due(harness: Harness) -> None:
    ack = open_incident(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down\nNothing since 08:10",
                        answers=ACME_OPEN)
    assert "*ACME-FC-01-0001* is open and routed to <@U0NASE01>" in text_of(ack["view"])
    posted = acme_card(harness)
    text = text_of(posted)
    assert "ACME-FC-01-0001 · Event pipeline down" in text and "<@U0NASE01> (NASE)" in text
    assert "contract time Mon 30 Nov 10:00 GMT" in text and "1 h left on the FTC clock" in text
    assert "https://example.slack.com/archives/C0ALERT1/p1764493200000100|The escalated message" in text
    copy = harness.slack.wait_for(lambda: thread_lines(harness, "C0ALERT1", SOURCE_TS))
    assert "Card and timeline: ACME-FC-01-0001 in <#C0INCID1>" in copy[0]


def test_fc_inc_2_business_hours_card_says_when_the_clock_starts(harness: Harness) -> None:
    ack = open_incident(harness, user="U0MEMB03", channel="C0ALERT2", text="Backup jobs failing",
                        answers={"product:FORMOSA-FC-07": "Data Protector", "impact": "2"})
    assert ack.get("response_action") == "update", ack
    text = text_of(card(harness, "C0INCID2"))  # FORMOSA-FC-07 speaks zh-TW: its channel posts are in Chinese
    assert "<@U0NASE02>（NASE）" in text
    assert "FTC 計時從 <!date^1796083200^" in text and "（合約時間 12月1日 週二 上午8:00 CST）" in text
    assert "（合約時間 12月1日 週二 下午12:00 CST）" in text and "FTC 計時剩餘 4 小時" in text


def test_fc_inc_4_at_night_on_24x7_the_priority_team_has_it(harness: Harness) -> None:
    harness.clock.advance(hours=13)  # 22:00 in London
    open_acme(harness)
    assert "the priority team has it now (FC-INC-4)" in text_of(acme_card(harness))


def test_record_first_contact_refuses_a_customer_and_stamps_for_the_nase(harness: Harness) -> None:
    posted = open_acme(harness)
    said = refusal(harness, press(harness, forms.RECORD_FTC, posted, user="U0MEMB01", channel="C0INCID1"))
    assert said.startswith("On contract ACME-FC-01 you may not record first technical contact. Ask ")
    harness.clock.advance(minutes=40)
    press(harness, forms.RECORD_FTC, posted, user="U0NASE01", channel="C0INCID1")
    updated = acme_card(harness, containing="met, after 40 min of service time")
    assert forms.RECORD_FTC not in text_of(updated)
    lines = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID1", posted["ts"]))
    assert "<@U0NASE01> recorded first technical contact: met, after 40 min of service time." in lines[0]


def test_fc_inc_6_technical_escalation_mentions_and_messages_the_tam(harness: Harness) -> None:
    harness.slack.add_channel("U0TAM001")  # the stand-in takes a user id as a DM channel only once registered
    posted = open_acme(harness)
    said = refusal(harness, press(harness, forms.ESCALATE, posted, user="U0MEMB01", channel="C0INCID1"))
    assert "you may not escalate an incident" in said
    press(harness, forms.ESCALATE, posted, user="U0NASE01", channel="C0INCID1")
    view = modal(harness, forms.ESCALATE_MODAL)
    assert "Coordinated by the TAM, <@U0TAM001>" in text_of(view) and "<@U0AGSM01>" in text_of(view)
    assert submit(harness, view, {"kind": "technical", "reason": "Needs R&D"}, user="U0NASE01") == {}
    acme_card(harness, containing="Technical escalation to <@U0TAM001>")
    lines = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID1", posted["ts"]))
    assert "<@U0NASE01> escalated (technical) to <@U0TAM001>: Needs R&amp;D" in lines[0]  # user text escaped
    dm = harness.slack.wait_for(lambda: harness.slack.messages("U0TAM001"))
    assert "asks you to take the technical escalation of ACME-FC-01-0001" in dm[0]["text"]


def test_fc_inc_6_escalation_needs_a_kind_and_a_reason(harness: Harness) -> None:
    posted = open_acme(harness)
    press(harness, forms.ESCALATE, posted, user="U0NASE01", channel="C0INCID1")
    ack = submit(harness, modal(harness, forms.ESCALATE_MODAL), {"reason": " "}, user="U0NASE01")
    assert ack == {"response_action": "errors", "errors": {forms.KIND: "Choose technical or business escalation."}}


def test_fc_inc_2_change_impact_recomputes_due_from_opening(harness: Harness) -> None:
    posted = open_acme(harness)
    said = refusal(harness, press(harness, forms.CHANGE_IMPACT, posted, user="U0MEMB03", channel="C0INCID1"))
    assert said.startswith("You are not on contract ACME-FC-01.")
    harness.clock.advance(hours=2)
    press(harness, forms.CHANGE_IMPACT, posted, user="U0MEMB01", channel="C0INCID1")
    view = modal(harness, forms.IMPACT_MODAL)
    assert submit(harness, view, {"impact": "3"}, user="U0MEMB01") == {}
    updated = acme_card(harness, containing="contract time Mon 30 Nov 17:00 GMT")  # 8 h from 09:00, not from 11:00
    assert "3 · Medium" in text_of(updated)
    lines = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID1", posted["ts"]))
    assert "changed impact 1 → 3; first contact now due" in lines[0]


def test_fc_inc_5_post_update_resolve_and_reopen(harness: Harness) -> None:
    posted = open_acme(harness)
    press(harness, forms.POST_UPDATE, posted, user="U0TAM001", channel="C0INCID1")
    assert submit(harness, modal(harness, forms.UPDATE_MODAL), {"update": "Collecting logs"}, user="U0TAM001") == {}
    acme_card(harness, containing="Last status update")
    press(harness, forms.RESOLVE, posted, user="U0TAM001", channel="C0INCID1")
    view = modal(harness, forms.RESOLVE_MODAL)
    assert submit(harness, view, {"resolution": ""}, user="U0TAM001")["errors"] == {
        forms.RESOLUTION: "Summarise how the incident was resolved."}
    assert submit(harness, view, {"resolution": "Restarted the collector"}, user="U0TAM001") == {}
    resolved = acme_card(harness, containing="*Resolved*")
    said = refusal(harness, press(harness, forms.REOPEN, resolved, user="U0MEMB03", channel="C0INCID1"))
    assert said.startswith("You are not on contract ACME-FC-01.")
    press(harness, forms.REOPEN, resolved, user="U0MEMB01", channel="C0INCID1")
    acme_card(harness, containing=forms.RESOLVE)
    lines = harness.slack.wait_for(lambda: thread_lines(harness, "C0INCID1", posted["ts"])[2:] and
                                   thread_lines(harness, "C0INCID1", posted["ts"]))
    assert ["posted an update: Collecting logs" in lines[0], "resolved it: Restarted the collector" in lines[1],
            "reopened it." in lines[2]] == [True, True, True]


def test_a_step_on_a_resolved_incident_is_refused_in_one_sentence(harness: Harness) -> None:
    posted = open_acme(harness)
    press(harness, forms.RESOLVE, posted, user="U0MEMB01", channel="C0INCID1")
    submit(harness, modal(harness, forms.RESOLVE_MODAL), {"resolution": "Gone"}, user="U0MEMB01")
    acme_card(harness, containing="*Resolved*")
    said = refusal(harness, press(harness, forms.POST_UPDATE, posted, user="U0MEMB01", channel="C0INCID1"))
    assert said == "ACME-FC-01-0001 is resolved. Reopen it first."


def test_the_same_form_submitted_twice_makes_one_incident(harness: Harness) -> None:
    shortcut(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down")
    view = modal(harness, forms.NEW_MODAL, ready="source_link")
    first = submit(harness, view, ACME_OPEN, user="U0MEMB01")
    again = submit(harness, view, ACME_OPEN, user="U0MEMB01")
    assert first == again and incidents(harness) == 1
    acme_card(harness)
    assert len(harness.slack.messages("C0INCID1")) == 1


def test_bad_input_is_shown_beside_each_field(harness: Harness) -> None:
    shortcut(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down")
    view = modal(harness, forms.NEW_MODAL, ready="source_link")
    ack = submit(harness, view, ACME_OPEN | {"summary": "x" * 121, "description": "", "third_party": ["yes"]},
                 user="U0MEMB01")
    assert ack["response_action"] == "errors"
    assert set(ack["errors"]) == {forms.VENDOR}  # Slack-side checks first, then the domain's
    ack = submit(harness, view, ACME_OPEN | {"summary": "x" * 121, "description": " "}, user="U0MEMB01")
    assert ack["errors"][forms.SUMMARY].startswith("Keep the summary to 120 characters (it has 121)")
    assert ack["errors"][forms.DESCRIPTION].startswith("Describe what happened")
    assert incidents(harness) == 0


def test_shortcut_refusals_are_one_sentence_and_no_modal(harness: Harness) -> None:
    unlinked = refusal(harness, shortcut(harness, user="U0MEMB01", channel="C0RANDOM", text="hello"))
    assert unlinked.startswith("This channel is not linked to a FlexCare contract")
    stranger = refusal(harness, shortcut(harness, user="U0STRANGER", channel="C0ALERT1", text="hello"))
    assert stranger.startswith("You are not on contract ACME-FC-01.")
    own = refusal(harness, shortcut(harness, user="U0MEMB01", channel="C0INCID1", text="ACME-FC-01-0001",
                                    bot_id="B0FLEXBOT", blocks=[{"type": "header", "block_id": forms.CARD_HEADER}]))
    assert own == "This is a FlexCare incident card already; use its buttons to act on it."
    assert harness.slack.calls_to("views.open") == []


def test_the_incident_exists_while_slack_is_down_and_the_card_follows(harness: Harness) -> None:
    shortcut(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down")
    view = modal(harness, forms.NEW_MODAL, ready="source_link")
    harness.slack.outage()
    assert submit(harness, view, ACME_OPEN, user="U0MEMB01")["response_action"] == "update"
    assert incidents(harness) == 1
    harness.slack.wait_for(lambda: harness.slack.attempts("chat.postMessage"))
    harness.slack.clear_faults()
    harness.clock.advance(minutes=5)
    harness.bot.dispatcher.kick()
    acme_card(harness)


def test_slash_new_list_and_show(harness: Harness) -> None:
    harness.command("incident new Disk full on collector", user="U0MEMB01", channel="C0INCID1")
    view = modal(harness, forms.NEW_MODAL)
    assert "Disk full on collector" in text_of(view)
    assert submit(harness, view, ACME_OPEN | {"description": "95% and rising"}, user="U0MEMB01")["response_action"] \
        == "update"
    listed = harness.reply("incident list", user="U0MEMB01", channel="C0INCID1")
    assert "*ACME-FC-01-0001* · impact 1 · Disk full on collector" in text_of(listed)
    assert "1 h left" in text_of(listed) and "owner <@U0NASE01>" in text_of(listed)
    shown = harness.reply("incident show acme-fc-01-0001", user="U0MEMB01", channel="D0DIRECT")
    assert "ACME-FC-01-0001 · Disk full on collector" in text_of(shown)
    hidden = harness.reply("incident show ACME-FC-01-0001", user="U0MEMB03", channel="D0DIRECT")
    assert hidden["text"].startswith("There is no incident ACME-FC-01-0001.")


def test_app_home_lists_open_incidents_by_ftc_due(harness: Harness) -> None:
    open_acme(harness)
    harness.event({"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0HOME", "tab": "home"})
    home = harness.slack.wait_for(lambda: harness.slack.home("U0MEMB01") or {})
    assert "Open incidents" in text_of(home) and "*ACME-FC-01-0001* · impact 1" in text_of(home)


def test_picking_another_contract_in_the_form_offers_its_products(harness: Harness) -> None:
    with harness.db.begin() as session:
        session.add(ContractPerson(contract_id="FORMOSA-FC-07", slack_user="U0MEMB01", role="customer_member"))
    harness.command("incident new Backup window missed", user="U0MEMB01", channel="C0INCID1")
    view = modal(harness, forms.NEW_MODAL)
    assert "product:ACME-FC-01" in text_of(view)
    body = payloads.block_action(forms.CONTRACT_PICKED, "FORMOSA-FC-07", user_id="U0MEMB01", view=view, team_id=TEAM)
    assert harness.post(body, content_type=FORM).status == 200
    switched = modal(harness, forms.NEW_MODAL, ready="product:FORMOSA-FC-07")
    assert "Backup window missed" in text_of(switched) and "Operations Bridge" not in text_of(switched)
    ack = submit(harness, switched, {"product:FORMOSA-FC-07": "Data Protector", "impact": "2",
                                     "description": "Nightly window overran"}, user="U0MEMB01")
    assert ack["response_action"] == "update"
    assert "<@U0NASE02>（NASE）" in text_of(card(harness, "C0INCID2"))  # FORMOSA-FC-07's language: zh-TW


def test_without_the_message_link_the_form_still_opens_and_works(harness: Harness) -> None:
    harness.slack.fail("chat.getPermalink", error="message_not_found")
    shortcut(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down")
    view = modal(harness, forms.NEW_MODAL)
    assert submit(harness, view, ACME_OPEN, user="U0MEMB01")["response_action"] == "update"
    assert "Event pipeline down" in text_of(acme_card(harness))
