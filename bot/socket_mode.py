"""Socket Mode: the embedded default. One process holds the Slack connection, the dispatcher and the scheduler."""

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.wiring import build_bot

log = logging.getLogger(__name__)


def run_socket_mode(settings: Settings, db: sessionmaker[Session], *, with_scheduler: bool) -> int:
    bot = build_bot(settings, db)
    bot.dispatcher.start()
    scheduler = None
    if with_scheduler:
        from scheduler.jobs import start_scheduler

        scheduler = start_scheduler(bot.deps, bot.dispatcher)
    log.info("FlexCare is connecting to Slack over Socket Mode%s", "" if scheduler else " (no scheduler)")
    try:
        SocketModeHandler(bot.app, settings.app_token).start()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        bot.dispatcher.stop()
    return 0
