"""`flexcare console`: try the bot with no Slack workspace.

The same App, database and dispatcher as `flexcare run`, but Slack is a local stand-in: you
type what a person would do, requests are signed and dispatched as Slack would send them, and
everything the bot says back (replies, channel posts, modals, the home tab) is printed as text.
"""

import json
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from slack_bolt import BoltRequest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.standin import payloads
from bot.standin.render import render_message, render_view
from bot.standin.webapi import Call, SlackStandin
from bot.wiring import Bot, build_bot
from domain.contracts.records import Contract, ContractChannel, ContractPerson

SECRET = "console-signing-secret"
TEAM = "T0FLEXCARE"
HELP = """\
Type what a person would do in Slack:
  /flexcare help                 any /flexcare command, as the current user in the current channel
  shortcut "message text"        escalate a message with the "Escalate to FlexCare" shortcut
  submit FIELD=VALUE ...         submit the open modal (FIELD is a block id; see the modal's labels)
  home                           open the App Home tab
  as USER_ID                     act as another person (e.g. as U0NASE01)
  in CHANNEL_ID                  act in another channel (e.g. in C0INCID2; D0DIRECT for a DM)
  who                            list the people and channels of the loaded contracts
  quit                           leave (or Ctrl-D)"""


class Console:
    def __init__(self, bot: Bot, slack: SlackStandin, *, user: str, channel: str, out: TextIO) -> None:
        self.bot, self.slack, self.user, self.channel, self.out = bot, slack, user, channel, out
        self.seen = 0
        self.counter = 0
        self.names: dict[str, str] = {}

    def handle(self, line: str) -> bool:
        """Act on one typed line; False means leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit"):
            return False
        words = _split(line)
        actions: dict[str, Callable[[list[str]], None]] = {
            "help": lambda _w: self.say(HELP), "as": self._as, "in": self._in, "who": lambda _w: self._who(),
            "home": lambda _w: self._home(), "shortcut": self._shortcut, "submit": self._submit,
        }
        if line.startswith("/"):
            self._command(line)
        elif words[0] in actions:
            actions[words[0]](words[1:])
        else:
            self.say(f"Not understood: {line!r}. Type `help`.")
        self.show_new()
        return True

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _send(self, body: str, content_type: str) -> None:
        headers = payloads.signed_headers(body, SECRET, content_type=content_type)
        response = self.bot.app.dispatch(BoltRequest(body=body, headers={k: [v] for k, v in headers.items()}))
        if response.status != 200:
            self.say(f"(Slack would show an error: HTTP {response.status} {response.body})")
        elif response.body:
            self._print_ack(response.body)

    def _print_ack(self, body: str) -> None:
        try:
            answer = json.loads(body)
        except ValueError:
            self.say(body)
            return
        if answer.get("response_action") == "errors":
            for block, error in answer.get("errors", {}).items():
                self.say(f"  ! {block}: {error}")
        elif answer.get("text") or answer.get("blocks"):
            self.say(render_message(answer, users=self.names))

    def _next(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _command(self, line: str) -> None:
        command, _, text = line.partition(" ")
        body = payloads.slash_command(text, command=command, user_id=self.user, channel_id=self.channel,
                                      team_id=TEAM, trigger_id=self._next("trigger"),
                                      response_url=self.slack.response_url(self._next("reply")))
        self._send(body, "application/x-www-form-urlencoded")

    def _shortcut(self, words: list[str]) -> None:
        if not words:
            self.say('Give the message text: shortcut "the server is down"')
            return
        body = payloads.message_shortcut("flexcare_escalate", user_id=self.user, channel_id=self.channel,
                                         message_text=" ".join(words), message_ts=f"{time.time():.6f}",
                                         message_user=self.user, team_id=TEAM,
                                         trigger_id=self._next("trigger"),
                                         response_url=self.slack.response_url(self._next("reply")))
        self._send(body, "application/x-www-form-urlencoded")

    def _submit(self, words: list[str]) -> None:
        view = self.slack.last_modal()
        if view is None:
            self.say("No modal is open.")
            return
        answers = dict(w.split("=", 1) for w in words if "=" in w)
        try:
            values = payloads.fill(view, answers)
        except (KeyError, ValueError) as exc:
            self.say(f"Cannot fill the modal: {exc}")
            return
        self._send(payloads.view_submission(view, values, user_id=self.user, team_id=TEAM),
                   "application/x-www-form-urlencoded")

    def _home(self) -> None:
        self._send(payloads.app_home_opened(self.user, team_id=TEAM), "application/json")

    def _as(self, words: list[str]) -> None:
        if words:
            self.user = words[0]
        self.say(f"You are now {self.names.get(self.user, self.user)} ({self.user}).")

    def _in(self, words: list[str]) -> None:
        if words:
            self.channel = words[0]
        self.say(f"You are now in {self.channel}.")

    def _who(self) -> None:
        with self.bot.deps.db() as session:
            for contract in session.scalars(select(Contract).order_by(Contract.id)):
                self.say(f"{contract.id} ({contract.customer})")
                for option in contract.options:
                    self.say(f"  {option.person}  {option.type} {option.scope}")
                for person in contract.people:
                    self.say(f"  {person.slack_user}  {person.role.replace('_', ' ')}")
                self.say("  channels: " + ", ".join(f"{c.channel_id} ({c.purpose})" for c in contract.channels))

    def show_new(self, quiet: float = 0.4, limit: float = 8.0) -> None:
        """Wait until the bot has been quiet for a moment (lazy listeners, the dispatcher), then print."""
        deadline, last_count, last_change = time.monotonic() + limit, -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.slack.calls)
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                break
            time.sleep(0.05)
        calls = self.slack.calls[self.seen:]
        self.seen += len(calls)
        for call in calls:
            self._print_call(call)

    def _print_call(self, call: Call) -> None:
        shown = _describe(call, self.names)
        if shown:
            self.say(shown)


def _describe(call: Call, names: dict[str, str]) -> str | None:
    args: dict[str, Any] = call.args
    if call.method == "respond":
        return "[only you] " + render_message(args, users=names)
    if call.method == "chat.postEphemeral":
        return f"[only {args.get('user')} in {args.get('channel')}] " + render_message(args, users=names)
    if call.method in ("chat.postMessage", "chat.update"):
        where = args.get("channel", "?") + (" (thread)" if args.get("thread_ts") else "")
        verb = "updated" if call.method == "chat.update" else "posted"
        return f"[{verb} in {where}] " + render_message(args, users=names)
    if call.method in ("views.open", "views.push", "views.update"):
        return "[modal]\n" + render_view(args.get("view", {}))
    if call.method == "views.publish":
        return "[home tab]\n" + render_view(args.get("view", {}))
    return None


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def run_console(settings: Settings, db: sessionmaker[Session], *, user: str | None) -> int:
    with SlackStandin() as slack:
        console_settings = replace(settings, slack_api_url=slack.base_url, bot_token="xoxb-console",
                                   app_token=None, signing_secret=SECRET, client_id=None, client_secret=None)
        bot = build_bot(console_settings, db, per_channel_interval=0)
        bot.dispatcher.start()
        with db() as session:
            people = list(session.scalars(select(ContractPerson.slack_user).order_by(ContractPerson.id)))
            channel = session.scalar(select(ContractChannel.channel_id).order_by(ContractChannel.id).limit(1))
        if not people:
            print("No contracts are loaded. Import some first: flexcare contracts import examples/contracts.yml",
                  file=sys.stderr)
            return 1
        console = Console(bot, slack, user=user or people[0], channel=channel or "D0DIRECT", out=sys.stdout)
        console.say("FlexCare console: the bot runs against a local stand-in for Slack. Type `help`.")
        console.say(f"You are {console.user} in {console.channel}.")
        try:
            while True:
                try:
                    line = input(f"{console.user}@{console.channel}> ")
                except EOFError:
                    print(file=sys.stdout)
                    break
                if not console.handle(line):
                    break
        finally:
            bot.dispatcher.stop()
    return 0
