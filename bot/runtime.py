"""Starting the bot: the database, the configured contracts, and the chosen way to reach Slack."""

import argparse
import logging
import sys
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.migrate import upgrade
from bot.settings import Settings
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.points.menu import load_menu

log = logging.getLogger(__name__)

MISSING_TOKENS = """\
No Slack tokens are set, so the bot cannot connect to a workspace.
To create the Slack app: open https://api.slack.com/apps, choose "Create New App" -> "From an app
manifest", pick your workspace and paste app_manifest.yml from this repository. Then install it to
the workspace and set SLACK_BOT_TOKEN (OAuth & Permissions -> Bot User OAuth Token, xoxb-...) and
SLACK_APP_TOKEN (Basic Information -> App-Level Tokens, with the connections:write scope, xapp-...)
in the environment or in a .env file here, and run again. To try the bot without a workspace:
`flexcare console`."""


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Engine, schema brought up to date, session factory."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def load_configured_contracts(settings: Settings, db: sessionmaker[Session]) -> None:
    """Import FLEXCARE_CONTRACTS at start; the same file again changes nothing."""
    if settings.contracts_file is None:
        return
    path = settings.contracts_file
    specs = parse_contract_file(path.read_text(encoding="utf-8"), source=path.name)
    with db.begin() as session:
        report = contracts.import_contracts(session, specs, source=path.name, now=datetime.now(UTC))
    log.info("contracts from %s: %d created, %d updated, %d unchanged", path.name,
             len(report.created), len(report.updated), len(report.unchanged))


def run(settings: Settings, args: argparse.Namespace) -> int:
    if not (settings.bot_token and settings.app_token):
        print(MISSING_TOKENS, file=sys.stderr)
        return 3
    db = open_database(settings)
    load_configured_contracts(settings, db)
    from bot.socket_mode import run_socket_mode

    return run_socket_mode(settings, db, with_scheduler=not args.no_scheduler)


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.http import serve_http

    load_menu(settings.service_menu_file)  # workers load it after the fork; a bad menu must stop us here, once
    db = open_database(settings)
    load_configured_contracts(settings, db)
    return serve_http(settings, args)


def console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    db = open_database(settings)
    load_configured_contracts(settings, db)
    return run_console(settings, db, user=args.user)
