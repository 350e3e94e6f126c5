"""Incident builders: every state of the card, timeline lines, the forms and their readers, within Block Kit limits."""

from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from handlers.blocks import incident_forms as forms
from handlers.blocks import incidents as blocks

FACTS: dict[str, Any] = {
    "copy": "channel", "key": "ACME-FC-01-0007", "contract": "ACME-FC-01", "timezone": "Europe/London",
    "language": "en", "around_the_clock": True, "summary": "Event pipeline down", "description": "No events.",
    "description_cut": False, "impact": 1, "target_seconds": 3600, "product": "Operations Bridge",
    "owner": "U0NASE01", "owner_role": "NASE", "priority_team": False, "status": "open",
    "opened_at": "2026-11-30T09:00:00+00:00", "opened_by": "U0MEMB01", "ftc_due_at": "2026-11-30T10:00:00+00:00",
    "ftc_clock_starts_at": None, "time_left_seconds": 3600, "as_of": "2026-11-30T09:00:00+00:00",
    "ftc_at": None, "ftc_by": None, "ftc_met": None, "ftc_service_seconds": None, "escalation": None,
    "escalated_to": None, "escalated_at": None, "last_update_at": None, "resolved_at": None, "resolution": None,
    "vendor": None, "case_ref": None, "source_link": "https://acme.slack.com/archives/C0TALK/p1",
    "card_channel": "C0INCID1",
}


def text_of(facts: dict[str, Any]) -> str:
    message = blocks.incident_card(facts)
    return message.text + " " + str(message.as_kwargs()["blocks"])  # as_kwargs validates every block


def buttons(facts: dict[str, Any]) -> list[str]:
    actions = blocks.incident_card(facts).as_kwargs()["blocks"][-1]
    return [e["action_id"] for e in actions["elements"]]


def test_the_open_card_shows_owner_due_time_left_and_the_escalated_message() -> None:
    text = text_of(FACTS)
    assert "ACME-FC-01-0007: Event pipeline down (impact 1, open, owner <@U0NASE01>)" in text
    assert "<!date^1796032800^" in text and "contract time Mon 30 Nov 10:00 GMT" in text
    assert "1 h left on the FTC clock" in text and "|The escalated message>" in text
    assert buttons(FACTS) == [forms.RECORD_FTC, forms.ESCALATE, forms.CHANGE_IMPACT, forms.POST_UPDATE, forms.RESOLVE]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"priority_team": True}, "the priority team has it now (FC-INC-4)"),
    ({"ftc_clock_starts_at": "2026-12-01T00:00:00+00:00", "timezone": "Asia/Taipei"},
     "the FTC clock starts <!date^1796083200^"),
    ({"time_left_seconds": -5400}, "*Overdue* by 1 h 30 min of service time"),
    ({"ftc_due_at": None, "impact": 4, "time_left_seconds": None}, "No target for impact 4 on this contract"),
    ({"ftc_at": "2026-11-30T09:40:00+00:00", "ftc_by": "U0NASE01", "ftc_met": True, "ftc_service_seconds": 2400},
     "by <@U0NASE01>: met, after 40 min of service time"),
    ({"escalation": "technical", "escalated_to": "U0TAM001"}, "Technical escalation to <@U0TAM001>"),
    ({"vendor": "Oracle", "case_ref": "SR 3-1"}, "Oracle, their case SR 3-1"),
    ({"copy": "thread"}, "Card and timeline: ACME-FC-01-0007 in <#C0INCID1>."),
])
def test_fc_inc_card_variants(changes: dict[str, Any], expected: str) -> None:
    assert expected in text_of(FACTS | changes)


def test_buttons_follow_the_state() -> None:
    assert forms.RECORD_FTC not in buttons(FACTS | {"ftc_at": "2026-11-30T09:40:00+00:00", "ftc_by": "U1"})
    resolved = FACTS | {"status": "resolved", "resolved_at": "2026-11-30T12:00:00+00:00", "resolution": "Fixed"}
    assert buttons(resolved) == [forms.REOPEN]
    assert "*Resolved*" in text_of(resolved)


def test_a_long_summary_and_description_stay_within_block_limits() -> None:
    text_of(FACTS | {"summary": "S" * 200, "description": "D\n" * 2000})


@pytest.mark.parametrize(("kind", "extra", "expected"), [
    ("first_contact", {"after": {"met": False, "service_seconds": 7200}}, "missed, after 2 h of service time"),
    ("escalated", {"after": {"escalation": "business", "escalated_to": "U0AGSM01"}, "note": "CEO asks"},
     "escalated (business) to <@U0AGSM01>: CEO asks"),
    ("impact_changed", {"before": {"impact": 3}, "after": {"impact": 1, "ftc_due_at": "2026-11-30T10:00:00+00:00"}},
     "changed impact 3 → 1; first contact now due <!date^1796032800^"),
    ("update", {"note": "Logs collected"}, "posted an update: Logs collected"),
    ("resolved", {"note": "Restarted"}, "resolved it: Restarted"),
    ("reopened", {}, "reopened it."),
])
def test_timeline_lines(kind: str, extra: dict[str, Any], expected: str) -> None:
    facts = {"key": "K", "kind": kind, "actor": "U0TAM001", "at": "2026-11-30T09:30:00+00:00",
             "timezone": "Europe/London", "before": {}, "after": {}, "note": None} | extra
    message = blocks.timeline_line(facts)
    assert expected in message.text and message.as_kwargs()["blocks"]


CHOICE = forms.ContractChoice(id="ACME-FC-01", customer="ACME", products=("Operations Bridge",), everything=True,
                              targets={1: timedelta(hours=1), 2: timedelta(hours=4), 3: None, 4: None},
                              around_the_clock=True)


def test_the_new_incident_form_offers_covered_products_and_each_impact_with_its_target() -> None:
    view = forms.new_incident_modal([CHOICE], CHOICE, summary="Down", description="Text", metadata={"a": 1}).to_dict()
    ids = [b["block_id"] for b in view["blocks"]]
    assert ids == [forms.CONTRACT, forms.SUMMARY, forms.DESCRIPTION, "product:ACME-FC-01", forms.OTHER_PRODUCT,
                   forms.IMPACT, forms.THIRD_PARTY, forms.VENDOR, forms.CASE_REF]
    impact = view["blocks"][5]["element"]["options"]
    assert impact[0]["description"]["text"] == "First contact within 1 h, around the clock"
    assert impact[3]["description"]["text"] == "No first-contact target on this contract"


def submitted(values: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for block_id, value in values.items():
        if isinstance(value, list):
            state[block_id] = {"value": {"type": "checkboxes", "selected_options": [{"value": v} for v in value]}}
        elif block_id in (forms.CONTRACT, forms.IMPACT, "product:ACME-FC-01"):
            state[block_id] = {"value": {"type": "static_select", "selected_option": value and {"value": value}}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": value}}
    return {"id": "V1", "private_metadata": "{}", "state": {"values": state}}


def test_the_reader_takes_a_typed_product_over_the_list_and_wants_a_vendor_when_ticked() -> None:
    form, errors = forms.read_new_incident(submitted({
        forms.CONTRACT: "ACME-FC-01", forms.SUMMARY: "Down", forms.DESCRIPTION: "Text", forms.IMPACT: "2",
        "product:ACME-FC-01": None, forms.OTHER_PRODUCT: "Network Automation", forms.THIRD_PARTY: ["yes"],
        forms.VENDOR: " ", forms.CASE_REF: None}))
    assert (form.product, form.impact, form.product_block) == ("Network Automation", 2, forms.OTHER_PRODUCT)
    assert set(errors) == {forms.VENDOR}
    assert forms.field_errors(form, {"product": "x", "summary": "y"}) == {forms.OTHER_PRODUCT: "x", forms.SUMMARY: "y"}


def test_step_forms_build_within_limits() -> None:
    for view in (forms.escalate_modal("ACME-FC-01-0007", technical="<@U1>", business=None),
                 forms.impact_modal("ACME-FC-01-0007", CHOICE, 2), forms.update_modal("ACME-FC-01-0007"),
                 forms.resolve_modal("ACME-FC-01-0007")):
        assert view.to_dict()["title"]["text"]


def test_home_gets_the_open_incidents_under_its_header_within_100_blocks() -> None:
    home = View(type="home", blocks=[SectionBlock(text=f"block {n}") for n in range(99)])
    view = blocks.with_open_incidents(home, [FACTS, FACTS | {"key": "ACME-FC-01-0008"}])
    rendered = view.to_dict()["blocks"]
    assert len(rendered) == 100 and rendered[1]["type"] == "header" and "ACME-FC-01-0007" in str(rendered[2])
