"""APScheduler drives the clock; the database decides what is due (ARCHITECTURE: "Time passes").

Every job is a sweep that is safe to run twice and on several replicas at once, so the
settings below only bound wasted work: `coalesce` folds a backlog of missed runs into one (a
sweep catches up by itself), `max_instances=1` stops a slow sweep overlapping itself, and
`misfire_grace_time` is generous because a late sweep is still useful.
"""

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from domain.inbox import forget_old_receipts
from handlers.deps import Deps
from scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def forget_receipts(deps: Deps) -> None:
    with deps.db.begin() as session:
        forgotten = forget_old_receipts(session, now=deps.clock())
    if forgotten:
        log.info("forgot %d old inbound receipts", forgotten)


def schedule_jobs(scheduler: BackgroundScheduler, deps: Deps, dispatcher: Dispatcher) -> None:
    jobs: list[tuple[str, Callable[[], object], dict[str, int]]] = [
        # The dispatcher is also kicked after every commit; this catches retries and other replicas' rows.
        ("outbox", dispatcher.deliver_pending, {"seconds": 30}),
        ("inbox-receipts", lambda: forget_receipts(deps), {"hours": 1}),
    ]
    for job_id, func, every in jobs:
        scheduler.add_job(func, "interval", id=job_id, replace_existing=True, **every)


def start_scheduler(deps: Deps, dispatcher: Dispatcher) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS)
    schedule_jobs(scheduler, deps, dispatcher)
    scheduler.start()
    return scheduler
