"""The quarterly report end to end (issue 8, FC-REV): `/flexcare report` through signed requests into the real app,
the summary blocks answered in the channel, the chart and the CSV uploaded with files_upload_v2, and
`/flexcare reviews ics`. The clock: Mon 2026-11-30 09:00 UTC, so the last full quarter is 2026-Q3."""

import csv
import io
import json
import struct
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar

from domain.incidents import service as incidents
from domain.incidents.rules import EscalationKind
from domain.reports.csv import COLUMNS
from tests.e2e.harness import Harness

MEMBER, TAM = "U0MEMB01", "U0TAM001"
OBR = "Operations Bridge"


def seed(harness: Harness) -> list[str]:
    """Three ACME incidents in 2026-Q3 (London) and one in Q2; the Q3 impact-1 one escalated and contacted."""
    opened = [(datetime(2026, 6, 10, 9, tzinfo=UTC), 2), (datetime(2026, 7, 14, 9, tzinfo=UTC), 1),
              (datetime(2026, 8, 4, 13, tzinfo=UTC), 2), (datetime(2026, 9, 22, 10, tzinfo=UTC), 3)]
    keys = []
    for number, (at, impact) in enumerate(opened, start=1):
        new = incidents.NewIncident(contract_id="ACME-FC-01", summary=f"Outage {number}", description="Down.",
                                    impact=impact, product=OBR, vendor="Oracle" if number == 3 else None)
        with harness.db.begin() as session:
            keys.append(incidents.open_incident(session, new=new, opened_by=MEMBER, idempotency_key=f"seed{number}",
                                                now=at).key)
    with harness.db.begin() as session:
        incidents.record_first_contact(session, key=keys[1], actor=TAM, now=datetime(2026, 7, 14, 9, 30, tzinfo=UTC))
    with harness.db.begin() as session:
        incidents.escalate(session, key=keys[1], actor=TAM, kind=EscalationKind.TECHNICAL, reason="Spreading.",
                           now=datetime(2026, 7, 14, 10, tzinfo=UTC))
    return keys


def everything(message: dict[str, Any]) -> str:
    return str(message.get("text", "")) + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def test_fc_rev_report_answers_in_the_channel_and_uploads_the_chart_beside_it(harness: Harness) -> None:
    seed(harness)
    reply = harness.reply("report", user=MEMBER, channel="C0INCID1")
    assert reply["response_type"] == "in_channel"
    assert reply["blocks"][0]["text"]["text"] == "Support report 2026-Q3: ACME-FC-01"
    text = everything(reply)
    assert "*Incidents opened*\\n3  ↑ from 1 in 2026-Q2\\nBy impact: 1: 1 · 2: 1 · 3: 1 · 4: 0" in text
    assert "*Technical escalations (FC-INC-6)*\\n1  ↑ from 0 in 2026-Q2" in text
    assert "*Third-party software involved (FC-INC-7)*\\n1  ↑ from 0 in 2026-Q2" in text
    assert "Impact 1: 1 met, 0 missed" in text and "1. Operations Bridge: 3 incidents" in text
    assert "*Points, contract year 1* (2026-01-01 to 2026-12-31)" in text
    assert "Reviews held against entitlement, contract year 1" in text
    upload = harness.slack.wait_for(lambda: harness.slack.uploads, timeout=30)[0]
    assert (upload.filename, upload.channel) == ("ACME-FC-01-2026-Q3-report.png", "C0INCID1")
    assert upload.title.startswith("ACME-FC-01 (ACME Manufacturing): incidents and first technical contact, 2026-Q3")
    assert png_size(upload.content) == (1200, 675)


def test_fc_rev_report_csv_uploads_the_quarters_incidents_instead(harness: Harness) -> None:
    keys = seed(harness)
    harness.command("report 2026-Q3 csv", user=MEMBER, channel="C0INCID1")
    upload = harness.slack.wait_for(lambda: harness.slack.uploads)[0]
    assert (upload.filename, upload.channel) == ("ACME-FC-01-2026-Q3-incidents.csv", "C0INCID1")
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    assert [r["id"] for r in rows] == keys[1:]
    first = rows[0]
    assert (first["impact"], first["met"], first["escalations"], first["resolved"]) == ("1", "yes", "1", "")
    assert first["ftc_at"] == "2026-07-14T09:30:00+00:00"
    assert [u.filename for u in harness.slack.uploads] == ["ACME-FC-01-2026-Q3-incidents.csv"]  # no chart


def test_fc_rev_reviews_ics_uploads_the_review_calendar(harness: Harness) -> None:
    harness.command("reviews ics", user=MEMBER, channel="C0INCID1")
    upload = harness.slack.wait_for(lambda: harness.slack.uploads)[0]
    assert upload.filename == "ACME-FC-01-reviews.ics"
    calendar = Calendar.from_ical(upload.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) > 10 and len({str(e["UID"]) for e in events}) == len(events)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_a_quarter_that_is_not_one_is_answered_with_a_sentence(harness: Harness) -> None:
    reply = harness.reply("report 2027-Q2", user=MEMBER, channel="C0INCID1")
    assert reply["text"] == "2027-Q2 has not started yet. Choose `this` or an earlier quarter."
    assert harness.slack.uploads == []


def test_someone_on_another_contract_gets_no_report(harness: Harness) -> None:
    reply = harness.reply("report ACME-FC-01", user="U0MEMB03", channel="D0DIRECT")
    assert reply["response_type"] == "ephemeral" and "ACME-FC-01" in reply["text"]
    assert harness.slack.uploads == []


def test_when_the_chart_cannot_be_uploaded_the_person_is_told_why_after_the_figures(harness: Harness) -> None:
    harness.slack.fail("files.getUploadURLExternal", error="not_in_channel", times=1)
    name = harness.command("report", user=MEMBER, channel="C0INCID1")
    replies = harness.slack.wait_for(lambda: (lambda r: r if len(r) >= 2 else [])(harness.slack.responses(name)),
                                     timeout=30)
    assert replies[0]["response_type"] == "in_channel"
    assert replies[1]["text"] == ("The chart could not be uploaded here (Slack said not_in_channel). Invite the "
                                  "FlexCare app to this conversation, or run the command in the contract's channel.")
    assert harness.slack.uploads == []
