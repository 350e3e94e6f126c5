"""The end-to-end harness: the real App in HTTP mode on a loopback port, a recording stand-in for
the Slack Web API, and helpers that send signed Slack payloads the way Slack does.

Every later capability tests through this: send what a person does, assert on what a person
would see (the recorded Web API calls and response_url posts).
"""

import itertools
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy.orm import Session, sessionmaker

from bot.http import wsgi_app
from bot.settings import Settings, load_settings
from bot.standin import payloads
from bot.standin.webapi import SlackStandin
from bot.wiring import Bot, build_bot
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0FLEXCARE"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "contracts.yml"


@dataclass
class FakeClock:
    """Aware UTC now that tests move by hand (`advance`)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops concurrent connects (a 1 s SYN retry)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: str


class Harness:
    def __init__(self, bot: Bot, slack: SlackStandin, url: str, clock: FakeClock) -> None:
        self.bot, self.slack, self.url, self.clock = bot, slack, url, clock
        self._ids = itertools.count(1)

    @property
    def db(self) -> sessionmaker[Session]:
        return self.bot.deps.db

    def post(self, body: str, *, content_type: str, timestamp: int | None = None, retry_num: int | None = None,
             secret: str = SIGNING_SECRET, path: str = "/slack/events") -> HttpAnswer:
        headers = payloads.signed_headers(body, secret, timestamp=timestamp, retry_num=retry_num,
                                          content_type=content_type)
        request = urllib.request.Request(self.url + path, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpAnswer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read().decode())

    def get(self, path: str) -> HttpAnswer:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return HttpAnswer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read().decode())

    def command(self, text: str, *, user: str, channel: str = "C0INCID1", **signing: Any) -> str:
        """Send `/flexcare TEXT` as `user` in `channel`; returns the response_url name to read replies from."""
        name = f"cmd{next(self._ids)}"
        body = payloads.slash_command(text, user_id=user, channel_id=channel, team_id=TEAM,
                                      trigger_id=f"trigger-{name}", response_url=self.slack.response_url(name))
        answer = self.post(body, content_type="application/x-www-form-urlencoded", **signing)
        assert answer.status == 200, f"/flexcare {text} was answered {answer.status}: {answer.body}"
        return name

    def reply(self, text: str, *, user: str, channel: str = "C0INCID1") -> dict[str, Any]:
        """Send a command and wait for its (first) reply through response_url."""
        name = self.command(text, user=user, channel=channel)
        replies = self.slack.wait_for(lambda: self.slack.responses(name), timeout=10)
        return dict(replies[0])

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None) -> HttpAnswer:
        body = payloads.event_callback(event, event_id=event_id, team_id=TEAM)
        return self.post(body, content_type="application/json", retry_num=retry_num)


def test_settings(slack: SlackStandin) -> Settings:
    return load_settings({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                          "SLACK_API_URL": slack.base_url, "DATABASE_URL": "sqlite://"})


def import_examples(db: sessionmaker[Session], now: datetime) -> None:
    specs = parse_contract_file(EXAMPLES.read_text(encoding="utf-8"), source=EXAMPLES.name)
    with db.begin() as session:
        contracts.import_contracts(session, specs, source=EXAMPLES.name, now=now)


@contextmanager
def running_bot(db: sessionmaker[Session], slack: SlackStandin, clock: FakeClock,
                settings: Settings | None = None) -> Iterator[Harness]:
    """The App as `flexcare serve` runs it (same WSGI app), on a loopback port, its dispatcher running."""
    import_examples(db, clock())
    bot = build_bot(settings or test_settings(slack), db, clock=clock, per_channel_interval=0)
    server = make_server("127.0.0.1", 0, wsgi_app(bot), server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="flexcare-http", daemon=True)
    thread.start()
    bot.dispatcher.start()
    try:
        yield Harness(bot, slack, f"http://127.0.0.1:{server.server_port}", clock)
    finally:
        bot.dispatcher.stop()
        server.shutdown()
        server.server_close()
