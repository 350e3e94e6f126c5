"""The Slack shell end to end: signed requests in, what a person would see out (issue 4)."""

import time

from tests.e2e.harness import Harness


def test_a_bad_signature_is_refused_with_401(harness: Harness) -> None:
    answer = harness.post("command=%2Fflexcare&text=help", content_type="application/x-www-form-urlencoded",
                          secret="not-the-secret")
    assert answer.status == 401
    assert harness.slack.calls_to("respond") == []


def test_a_request_older_than_five_minutes_is_refused_with_401(harness: Harness) -> None:
    answer = harness.post("command=%2Fflexcare&text=help", content_type="application/x-www-form-urlencoded",
                          timestamp=int(time.time()) - 6 * 60)
    assert answer.status == 401


def test_help_lists_every_subcommand_with_one_line_each(harness: Harness) -> None:
    reply = harness.reply("help", user="U0MEMB01")
    text = str(reply["blocks"])
    for usage in ("/flexcare help", "/flexcare contract [CONTRACT-ID]", "/flexcare link CONTRACT-ID",
                  "/flexcare unlink"):
        assert usage in text
    assert reply["response_type"] == "ephemeral"


def test_an_empty_command_is_help(harness: Harness) -> None:
    assert "FlexCare commands" in harness.reply("", user="U0MEMB01")["text"]


def test_an_unknown_subcommand_suggests_the_closest(harness: Harness) -> None:
    reply = harness.reply("contrat", user="U0MEMB01")
    assert reply["text"] == ("`/flexcare contrat` is not a command. Did you mean `/flexcare contract`? "
                             "`/flexcare help` lists them all.")


def test_contract_in_a_linked_channel_shows_that_contract(harness: Harness) -> None:
    reply = harness.reply("contract", user="U0MEMB01", channel="C0INCID1")
    text = str(reply["blocks"])
    assert reply["text"] == "Contract ACME-FC-01: ACME Manufacturing"
    assert "Enterprise Support Standard (24x7)" in text
    assert "<@U0NASE01>" in text and "Operations Bridge" in text
    assert "1 of 2, 2026-01-01 to 2026-12-31" in text  # the clock says 2026-11-30
    assert "Mon 30 Nov 09:00 GMT" in text


def test_a_business_hours_contract_says_when_it_opens_next(harness: Harness) -> None:
    harness.clock.advance(hours=12)  # 21:00 UTC = Tue 05:00 in Taipei
    text = str(harness.reply("contract", user="U0MEMB03", channel="C0INCID2")["blocks"])
    assert "Outside service hours; the next opening is <!date^" in text
    assert "08:00-17:00 local time" in text


def test_someone_on_another_contract_sees_none_of_this_one(harness: Harness) -> None:
    reply = harness.reply("contract", user="U0MEMB03", channel="C0INCID1")
    assert reply["text"] == ("You are not on contract ACME-FC-01. Ask one of its customer admins (<@U0ADMIN1>) "
                             "to add you to the contract file.")
    assert "blocks" not in reply or "Operations Bridge" not in str(reply.get("blocks"))


def test_someone_on_no_contract_is_told_whom_to_ask(harness: Harness) -> None:
    reply = harness.reply("contract", user="U0STRANGER", channel="D0DIRECT")
    assert reply["text"].startswith("You are not on any FlexCare contract yet. Ask your company's FlexCare admin")


def test_in_a_dm_a_person_on_one_contract_gets_theirs(harness: Harness) -> None:
    reply = harness.reply("contract", user="U0MEMB04", channel="D0DIRECT")
    assert reply["text"] == "Contract HUDSON-FC-03: Hudson Logistics"


def test_in_a_dm_a_person_on_several_contracts_is_asked_which(harness: Harness) -> None:
    harness.reply("link FORMOSA-FC-07", user="U0ADMIN2", channel="C0SHARED")  # setup via a real command
    with harness.db.begin() as session:
        from domain.contracts.records import ContractPerson

        session.add(ContractPerson(contract_id="FORMOSA-FC-07", slack_user="U0MEMB01", role="customer_member"))
    reply = harness.reply("contract", user="U0MEMB01", channel="D0DIRECT")
    assert reply["text"] == ("You are on several contracts: ACME-FC-01 (ACME Manufacturing), FORMOSA-FC-07 "
                             "(Formosa Semiconductor). Add the one you mean, e.g. `/flexcare contract ACME-FC-01`, "
                             "or use the command in that contract's channel.")
    named = harness.reply("contract formosa-fc-07", user="U0MEMB01", channel="D0DIRECT")
    assert named["text"] == "Contract FORMOSA-FC-07: Formosa Semiconductor"


def test_an_admin_links_and_unlinks_a_channel(harness: Harness) -> None:
    assert harness.reply("link ACME-FC-01 alerts", user="U0ADMIN1", channel="C0NEWCHAN")["text"] == (
        "Linked this channel to ACME-FC-01 for alerts.")
    assert harness.reply("link ACME-FC-01 alerts", user="U0ADMIN1", channel="C0NEWCHAN")["text"] == (
        "This channel was already linked to ACME-FC-01 for alerts.")
    assert harness.reply("contract", user="U0MEMB01", channel="C0NEWCHAN")["text"].startswith("Contract ACME-FC-01")
    assert harness.reply("unlink", user="U0ADMIN1", channel="C0NEWCHAN")["text"] == (
        "Unlinked this channel from ACME-FC-01 (alerts).")
    assert harness.reply("unlink", user="U0ADMIN1", channel="C0NEWCHAN")["text"] == (
        "This channel is not linked to any contract.")


def test_a_member_may_not_link_a_channel(harness: Harness) -> None:
    reply = harness.reply("link ACME-FC-01", user="U0MEMB01", channel="C0NEWCHAN")
    assert reply["text"] == ("On contract ACME-FC-01 you may not link a channel to the contract. "
                             "Ask <@U0AGSM01>, <@U0ESM001>, <@U0NASE01>, <@U0TAM001>.")


def test_a_channel_serves_one_contract_only(harness: Harness) -> None:
    reply = harness.reply("link HUDSON-FC-03", user="U0ADMIN3", channel="C0INCID1")
    assert reply["text"] == ("This channel is already linked to contract ACME-FC-01. Unlink it there first with "
                             "`/flexcare unlink`.")


def test_a_channel_linked_in_the_file_stays_with_the_file(harness: Harness) -> None:
    reply = harness.reply("unlink", user="U0ADMIN1", channel="C0INCID1")
    assert reply["text"] == "This channel is linked in the contract file; change the file to unlink it."


def test_a_bad_purpose_gets_a_sentence(harness: Harness) -> None:
    reply = harness.reply("link ACME-FC-01 lunch", user="U0ADMIN1", channel="C0NEWCHAN")
    assert reply["text"] == "lunch is not a channel purpose; use incidents, alerts or reviews."


def test_the_home_tab_shows_the_viewers_contracts(harness: Harness) -> None:
    assert harness.event({"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"}).status == 200
    home = harness.slack.wait_for(lambda: harness.slack.home("U0ADMIN1"))
    text = str(home["blocks"])
    assert "*ACME-FC-01* · ACME Manufacturing" in text and "customer admin" in text
    assert "*Year 1 (2026-01-01 to 2026-12-31): 120 points bought, expiring after 2026-12-31*" in text
    assert "HUDSON" not in text


def test_a_repeated_event_delivery_is_acted_on_once(harness: Harness) -> None:
    event = {"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"}
    assert harness.event(event, event_id="Ev0REPEAT").status == 200
    harness.slack.wait_for(lambda: harness.slack.home("U0ADMIN1"))
    assert harness.event(event, event_id="Ev0REPEAT", retry_num=1).status == 200
    assert harness.event(event, event_id="Ev0REPEAT", retry_num=2).status == 200
    time.sleep(0.3)
    assert len(harness.slack.calls_to("views.publish")) == 1


def test_health_reports_the_database(harness: Harness) -> None:
    answer = harness.get("/healthz")
    assert (answer.status, answer.body) == (200, "ok\n")


def test_an_unexpected_failure_is_one_sentence_with_an_error_id(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import handlers.contract

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(handlers.contract, "choose_contract", broken)
    reply = harness.reply("contract", user="U0MEMB01")
    assert reply["text"].startswith("Sorry, something went wrong on our side (error ")
    assert "database on fire" not in reply["text"]
