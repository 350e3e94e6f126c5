"""The review calendar end to end (issue 7 item 4, FC-REV, FC-DEC-5): `/flexcare reviews`, reminders written
by the sweep and delivered through the outbox exactly once, their Confirm / Reschedule / Mark held buttons with
the vendor-staff check, the reschedule modal's FC-DEC-5 warning, and the App Home section."""

import json
from typing import Any

from sqlalchemy import select

from bot.standin import payloads
from domain.reviews.records import Review
from handlers.blocks import reviews as ids
from scheduler.review_sweeps import sweep_reviews
from tests.e2e.harness import TEAM, Harness
from tests.e2e.incident_steps import FORM, modal, press, refusal, submit, text_of

REVIEWS = "C0REVIEW1"  # ACME-FC-01's reviews channel (examples/contracts.yml)
QTR = "ACME-FC-01:technical_review:TAM:operations-bridge:y1q4"  # Tue 08 Dec 2026, onsite
REMOTE = "ACME-FC-01:remote_review:TAM:operations-bridge:013"  # Tue 08 Dec 2026, December's only TAM one
TAM, MEMBER = "U0TAM001", "U0MEMB01"


def reminders_posted(harness: Harness) -> dict[str, int]:
    """How often each review reminder reached Slack, by the key the dispatcher sends as message metadata."""
    counts: dict[str, int] = {}
    for call in harness.slack.calls_to("chat.postMessage"):
        metadata = call.args.get("metadata")
        key = str((json.loads(metadata) if isinstance(metadata, str) else metadata or {})
                  .get("event_payload", {}).get("key", ""))
        if key.startswith("review:") and key.rsplit(":", 2)[-2] in ("three_weeks", "one_week", "day_before"):
            counts[key] = counts.get(key, 0) + 1
    return counts


def swept(harness: Harness) -> list[dict[str, Any]]:
    """Run the sweep twice (a second replica, or the next tick), deliver, and return ACME's reminders."""
    written = sweep_reviews(harness.db, harness.clock)
    assert written > 0 and sweep_reviews(harness.db, harness.clock) == 0
    harness.bot.dispatcher.kick()
    harness.slack.wait_for(lambda: sum(reminders_posted(harness).values()) >= written, timeout=15)
    harness.bot.dispatcher.deliver_pending()  # one more pass finds nothing left to post
    return [m for m in harness.slack.messages(REVIEWS) if ids.REMINDER_ACTIONS in json.dumps(m.get("blocks"))]


def reminder(harness: Harness, containing: str) -> dict[str, Any]:
    return next(m for m in harness.slack.messages(REVIEWS) if containing in text_of(m)
                and ids.REMINDER_ACTIONS in json.dumps(m.get("blocks")))


def review_id(harness: Harness, key: str) -> int:
    with harness.db() as session:
        return session.scalars(select(Review.id).where(Review.key == key)).one()


def test_fc_rev_the_command_lists_the_next_reviews_and_this_years_use(harness: Harness) -> None:
    reply = harness.reply("reviews", user=TAM, channel=REVIEWS)
    text = text_of(reply)
    assert reply["text"] == "Reviews of ACME-FC-01: 8 coming"
    assert "Tue 01 Dec 2026 · *Quarterly support statistics and KPI analysis* (remote) · <@U0AGSM01> · scheduled" \
        in text
    assert "Tue 08 Dec 2026 · *Quarterly technical review* (onsite, Operations Bridge) · <@U0TAM001>" in text
    assert "Contract year 1 (2026-01-01 to 2026-12-31), held so far" in text
    assert "technical reviews: 0 of 2 onsite, 0 of 2 remote held" in text
    assert "remote reviews: 0 of 26 held" in text
    assert ids.MENU in text  # vendor staff get the menu beside each review
    assert ids.MENU not in text_of(harness.reply("reviews", user=MEMBER, channel=REVIEWS))


def test_fc_rev_a_reminder_is_delivered_once_though_the_sweep_runs_twice(harness: Harness) -> None:
    posted = swept(harness)
    assert len(posted) == 5  # ACME at 09:00 London on Mon 30 Nov (domain tests count every stage)
    counts = reminders_posted(harness)
    assert len(counts) == 13 and set(counts.values()) == {1}  # every contract's, each exactly once
    day_before = reminder(harness, "Next business day")
    assert "Next business day: *Quarterly support statistics and KPI analysis* (remote) on Tue 01 Dec 2026, in 1 " \
           "day. <@U0AGSM01> owns it" in day_before["text"]
    notice = reminder(harness, "Three weeks' notice: *Quarterly technical review*")
    assert [e["action_id"] for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        ids.CONFIRM, ids.RESCHEDULE, ids.HELD]


def test_fc_rev_confirm_is_for_vendor_staff_and_announced_in_the_channel(harness: Harness) -> None:
    swept(harness)
    notice = reminder(harness, "*Quarterly technical review*")
    said = refusal(harness, press(harness, ids.CONFIRM, notice, user=MEMBER, channel=REVIEWS))
    assert said == ("Only vendor staff on contract ACME-FC-01 confirm, reschedule or mark reviews held. Ask "
                    "<@U0AGSM01>, <@U0ESM001>, <@U0NASE01>, <@U0TAM001>.")
    name = press(harness, ids.CONFIRM, notice, user=TAM, channel=REVIEWS)
    assert refusal(harness, name).startswith("Confirmed: Tue 08 Dec 2026 · *Quarterly technical review*")
    announced = harness.slack.wait_for(lambda: [m for m in harness.slack.messages(REVIEWS)
                                                if m["text"].startswith("<@U0TAM001> confirmed")])
    assert announced[0]["text"] == ("<@U0TAM001> confirmed *Quarterly technical review* (onsite, Operations Bridge) "
                                    "on Tue 08 Dec 2026.")


def test_fc_dec_5_a_reschedule_that_breaks_it_says_which_rule(harness: Harness) -> None:
    swept(harness)
    notice = reminder(harness, "Three weeks' notice: *Remote review* (remote, Operations Bridge)")
    press(harness, ids.RESCHEDULE, notice, user=TAM, channel=REVIEWS)
    view = modal(harness, ids.RESCHEDULE_MODAL)
    assert submit(harness, view, {ids.DATE_BLOCK: "2026-12-12"}, user=TAM) == {
        "response_action": "errors",
        "errors": {ids.DATE_BLOCK: "2026-12-12 is not a business day in GB; the next one is 2026-12-14."}}
    answer = submit(harness, view, {ids.DATE_BLOCK: "2027-01-08"}, user=TAM)
    assert answer["response_action"] == "update"
    shown = text_of(answer["view"])
    assert "December 2026 now has no remote review; FC-DEC-5 asks for at least one in every calendar month" in shown
    assert "Remote reviews on 2027-01-08 and 2027-01-05 are less than 7 days apart" in shown
    announced = harness.slack.wait_for(lambda: [m for m in harness.slack.messages(REVIEWS)
                                                if m["text"].startswith("<@U0TAM001> moved")])
    assert "from Tue 08 Dec 2026 to Fri 08 Jan 2027" in announced[0]["text"]
    assert "December 2026 now has no remote review" in text_of(announced[0])


def test_fc_rev_mark_held_waits_for_the_day_and_counts_against_the_year(harness: Harness) -> None:
    swept(harness)
    said = refusal(harness, press(harness, ids.HELD, reminder(harness, "*Quarterly technical review*"), user=TAM,
                                  channel=REVIEWS))
    assert said.startswith("This review is on 2026-12-08, so it cannot have been held yet.")
    listing = harness.reply("reviews", user=TAM, channel=REVIEWS)
    assert "Took place? Not yet marked held" in text_of(listing)
    name = "held-menu"
    held = review_id(harness, "ACME-FC-01:remote_review:TAM:operations-bridge:012")  # Tue 10 Nov 2026
    body = payloads.block_action(ids.MENU, f"held:{held}", user_id=TAM, channel_id=REVIEWS, message=listing,
                                 team_id=TEAM, response_url=harness.slack.response_url(name))
    assert harness.post(body, content_type=FORM).status == 200
    assert refusal(harness, name).startswith("Marked held: Tue 10 Nov 2026 · *Remote review*")
    assert "remote reviews: 1 of 26 held" in text_of(harness.reply("reviews", user=TAM, channel=REVIEWS))


def test_fc_rev_app_home_shows_the_upcoming_reviews(harness: Harness) -> None:
    assert harness.event({"type": "app_home_opened", "user": TAM, "tab": "home"}).status == 200
    home = harness.slack.wait_for(lambda: harness.slack.home(TAM))
    text = json.dumps(home["blocks"])
    assert "Upcoming reviews" in text
    assert "Tue 01 Dec 2026 \\u00b7 *Quarterly support statistics and KPI analysis*" in text
