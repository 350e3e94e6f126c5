"""`flexcare doctor`: is this install ready to serve? (issue 11)

One line per check, `ok` or `FIX` and what to do: the way Slack reaches the bot, the bot token
(auth.test), its scopes (the X-OAuth-Scopes header) against app_manifest.yml, the database's
migrations, and the bot's membership of every channel linked to a contract. Exit 1 when anything
needs fixing. It reads and asks; it changes nothing (not even the schema).
"""

import argparse
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.app import slack_client
from bot.db import make_engine, make_session_factory
from bot.manifest import bot_scopes, manifest
from bot.migrate import alembic_config
from bot.settings import Settings
from domain.contracts.records import Contract, ContractChannel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    says: str

    def line(self) -> str:
        return f"{'ok ' if self.ok else 'FIX'}  {self.what}: {self.says}"


@dataclass(frozen=True)
class LinkedChannel:
    channel_id: str
    uses: str  # "ACME-FC-01 incidents, ACME-FC-01 alerts"


def run_doctor(settings: Settings, args: argparse.Namespace) -> int:
    checks = list(diagnose(settings))
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1


def diagnose(settings: Settings) -> Iterator[Check]:
    yield _connection_mode(settings)
    database = _database(settings)
    yield database.check
    client = slack_client(settings) if settings.bot_token else None
    if client is None:
        yield Check(False, "token", "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                    "app's OAuth & Permissions page at api.slack.com/apps")
        return
    token, granted = _token(client, settings)
    yield token
    if not token.ok:
        return
    yield _scopes(granted)
    if database.db is None:
        yield Check(False, "channels", "not checked: fix the database first (see above)")
        return
    yield from _channels(client, database.db)


def _connection_mode(settings: Settings) -> Check:
    modes = [m for m, given in (("Socket Mode (SLACK_APP_TOKEN, `flexcare run`)", settings.app_token),
                                ("HTTP (SLACK_SIGNING_SECRET, `flexcare serve`)", settings.signing_secret)) if given]
    if not modes:
        return Check(False, "mode", "Slack cannot reach the bot: set SLACK_APP_TOKEN (xapp-..., Basic Information -> "
                     "App-Level Tokens, scope connections:write) for Socket Mode, or SLACK_SIGNING_SECRET "
                     "(Basic Information -> Signing Secret) for `flexcare serve`")
    return Check(True, "mode", " and ".join(modes))


# -- Slack ------------------------------------------------------------------------------------------------
def _token(client: WebClient, settings: Settings) -> tuple[Check, set[str] | None]:
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        return Check(False, "token", f"Slack refused the bot token ({exc.response.get('error')}): copy the Bot User "
                     "OAuth Token (xoxb-...) again from OAuth & Permissions, or reinstall the app"), None
    except (SlackClientError, OSError) as exc:
        return Check(False, "token", f"cannot reach Slack at {settings.slack_api_url} ({exc}): check the network, "
                     "a proxy, or SLACK_API_URL"), None
    headers = {name.lower(): value for name, value in answer.headers.items()}
    scopes = headers.get("x-oauth-scopes")
    granted = {s.strip() for s in str(scopes).split(",") if s.strip()} if scopes is not None else None
    return Check(True, "token", f"works: bot @{answer.get('user')} in workspace {answer.get('team')} "
                 f"({answer.get('team_id')})"), granted


def _scopes(granted: set[str] | None) -> Check:
    wanted = set(bot_scopes())
    if granted is None:
        return Check(False, "scopes", "Slack did not say which scopes the token has (no X-OAuth-Scopes header); "
                     "check that SLACK_BOT_TOKEN is the Bot User OAuth Token")
    missing = sorted(wanted - granted)
    if missing:
        return Check(False, "scopes", f"the token lacks {', '.join(missing)}: update the app's manifest from "
                     "app_manifest.yml (api.slack.com/apps -> App Manifest), then reinstall it "
                     "(OAuth & Permissions -> Reinstall to Workspace)")
    extra = sorted(granted - wanted)
    return Check(True, "scopes", f"all {len(wanted)} from app_manifest.yml granted"
                 + (f" (also granted, not needed: {', '.join(extra)})" if extra else ""))


def _channels(client: WebClient, db: sessionmaker[Session]) -> Iterator[Check]:
    try:
        linked = _linked_channels(db)
    except SQLAlchemyError as exc:
        yield Check(False, "channels", f"cannot read the linked channels: {exc}")
        return
    if not linked:
        yield Check(True, "channels", "no channel is linked to a contract yet (`/flexcare link CONTRACT-ID` in one)")
    bot = f"@{manifest()['features']['bot_user']['display_name']}"
    for channel in linked:
        yield _membership(client, channel, bot)


def _membership(client: WebClient, channel: LinkedChannel, bot: str) -> Check:
    what = f"channel {channel.channel_id}"
    try:
        info = client.conversations_info(channel=channel.channel_id)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "channel_not_found":
            return Check(False, what, f"Slack finds no such channel for the bot ({channel.uses}): if it is private, "
                         f"invite {bot} to it (`/invite {bot}` there); otherwise correct the channel id")
        return Check(False, what, f"Slack answered {error} ({channel.uses})")
    except (SlackClientError, OSError) as exc:
        return Check(False, what, f"cannot ask Slack about it ({exc})")
    name = f"#{info.get('name') or channel.channel_id}"
    if info.get("is_archived"):
        return Check(False, what, f"{name} is archived ({channel.uses}): unarchive it, or link another channel "
                     "(`/flexcare link CONTRACT-ID` there)")
    if not info.get("is_member"):
        return Check(False, what, f"{bot} is not in {name} ({channel.uses}): invite {bot} to {name} "
                     f"(type `/invite {bot}` in {name})")
    return Check(True, what, f"{bot} is in {name} ({channel.uses})")


def _linked_channels(db: sessionmaker[Session]) -> list[LinkedChannel]:
    uses: dict[str, list[str]] = defaultdict(list)
    with db() as session:
        rows = session.execute(select(ContractChannel.channel_id, ContractChannel.contract_id, ContractChannel.purpose)
                               .join(Contract).order_by(ContractChannel.channel_id, ContractChannel.contract_id,
                                                        ContractChannel.purpose))
        for channel_id, contract_id, purpose in rows:
            use = f"{contract_id} {purpose}"
            if use not in uses[channel_id]:
                uses[channel_id].append(use)
    return [LinkedChannel(channel_id, ", ".join(found)) for channel_id, found in uses.items()]


# -- the database -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Database:
    check: Check
    db: sessionmaker[Session] | None  # set when the schema is at head, so the channels can be read


def _database(settings: Settings) -> _Database:
    url = settings.database_url
    shown = url.render_as_string()
    if _missing_sqlite_file(url):
        return _Database(Check(False, "database", f"no database file at {url.database}: run `flexcare db upgrade` "
                               "to create it, or set DATABASE_URL"), None)
    engine = make_engine(url)
    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        log.debug("doctor: database check failed", exc_info=True)
        cause = getattr(exc, "orig", None) or exc
        return _Database(Check(False, "database", f"cannot use {shown} ({cause}): check DATABASE_URL and that the "
                               "database server is running"), None)
    if current == heads:
        return _Database(Check(True, "database", f"{shown}: migrations at head ({', '.join(sorted(heads))})"),
                         make_session_factory(engine))
    try:
        pending = len(list(script.iterate_revisions(tuple(heads), tuple(current) or "base")))
    except RevisionError:
        return _Database(Check(False, "database", f"{shown} is at revision {', '.join(sorted(current))}, which this "
                               "version of FlexCare does not know (a newer version migrated it): run that version"),
                         None)
    return _Database(Check(False, "database", f"{shown}: {pending} migration(s) not applied: run `flexcare db "
                           "upgrade` (every start applies them too)"), None)


def _missing_sqlite_file(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
        and not Path(str(url.database)).exists()
