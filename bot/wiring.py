"""Composition: the App, its dependencies and the outbox dispatcher, built in one place for every mode."""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app, slack_client
from bot.settings import Settings
from bot.workspaces import installation_store, workspace_clients
from domain.points.menu import load_menu
from handlers.deps import Deps
from scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Bot:
    app: App
    deps: Deps
    dispatcher: Dispatcher
    client: WebClient


def build_bot(settings: Settings, db: sessionmaker[Session], *, client: WebClient | None = None,
              clock: Callable[[], datetime] = utc_now, per_channel_interval: float = 1.0) -> Bot:
    client = client or slack_client(settings)
    installations = installation_store(settings, db.kw["bind"]) if settings.oauth_enabled else None
    client_for = (workspace_clients(db, installations, lambda token: slack_client(settings, token))
                  if installations is not None else None)
    dispatcher = Dispatcher(db, client, clock=clock, worker=f"{socket.gethostname()}:{os.getpid()}",
                            per_channel_interval=per_channel_interval, client_for=client_for)
    # Read once here: a bad menu stops start-up (MenuError names each item and field) instead of a request.
    deps = Deps(db=db, clock=clock, kick_outbox=dispatcher.kick, menu=load_menu(settings.service_menu_file),
                locale_ttl=settings.locale_ttl)
    app = create_app(settings, deps, client=client, installations=installations)
    return Bot(app=app, deps=deps, dispatcher=dispatcher, client=client)
