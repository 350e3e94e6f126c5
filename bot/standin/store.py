"""What the stand-in remembers: recorded calls, messages, views, people and files.

`Workspace` is plain state with no locking of its own; `SlackStandin` holds one lock around
every read and write, so the HTTP threads and the test thread see a consistent picture.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.standin import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

FIRST_TS_SECONDS = 1_700_000_000
TS_STEP_MICROS = 100  # "1700000000.000100", "1700000000.000200", ...: unique, increasing, deterministic


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered. `failed` is true when Slack would not have done it
    (HTTP error, injected fault or `ok: false`), so tests can count attempts against deliveries."""

    method: str
    args: dict[str, Any]
    at: float
    failed: bool = False
    status: int = 200
    error: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Upload:
    """A file shared through files.getUploadURLExternal, the upload URL and files.completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    content: bytes
    channel: str | None
    thread_ts: str | None = None
    initial_comment: str | None = None


class SlackError(Exception):
    """A Web API method's `ok: false` answer."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/London"
    locale: str = "en-US"
    is_bot: bool = False
    email: str | None = None


@dataclass
class Channel:
    id: str
    name: str
    members: list[str] = field(default_factory=list)
    is_private: bool = False


@dataclass
class PendingFile:
    file_id: str
    filename: str
    length: int
    content: bytes | None = None


@dataclass
class Workspace:
    team_id: str = TEAM_ID
    team_domain: str = TEAM_DOMAIN
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    root_url: str = ""  # "http://127.0.0.1:PORT/", set once the server is listening
    calls: list[Call] = field(default_factory=list)
    channel_messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    views_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    view_kinds: dict[str, str] = field(default_factory=dict)
    modal_order: list[str] = field(default_factory=list)  # most recently opened/pushed/updated last
    home_by_user: dict[str, str] = field(default_factory=dict)
    responses_by_name: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    pending_files: dict[str, PendingFile] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Mint message ts from this clock (Unix seconds), as Slack does from its own; None: the deterministic
    # 1700000000.000100, ... sequence. Tests that compare ts with their (fake) clock set it.
    ts_clock: Callable[[], float] | None = None
    _last_ts_micros: int = 0

    def clear(self) -> None:
        """Forget everything that happened; keep the directory (users and channels)."""
        fresh = Workspace(self.team_id, self.team_domain, self.bot_user_id, self.bot_id, self.root_url,
                          users=self.users, channels=self.channels, ts_clock=self.ts_clock)
        self.__dict__.update(fresh.__dict__)

    # -- identifiers ---------------------------------------------------------------------------
    def next_ts(self) -> str:
        if self.ts_clock is not None:
            self._last_ts_micros = max(int(self.ts_clock() * 1_000_000), self._last_ts_micros + TS_STEP_MICROS)
            return f"{self._last_ts_micros // 1_000_000}.{self._last_ts_micros % 1_000_000:06d}"
        micros = next(self._counter) * TS_STEP_MICROS
        return f"{FIRST_TS_SECONDS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08d}"

    # -- directory -------------------------------------------------------------------------------
    def user(self, user_id: str) -> User:
        """A registered user, or a plausible one for any user-shaped id (people need no setup)."""
        if user_id in self.users:
            return self.users[user_id]
        if user_id[:1] in ("U", "W") and user_id[1:].isalnum() and user_id.isupper():
            return User(id=user_id, name=user_id.lower(), real_name=user_id, is_bot=user_id == self.bot_user_id)
        raise SlackError("user_not_found")

    def channel(self, channel_id: str) -> Channel:
        if channel_id in self.channels:
            return self.channels[channel_id]
        if channel_id[:1] in ("C", "G", "D") and len(channel_id) > 1:
            return Channel(id=channel_id, name=channel_id.lower(), members=[self.bot_user_id],
                           is_private=channel_id[0] == "G")
        raise SlackError("channel_not_found")

    # -- messages ----------------------------------------------------------------------------------
    def find_message(self, channel: str, ts: str) -> dict[str, Any]:
        for message in self.channel_messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def messages(self, channel: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.channel_messages.get(channel, []))

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The root message (when known) and its replies, oldest first."""
        return [m for m in self.messages(channel) if m["ts"] == ts or m.get("thread_ts") == ts]

    def ephemerals(self, user: str | None) -> list[dict[str, Any]]:
        return copy.deepcopy([m for m in self.ephemeral if user is None or m["user"] == user])

    def responses(self, name: str | None) -> list[dict[str, Any]]:
        return copy.deepcopy([body for n, body in self.responses_by_name if name is None or n == name])

    # -- views -------------------------------------------------------------------------------------
    def views(self, kind: str | None) -> list[dict[str, Any]]:
        return copy.deepcopy([v for vid, v in self.views_by_id.items() if kind is None or self.view_kinds[vid] == kind])

    def home(self, user: str) -> dict[str, Any] | None:
        view_id = self.home_by_user.get(user)
        return copy.deepcopy(self.views_by_id[view_id]) if view_id else None

    def last_modal(self) -> dict[str, Any] | None:
        return copy.deepcopy(self.views_by_id[self.modal_order[-1]]) if self.modal_order else None
