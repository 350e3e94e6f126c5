"""`flexcare` on the command line: settings errors, contract import/list/show, as an operator sees them."""

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import main


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> str:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "FLEXCARE_CONTRACTS", "FLEXCARE_SERVICE_MENU"):
        monkeypatch.delenv(name, raising=False)
    return url


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DATABASE_URL", "mysql://x/y", "flexcare: DATABASE_URL: 'mysql' is not supported; use sqlite or postgresql"),
    ("DATABASE_URL", "not a url", "flexcare: DATABASE_URL: 'not a url' is not a database URL"),
    ("SLACK_BOT_TOKEN", "xapp-1", "flexcare: SLACK_BOT_TOKEN: expected a token starting with 'xoxb-'"),
    ("SLACK_API_URL", "ftp://x", "flexcare: SLACK_API_URL: 'ftp://x' is not an http(s) URL"),
    ("FLEXCARE_CONTRACTS", "/no/such/file.yml", "flexcare: FLEXCARE_CONTRACTS: no file at '/no/such/file.yml'"),
    ("FLEXCARE_LOG_LEVEL", "LOUD", "flexcare: FLEXCARE_LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR"),
])
def test_a_bad_setting_is_one_line_naming_the_variable_and_exit_2(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str,
        message: str) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["contracts", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_run_without_tokens_says_how_to_create_the_app(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 3
    err = capsys.readouterr().err
    assert "paste app_manifest.yml" in err and "SLACK_BOT_TOKEN" in err and "SLACK_APP_TOKEN" in err


def test_import_list_and_show(database: str, examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "import", str(examples)]) == 0
    assert capsys.readouterr().out == "contracts.yml: 3 created, 0 updated, 0 unchanged.\n"
    assert main(["contracts", "import", str(examples)]) == 0
    assert capsys.readouterr().out == "contracts.yml: 0 created, 0 updated, 3 unchanged.\n"
    assert main(["contracts", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "CUSTOMER", "BASE", "LOCATION", "TERM", "OPTIONS"]
    assert listing[1].split() == ["ACME-FC-01", "ACME", "Manufacturing", "standard", "GB-ENG", "Europe/London",
                                  "2026-01-01", "to", "2027-12-31", "AGSM,", "ESM,", "NASE,", "TAM"]
    assert main(["contracts", "show", "HUDSON-FC-03", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [y["points"] for y in shown["years"]] == [60, 60, 40.5]
    assert any(e["kind"] == "transferred" for e in shown["history"])


def test_a_refused_file_lists_every_problem_and_imports_nothing(
        database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("contracts:\n  - {id: X-1, customer: X, base_support: gold}\n")
    assert main(["contracts", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Refused bad.yml; nothing was imported:\n  bad.yml: X-1: base_support: must be")
    assert main(["contracts", "list"]) == 0
    assert "No contracts yet" in capsys.readouterr().out


def test_show_an_unknown_contract_is_a_sentence(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "show", "NOPE-1"]) == 1
    assert capsys.readouterr().err == ("flexcare: There is no contract 'NOPE-1'; `flexcare contracts list` shows "
                                       "the ids.\n")
