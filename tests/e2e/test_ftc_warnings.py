"""What people see of FTC deadlines (FC-INC-2, FC-INC-6): an incident opened from a message in Slack, then the
FTC sweep run as time passes; the warnings land in the card's thread and the breach turns the card overdue."""

from scheduler.ftc_sweep import sweep_ftc_deadlines
from tests.e2e.harness import Harness
from tests.e2e.incident_steps import card, open_incident, text_of, thread_lines


def sweep(harness: Harness, **advance: float) -> None:
    harness.clock.advance(**advance)
    sweep_ftc_deadlines(harness.db, harness.clock)
    harness.bot.dispatcher.kick()


def test_fc_inc_2_warnings_in_the_cards_thread_and_the_breach_on_the_card(harness: Harness) -> None:
    open_incident(harness, user="U0MEMB01", channel="C0ALERT1", text="Event pipeline down",
                  answers={"product:ACME-FC-01": "Operations Bridge", "impact": "1"})
    posted = card(harness, "C0INCID1", containing="1 h left on the FTC clock")

    def lines() -> list[str]:
        return thread_lines(harness, "C0INCID1", posted["ts"])

    sweep(harness, minutes=29)
    sweep(harness, minutes=1)  # 09:30: half the hour used (24x7: real time)
    [half] = harness.slack.wait_for(lines)
    assert "<@U0NASE01> First technical contact on *ACME-FC-01-0001* is due" in half and "30 min" in half
    sweep(harness, minutes=15)
    harness.slack.wait_for(lambda: len(lines()) == 2)
    assert "15 min of service time left" in lines()[1]
    sweep(harness, minutes=15)  # 10:00: the breach
    overdue = card(harness, "C0INCID1", containing="*Overdue* by")
    assert "Record first contact" in text_of(overdue)
    harness.slack.wait_for(lambda: len(lines()) == 3)
    breach = lines()[2]
    assert "<@U0NASE01>" in breach and "is overdue" in breach
    assert "<@U0TAM001>, as TAM you coordinate technical escalation (FC-INC-6)" in breach
    sweep(harness, minutes=30)
    sweep(harness, hours=2)  # 12:30: the first reminder (10:00 + 2 h)
    harness.slack.wait_for(lambda: len(lines()) == 4)
    assert "still not recorded: overdue by 2 h 30 min" in lines()[3]
    sweep(harness, seconds=0)  # the same instant again: nothing new
    harness.bot.dispatcher.deliver_pending()
    assert len(lines()) == 4
