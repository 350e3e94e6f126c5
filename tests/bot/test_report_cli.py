"""`flexcare report CONTRACT-ID QUARTER [--json]` and `flexcare reviews ics CONTRACT-ID` on a real SQLite file
(issue 8): the figures on standard output for people outside Slack, the calendar as iCalendar."""

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.cli import main


@pytest.fixture
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, examples: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret",
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'flexcare.sqlite3'}"}.items():
        monkeypatch.setenv(name, value)
    assert main(["contracts", "import", str(examples)]) == 0


def test_report_prints_each_headline_beside_the_previous_quarter(imported: None,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", "ACME-FC-01", "2026-Q2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ACME-FC-01 (ACME Manufacturing): support report 2026-Q2, 2026-04-01 to 2026-06-30")
    assert "2026-Q2     2026-Q1" in out and "points, contract year 1: purchased 120" in out


def test_report_json_carries_the_figures(imported: None, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", "HUDSON-FC-03", "2026-Q3", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert (facts["contract"], facts["quarter"], facts["current"]["opened"]) == ("HUDSON-FC-03", "2026-Q3",
                                                                               [0, 0, 0, 0])
    assert facts["points"]["contract_year"] == 2 and facts["points"]["purchased"] == 600


def test_a_wrong_quarter_is_one_sentence_and_exit_1(imported: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "ACME-FC-01", "2026-Q9"]) == 1
    assert "2026-Q9 is not a quarter" in capsys.readouterr().err


def test_reviews_ics_writes_the_calendar_to_standard_output(imported: None,
                                                            capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    capfdbinary.readouterr()
    assert main(["reviews", "ics", "FORMOSA-FC-07"]) == 0
    calendar = Calendar.from_ical(capfdbinary.readouterr().out)
    assert len(list(calendar.walk("VEVENT"))) > 10
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Taipei"]
