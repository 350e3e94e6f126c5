"""The service menu's path (FC-PTS-3): FLEXCARE_SERVICE_MENU is read once at start into `Deps.menu`; a bad
menu stops start-up with one sentence naming the item and the field (exit 2), before anything serves."""

from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.settings import load_settings
from bot.wiring import build_bot
from domain.points.menu import MenuError
from handlers import points as listeners
from tests.domain.points_setup import ADMIN, import_acme

HEALTH_CHECK = """
extra_day_points: 9
items:
  - code: health-check
    name: Platform health check
    unit: request
    prices:
      - {delivery: remote, hours: standard, points: 4}
"""
BAD_UNIT = HEALTH_CHECK.replace("unit: request", "unit: week")


def settings_with_menu(path: Path) -> Any:
    return load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                          "SLACK_API_URL": "http://127.0.0.1:9/api/", "FLEXCARE_SERVICE_MENU": str(path)})


def test_fc_pts_3_the_configured_menu_reaches_the_request_modal(tmp_path: Path, db: sessionmaker[Session]) -> None:
    menu_file = tmp_path / "menu.yml"
    menu_file.write_text(HEALTH_CHECK, encoding="utf-8")
    bot = build_bot(settings_with_menu(menu_file), db)
    assert bot.deps.menu is not None
    assert [i.code for i in bot.deps.menu.items] == ["health-check"] and not bot.deps.menu.example_prices
    import_acme(db)
    client = Mock(WebClient)
    body = {"user": {"id": ADMIN}, "team": {"id": None}, "trigger_id": "t1", "channel": {"id": "C0INCID1"},
            "actions": [{"value": "ACME-FC-01"}], "response_url": "https://hooks.example/1"}
    listeners.open_request(body=body, client=client, respond=Mock(Respond), deps=bot.deps)
    shown = str(client.views_open.call_args.kwargs["view"].to_dict())
    assert "Platform health check" in shown and "Technical service day" not in shown
    assert "The prices on this menu are examples" not in shown


def test_fc_pts_3_a_bad_menu_stops_build_bot_naming_the_item_and_field(tmp_path: Path,
                                                                         db: sessionmaker[Session]) -> None:
    menu_file = tmp_path / "menu.yml"
    menu_file.write_text(BAD_UNIT, encoding="utf-8")
    with pytest.raises(MenuError) as caught:
        build_bot(settings_with_menu(menu_file), db)
    assert caught.value.errors == ["menu.yml: health-check: unit: 'week' is not a unit; use request or day"]


def test_fc_pts_3_a_bad_menu_stops_serve_with_one_sentence_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad-menu.yml").write_text(BAD_UNIT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLEXCARE_SERVICE_MENU", str(tmp_path / "bad-menu.yml"))
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "flexcare: FLEXCARE_SERVICE_MENU cannot be used: bad-menu.yml: health-check: unit: 'week' is not a unit; "
        "use request or day."]
    assert not (tmp_path / "flexcare.db").exists()  # stopped before opening anything


def test_an_operator_reconciles_the_points_totals_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import update

    from bot.db import make_engine, make_session_factory
    from bot.migrate import upgrade
    from domain.points.records import PointsYearTotal

    url = f"sqlite:///{tmp_path / 'flexcare.db'}"
    engine = make_engine(url)
    upgrade(engine)
    db = make_session_factory(engine)
    import_acme(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("FLEXCARE_SERVICE_MENU", raising=False)
    assert main(["points", "reconcile"]) == 0
    assert "equal the sum of its ledger entries" in capsys.readouterr().out
    with db.begin() as session:
        session.execute(update(PointsYearTotal).where(PointsYearTotal.contract_year == 2).values(purchased=1))
    assert main(["points", "reconcile"]) == 1
    assert capsys.readouterr().out.splitlines() == ["ACME-FC-01 year 2: purchased 1 (entries say 1000)",
                                                    "1 contract year(s) differ."]
    assert main(["points", "reconcile", "--repair"]) == 0
    assert main(["points", "reconcile"]) == 0
    engine.dispose()
