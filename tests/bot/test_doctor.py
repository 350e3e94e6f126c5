"""`flexcare doctor` against the Slack stand-in: one line per check, `FIX` saying what to do, exit 1 (issue 11)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.db import make_engine
from bot.manifest import bot_scopes
from bot.migrate import alembic_config
from bot.standin.webapi import SlackStandin
from tests.e2e.harness import FakeClock, import_examples

LINKED = ["C0ALERT1", "C0ALERT2", "C0ALERT3", "C0INCID1", "C0INCID2", "C0INCID3", "C0REVIEW1", "C0REVIEW2"]


@pytest.fixture
def slack() -> Iterator[SlackStandin]:
    with SlackStandin(scopes=bot_scopes()) as standin:
        yield standin


@pytest.fixture
def environment(engine: Engine, db: sessionmaker[Session], slack: SlackStandin,
                monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples' three contracts and their eight channels; a bot token, HTTP mode."""
    import_examples(db, FakeClock()())
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "FLEXCARE_CONTRACTS",
                 "FLEXCARE_SERVICE_MENU", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_API_URL", slack.base_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "doctor-signing-secret")


def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str]]:
    """The exit code and each check's line, by what it checked."""
    code = main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    checked = {line[5:].split(": ", 1)[0]: line for line in lines}
    assert len(checked) == len(lines), lines
    return code, checked


def test_a_ready_install_is_all_ok(environment: None, slack: SlackStandin, capsys: pytest.CaptureFixture[str]) -> None:
    code, checked = doctor(capsys)
    assert code == 0
    assert list(checked) == ["mode", "database", "token", "scopes"] + [f"channel {c}" for c in LINKED]
    assert all(line.startswith("ok   ") for line in checked.values()), checked
    assert checked["token"] == "ok   token: works: bot @flexcare in workspace FlexCare stand-in (T0FLEXCARE)"
    assert checked["scopes"] == f"ok   scopes: all {len(bot_scopes())} from app_manifest.yml granted"
    assert checked["channel C0INCID1"] == "ok   channel C0INCID1: @FlexCare is in #c0incid1 (ACME-FC-01 incidents)"
    assert sorted(c.args["channel"] for c in slack.calls_to("conversations.info")) == LINKED


def test_a_missing_scope_says_to_update_the_manifest_and_reinstall(
        environment: None, capsys: pytest.CaptureFixture[str]) -> None:
    granted = [s for s in bot_scopes() if s != "groups:read"]
    with SlackStandin(scopes=[*granted, "users:read"]) as narrow, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLACK_API_URL", narrow.base_url)
        code, checked = doctor(capsys)
    assert code == 1
    assert checked["scopes"] == (
        "FIX  scopes: the token lacks groups:read: update the app's manifest from app_manifest.yml "
        "(api.slack.com/apps -> App Manifest), then reinstall it (OAuth & Permissions -> Reinstall to Workspace)")
    assert [what for what, line in checked.items() if line.startswith("FIX")] == ["scopes"]


def test_a_channel_without_the_bot_says_whom_to_invite_where(
        environment: None, slack: SlackStandin, capsys: pytest.CaptureFixture[str]) -> None:
    slack.add_channel("C0INCID1", name="acme-incidents", members=["U0MEMB01"])
    slack.add_channel("C0REVIEW2", name="hudson-private", is_private=True, members=["U0MEMB01"])
    slack.fail("conversations.info", error="channel_not_found")  # how Slack answers about a private channel

    code, checked = doctor(capsys)
    assert code == 1
    assert checked["channel C0ALERT1"].startswith("FIX  channel C0ALERT1: Slack finds no such channel for the bot "
                                                  "(ACME-FC-01 alerts): if it is private, invite @FlexCare to it")
    assert checked["channel C0INCID1"] == (
        "FIX  channel C0INCID1: @FlexCare is not in #acme-incidents (ACME-FC-01 incidents): invite @FlexCare to "
        "#acme-incidents (type `/invite @FlexCare` in #acme-incidents)")
    assert checked["channel C0REVIEW2"].startswith("FIX  channel C0REVIEW2: @FlexCare is not in #hudson-private")
    assert [w for w, line in checked.items() if line.startswith("FIX")] == [
        "channel C0ALERT1", "channel C0INCID1", "channel C0REVIEW2"]


def test_a_refused_token_stops_the_slack_checks(environment: None, slack: SlackStandin,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    slack.fail("auth.test", error="invalid_auth")
    code, checked = doctor(capsys)
    assert code == 1
    assert checked["token"].startswith("FIX  token: Slack refused the bot token (invalid_auth): copy the Bot User "
                                       "OAuth Token (xoxb-...) again")
    assert list(checked) == ["mode", "database", "token"]


def test_no_token_and_no_way_in_are_each_a_fix(environment: None, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    code, checked = doctor(capsys)
    assert code == 1
    assert checked["mode"].startswith("FIX  mode: Slack cannot reach the bot: set SLACK_APP_TOKEN")
    assert checked["token"].startswith("FIX  token: SLACK_BOT_TOKEN is not set")
    assert checked["database"].startswith("ok ")


def test_a_database_behind_the_code_says_to_upgrade_and_leaves_the_channels(
        environment: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    behind = tmp_path / "behind.sqlite3"
    engine = make_engine(f"sqlite:///{behind}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{behind}")
    code, checked = doctor(capsys)
    assert code == 1
    pending = len(list(ScriptDirectory.from_config(config).iterate_revisions("heads", "0006")))
    assert pending >= 2  # 0007 and 0008 at least
    assert checked["database"].endswith(f"{pending} migration(s) not applied: run `flexcare db upgrade` (every start "
                                        "applies them too)")
    assert checked["channels"] == "FIX  channels: not checked: fix the database first (see above)"

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    code, checked = doctor(capsys)
    assert checked["database"].startswith(f"FIX  database: no database file at {tmp_path / 'none.sqlite3'}: run "
                                          "`flexcare db upgrade`")
    assert not (tmp_path / "none.sqlite3").exists()
