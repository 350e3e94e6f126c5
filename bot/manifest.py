"""The app manifest as data: the scopes to ask for at install, and what each Web API method needs."""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "app_manifest.yml"

# The bot scopes each Web API method the code calls needs (from Slack's method reference).
# tests/bot/test_manifest.py finds every `client.<method>(` call in the code and fails on a
# method missing here or a scope missing from the manifest.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),
    "views.open": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
    "files.upload_v2": frozenset({"files:write"}),  # slack_sdk's name for getUploadURLExternal + completeUploadExternal
    # Looking for a message posted right before a crash (scheduler/recovery.py): one scope per kind of channel.
    "conversations.history": frozenset({"channels:history", "groups:history", "mpim:history", "im:history"}),
    "conversations.replies": frozenset({"channels:history", "groups:history", "mpim:history", "im:history"}),
    # `flexcare doctor`: is the bot a member of each linked channel (public or private)?
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    "users.info": frozenset({"users:read"}),  # a person's Slack locale (handlers/language.py)
}


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    with MANIFEST.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.safe_load(file)
    return loaded


def bot_scopes() -> list[str]:
    return list(manifest()["oauth_config"]["scopes"]["bot"])
