"""`flexcare scheduler` (the scheduler and a dispatcher, alone, until SIGTERM or SIGINT) and `flexcare sweep`
(every sweep once at one instant, then deliver: for operators and tests)."""

import argparse
import importlib
import logging
import os
import pkgutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType

from sqlalchemy.orm import Session, sessionmaker

import handlers.blocks
from bot import runtime
from bot.app import slack_client
from bot.settings import Settings
from bot.wiring import utc_now
from domain.notifications.service import pending
from handlers.deps import Deps
from scheduler.dispatcher import Dispatcher
from scheduler.jobs import SWEEPS, start_scheduler

log = logging.getLogger(__name__)

NO_TOKEN = ("SLACK_BOT_TOKEN is not set, so nothing could be posted. Set it (xoxb-...) in the environment or "
            "in .env, and run again.")


def load_renderers() -> None:
    """Import every builder module, so this process knows every notification kind though it builds no App."""
    for module in pkgutil.iter_modules(handlers.blocks.__path__, "handlers.blocks."):
        importlib.import_module(module.name)


def instant(text: str) -> datetime:
    """`--now`: an ISO-8601 instant with its offset (`2026-12-01T09:00:00Z`, `...+08:00`)."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 instant such as 2026-12-01T09:00:00Z") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset; add Z or +HH:MM so the instant is unambiguous")
    return at.astimezone(UTC)


def delivery_clock(at: datetime) -> Callable[[], datetime]:
    """The dispatcher's clock for a sweep at `at`: `at`, moving on in real time, and never behind the real
    clock. Notifications written at a future `at` (a test's simulated day) become due; and claims taken for a
    past `at` still last their full time for replicas that run on the real clock."""
    started, real_start = at, time.monotonic()
    return lambda: max(utc_now(), started + timedelta(seconds=time.monotonic() - real_start))


def _dispatcher(settings: Settings, db: sessionmaker[Session], clock: Callable[[], datetime],
                role: str) -> Dispatcher:
    load_renderers()
    return Dispatcher(db, slack_client(settings), clock=clock, worker=f"{socket.gethostname()}:{os.getpid()}:{role}")


def run_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 3
    db = runtime.open_database(settings)
    dispatcher = _dispatcher(settings, db, utc_now, "scheduler")
    deps = Deps(db=db, clock=utc_now, kick_outbox=dispatcher.kick)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received; stopping the scheduler", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    dispatcher.start()
    scheduler = start_scheduler(deps, dispatcher)
    log.info("scheduler running: %s", ", ".join(job.id for job in SWEEPS))
    while not stopping.wait(1.0):
        pass
    scheduler.shutdown(wait=True)
    dispatcher.stop()
    return 0


def run_sweep(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print(NO_TOKEN, file=sys.stderr)
        return 3
    at: datetime = args.now or utc_now()
    db = runtime.open_database(settings)
    dispatcher = _dispatcher(settings, db, delivery_clock(at), "sweep")
    failed = 0
    for job in SWEEPS:
        try:
            written = job.sweep(db, lambda: at)
        except Exception:  # report every sweep, then fail the command as a whole
            log.exception("%s sweep failed", job.what)
            print(f"{job.what}: failed (see the log)")
            failed += 1
            continue
        print(f"{job.what}: {written} written")
    delivered = dispatcher.deliver_pending()
    with db() as session:
        waiting = len(pending(session))
    print(f"as of {at.isoformat()}: {delivered} delivered, {waiting} still pending")
    return 1 if failed else 0
