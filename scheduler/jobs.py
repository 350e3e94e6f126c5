"""APScheduler drives the clock; the database decides what is due (ARCHITECTURE: "Time passes").

Every job is a sweep that is safe to run twice and on several replicas at once (unique outbox keys; the
dispatcher claims each row once), so the job options only bound wasted work and lateness:
- `coalesce=True`: a backlog of missed runs folds into one, since one sweep catches up on everything due;
- `max_instances=1`: a slow sweep never overlaps itself in this process (other replicas may; keys make
  that harmless);
- `misfire_grace_time` = the job's own interval, on purpose. Jobs live in a MemoryJobStore, re-added at every
  start, so a misfire only happens inside a running process (the thread pool busy, a suspended machine).
  A run that is late by less than an interval still beats waiting for the next one; later than that,
  the next regular run is as early, so the late one is dropped. Downtime is not a misfire: every sweep
  also runs once at start (`next_run_time=now`), which is the catch-up (issue 7, item 6).
APScheduler's own default grace (1 s) would drop runs after any pause of the process, and `None` (run
however late) would add a run that the next regular one makes useless.
"""

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from domain.inbox import forget_old_receipts
from handlers.deps import Deps
from scheduler.account_sweeps import sweep_account
from scheduler.dispatcher import Dispatcher
from scheduler.ftc_sweep import sweep_ftc_deadlines
from scheduler.points_sweep import sweep_points_expiry, sweep_points_expiry_reminders
from scheduler.report_sweeps import sweep_quarterly_reports
from scheduler.review_sweeps import sweep_reviews
from scheduler.sweeps import SweepJob

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
OUTBOX_EVERY = timedelta(seconds=30)
RECEIPTS_EVERY = timedelta(hours=1)

# FTC warnings go out the moment they are due (FC-DEC-8): every 30 s, so a warning is at most that late.
# Point and review reminders are due at 09:00 contract time: every 5 minutes is punctual enough for them.
# The expiry entries are bookkeeping (balances already treat an ended year as empty): hourly.
SWEEPS: tuple[SweepJob, ...] = (
    SweepJob("ftc-deadlines", sweep_ftc_deadlines, timedelta(seconds=30), "FTC deadline warnings"),
    SweepJob("points-expiry-reminders", sweep_points_expiry_reminders, timedelta(minutes=5),
             "point-expiry reminders"),
    SweepJob("points-expiry", sweep_points_expiry, timedelta(hours=1), "points expiry"),
    SweepJob("reviews", sweep_reviews, timedelta(minutes=5), "review reminders"),
    SweepJob("quarterly-reports", sweep_quarterly_reports, timedelta(minutes=5), "quarterly reports"),
    SweepJob("account", sweep_account, timedelta(minutes=5), "notices, documents and onboarding"),
)


def run_sweep(job: SweepJob, deps: Deps) -> int:
    """One run of one sweep; wakes the dispatcher when it wrote something."""
    try:
        written = job.sweep(deps.db, deps.clock)
    except Exception:  # the job boundary: log with the traceback; the next run tries again
        log.exception("%s sweep failed; the next run tries again", job.what)
        return 0
    if written:
        log.info("%s: %d notifications written", job.what, written)
        deps.kick_outbox()
    return written


def forget_receipts(deps: Deps) -> None:
    with deps.db.begin() as session:
        forgotten = forget_old_receipts(session, now=deps.clock())
    if forgotten:
        log.info("forgot %d old inbound receipts", forgotten)


def schedule_jobs(scheduler: BackgroundScheduler, deps: Deps, dispatcher: Dispatcher) -> None:
    # The dispatcher is also kicked after every commit; this catches retries and other replicas' rows.
    scheduler.add_job(dispatcher.deliver_pending, "interval", id="outbox", replace_existing=True,
                      seconds=OUTBOX_EVERY.total_seconds(), misfire_grace_time=int(OUTBOX_EVERY.total_seconds()))
    scheduler.add_job(forget_receipts, "interval", args=[deps], id="inbox-receipts", replace_existing=True,
                      seconds=RECEIPTS_EVERY.total_seconds(), misfire_grace_time=int(RECEIPTS_EVERY.total_seconds()))
    start = datetime.now(UTC)
    for job in SWEEPS:
        scheduler.add_job(run_sweep, "interval", args=[job, deps], id=job.id, replace_existing=True,
                          seconds=job.every.total_seconds(), next_run_time=start, coalesce=True, max_instances=1,
                          misfire_grace_time=int(job.every.total_seconds()))


def start_scheduler(deps: Deps, dispatcher: Dispatcher) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS)
    schedule_jobs(scheduler, deps, dispatcher)
    scheduler.start()
    return scheduler
