"""app_manifest.yml creates the whole app: valid for Slack, and in step with what the code registers and calls."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.manifest import MANIFEST, METHOD_SCOPES
from bot.settings import load_settings
from handlers.deps import Deps

ROOT = Path(__file__).resolve().parents[2]
# Slack's published schema (slackapi/manifest-schema, MIT), kept beside this test.
SCHEMA = Path(__file__).with_name("slack-manifest.schema.v1.json")


def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8")))


def test_the_manifest_validates_against_slacks_schema() -> None:
    errors = sorted(Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(manifest()), key=str)
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def registered(monkeypatch: pytest.MonkeyPatch, db: sessionmaker[Session]) -> dict[str, set[str]]:
    """Everything the App factory registers, recorded by wrapping Bolt's registration methods."""
    seen: dict[str, set[str]] = {"command": set(), "shortcut": set(), "event": set(), "view": set(),
                                 "action": set()}

    def recording(kind: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def register(self: App, constraint: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(constraint, dict):
                constraint = constraint.get("callback_id") or constraint.get("type")
            seen[kind].add(str(constraint))
            return original(self, constraint, *args, **kwargs)
        return register

    for kind, method in (("command", "command"), ("shortcut", "shortcut"), ("shortcut", "message_shortcut"),
                         ("event", "event"), ("view", "view"), ("view", "view_submission"), ("action", "action")):
        monkeypatch.setattr(App, method, recording(kind, getattr(App, method)))
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"})
    create_app(settings, Deps(db=db, clock=lambda: None, kick_outbox=lambda: None),  # type: ignore[arg-type,return-value]
               client=WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"))
    return seen


def test_every_command_shortcut_and_event_the_code_registers_is_declared(monkeypatch: pytest.MonkeyPatch,
                                                                         db: sessionmaker[Session]) -> None:
    seen = registered(monkeypatch, db)
    declared = manifest()
    assert seen["command"] <= {c["command"] for c in declared["features"]["slash_commands"]}
    assert seen["shortcut"] <= {s["callback_id"] for s in declared["features"].get("shortcuts", [])}
    assert seen["event"] <= set(declared["settings"]["event_subscriptions"]["bot_events"])
    assert seen["command"] == {"/flexcare"}
    if seen["event"] or seen["shortcut"] or seen["view"] or seen["action"]:
        assert declared["settings"]["interactivity"]["is_enabled"] or not (seen["shortcut"] or seen["view"])


def web_api_methods_called() -> set[str]:
    """Every `.<family>_<method>(` call (e.g. `client.chat_postMessage(`) in the shipped code, as a Slack method."""
    found: set[str] = set()
    for package in ("bot", "handlers", "domain", "scheduler"):
        for path in (ROOT / package).rglob("*.py"):
            if "standin" in path.parts:
                continue  # the stand-in answers calls; it makes none
            text = path.read_text(encoding="utf-8")
            for name in re.findall(r"\.((?:auth|chat|conversations|files|oauth|reactions|users|views)_[A-Za-z0-9_]+)\(",
                                   text):
                family, _, method = name.partition("_")
                found.add(f"{family}.{method.replace('_', '.') if family == 'admin' else method}")
    return found


def test_every_scope_the_code_needs_is_granted_and_no_more() -> None:
    methods = web_api_methods_called()
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"add these Web API methods to bot.manifest.METHOD_SCOPES: {sorted(unknown)}"
    needed = set().union(*(METHOD_SCOPES[m] for m in methods)) | {"commands"}
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert needed == granted
