"""The outbox dispatcher: claims pending notifications, posts them to Slack, records the `ts` (STYLE §2.5).

Delivery, and why it is duplicate-free across replicas (research/ledger-and-scheduling.md §B6-B7):
1. Claim, in one short transaction: pending rows whose retry time has come and whose claim is free or
   expired, `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite runs every transaction as BEGIN IMMEDIATE,
   which already serialises the claimers; bot/db.py). The claim (claimed_by, claimed_until) is
   committed, so every other replica skips the row until it is delivered or the claim expires.
2. Post with no transaction open (a slow Slack never holds a lock), then mark the row in its own short
   transaction, one row at a time, so a crash re-posts at most the one message in flight.
Exactly once across a crash in flight (issue 7, item 5): a row claimed before but never marked (its claim
expired: the process died between Slack's answer and the commit), or whose last attempt never got an answer,
is first looked up in the channel's history (its thread's replies, for a reply) by the key its metadata
carries, from when the row was written; found, that ts is recorded and nothing is posted.
Pace: a channel's calls are a second apart, and after a 429 nothing is sent to Slack until its Retry-After ran.
Order: only the oldest pending row of a channel is ever claimable (whoever holds it, and even while it
waits out a backoff), so a channel's messages go out in the order they were written; a reply waits
for its thread parent's ts and an update for its target's ts. A failed parent fails its dependants.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from domain.notifications.records import DELIVERED, FAILED, PENDING, Notification
from domain.notifications.service import by_key
from handlers.blocks.notifications import known_kinds, render_notification
from scheduler import recovery
from scheduler.recovery import METADATA_EVENT

log = logging.getLogger(__name__)

CLAIM_TTL = timedelta(minutes=5)  # a worker that died mid-post delays its rows this long at most
# Stop starting posts from a batch once its claim has less than this left: one post, with the client's
# own retries (bot/app.py: up to 2 x Retry-After, 2 x 5xx, 30 s timeouts), must end before the claim does,
# or another replica could take the row over and post it a second time.
CLAIM_MARGIN = timedelta(minutes=2)
BACKOFF_FIRST = timedelta(seconds=5)  # then 10 s, 20 s, ... (doubling per attempt)
BACKOFF_CAP = timedelta(minutes=15)  # a long Slack outage is probed every 15 min, never given up on
UNKNOWN_ERROR_ATTEMPTS = 5  # an error we cannot classify is retried this often, then the row fails
SWEEP_SECONDS = 30.0
LAST_ERROR_MAX = 1000
UNREACHABLE = "Slack unreachable"  # the request may have arrived: the next attempt looks before posting

# Slack answers these the same way every time: retrying cannot help, an operator must act.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "too_many_attachments", "invalid_auth", "not_authed", "account_inactive",
    "token_revoked", "token_expired", "no_permission", "missing_scope", "restricted_action",
    "ekm_access_denied", "user_not_found", "cannot_dm_bot", "message_not_found", "cant_update_message",
    "edit_window_closed", "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
    "invalid_arguments", "team_access_not_granted", "channel_is_archived", "duplicate_channel_not_found",
})
# Slack is down or busy: retry after a backoff, for as long as it takes.
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                              "request_timeout", "team_added_to_org"})


@dataclass(frozen=True)
class _Job:
    """A claimed row, copied out of its session: what to post, and where."""

    id: int
    key: str
    channel: str
    kind: str
    params: dict[str, Any]
    thread_ts: str | None  # reply under this ts
    update_ts: str | None  # chat.update this ts instead of posting
    recover_since: datetime | None = None  # may have been posted already: look in history from then first


@dataclass(frozen=True)
class _Failure:
    reason: str
    permanent: bool = False
    retry_after: float = 0.0  # seconds Slack asked us to wait (429 Retry-After)
    unknown: bool = False  # not classified: retried UNKNOWN_ERROR_ATTEMPTS times, then failed
    slack_unwell: bool = False  # down, failing or rate limiting: end this pass, the rest waits too


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 5 s, 10 s, 20 s, ... capped at 15 min."""
    doublings = min(max(attempts - 1, 0), 20)  # past the cap anyway; keeps timedelta from overflowing
    first_doubled: timedelta = BACKOFF_FIRST * 2**doublings
    return min(first_doubled, BACKOFF_CAP)


def classify(exc: Exception, *, kind: str) -> _Failure:
    """What a failed delivery means for its row, after the client's own retry handlers have given up."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
        reason = f"Slack said {error or 'HTTP ' + str(status)}"
        if status == 429 or error == "ratelimited":
            return _Failure(reason, retry_after=_retry_after(exc.response.headers), slack_unwell=True)
        if status >= 500 or error in TRANSIENT_ERRORS:
            return _Failure(reason, slack_unwell=True)
        return _Failure(reason, permanent=error in PERMANENT_ERRORS, unknown=error not in PERMANENT_ERRORS)
    if isinstance(exc, OSError | HTTPException):  # URLError, timeouts, resets, RemoteDisconnected
        return _Failure(f"{UNREACHABLE}: {exc!r}", slack_unwell=True)
    if kind not in known_kinds():  # a replica of a newer release may know it: retry a few times, then fail
        return _Failure(str(exc), unknown=True)
    # The renderer (or Block Kit's limits) refused the params: it would do so every time.
    log.error("notification of kind %s could not be rendered", kind, exc_info=exc)
    return _Failure(f"rendering failed: {exc!r}", permanent=True)


def _retry_after(headers: dict[str, Any]) -> float:
    try:
        return float(headers.get("Retry-After") or headers.get("retry-after") or 1)
    except (TypeError, ValueError):
        return 1.0


class Dispatcher:
    def __init__(self, db: sessionmaker[Session], client: WebClient, *, clock: Callable[[], datetime], worker: str,
                 batch: int = 50, per_channel_interval: float = 1.0, sweep_seconds: float = SWEEP_SECONDS,
                 client_for: Callable[[str], WebClient] | None = None, backoff_scale: float = 1.0) -> None:
        self.db = db
        self.client = client
        # Multi-workspace installs: the client carrying the bot token of the workspace a channel is in.
        self.client_for = client_for or (lambda _channel: client)
        self.clock = clock
        self.worker = worker
        self.batch = batch
        self.per_channel_interval = per_channel_interval  # chat.postMessage: 1 per second per channel
        self.sweep_seconds = sweep_seconds
        self.backoff_scale = backoff_scale  # tests/faults: 0.1, so a minute of Slack trouble takes seconds
        self._pass_lock = threading.Lock()  # the thread and the APScheduler sweep never run a pass at once
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_call: dict[str, float] = {}  # channel -> time.monotonic() of our last call there
        self._retry_at: datetime | None = None  # earliest backoff we set: wake up then
        self._quiet_until: datetime | None = None  # a 429's Retry-After: no call to Slack at all before then

    # -- the background thread -------------------------------------------------------------------------
    def kick(self) -> None:
        """Deliver now: called right after a transaction that wrote notifications has committed."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._wake.set()  # catch up at once on what a previous run left behind
        self._thread = threading.Thread(target=self._run, name=f"outbox-{self.worker}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._seconds_to_next_pass())
            self._wake.clear()  # before the pass: a kick during the pass triggers one more
            if self._stopping.is_set():
                break
            try:
                self.deliver_pending()
            except Exception:  # the loop is the job boundary (STYLE §2.5): log, keep delivering
                log.exception("outbox pass failed; retrying on the next kick or sweep")

    def _seconds_to_next_pass(self) -> float:
        if self._quiet_until is not None and self.clock() < self._quiet_until:
            return (self._quiet_until - self.clock()).total_seconds()  # a kick meanwhile waits for it too
        if self._retry_at is None:
            return self.sweep_seconds
        return min(max((self._retry_at - self.clock()).total_seconds(), 0.0), self.sweep_seconds)

    # -- one pass -----------------------------------------------------------------------------------------
    def deliver_pending(self) -> int:
        """Deliver everything deliverable now; returns how many messages were posted or updated."""
        with self._pass_lock:
            if self._quiet_until is not None and self.clock() < self._quiet_until:
                return 0  # Slack asked for quiet (Retry-After), for every channel: the rows wait, claimed by none
            self._retry_at = None
            delivered = 0
            while not self._stopping.is_set():
                claimed_at = self.clock()
                jobs, settled = self._claim(claimed_at)
                if not jobs and not settled:
                    break
                done, slack_unwell = self._deliver(jobs, claimed_at)
                delivered += done
                if slack_unwell:  # the rest of the backlog would fail the same way; try again later
                    break
            return delivered

    def _claim(self, now: datetime) -> tuple[list[_Job], int]:
        """Claim up to `batch` channel heads; also fail those whose parent failed (returns their count)."""
        row, earlier, dependency = Notification, aliased(Notification), aliased(Notification)
        query = (
            select(row)
            .where(row.status == PENDING, row.next_attempt_at <= now,
                   or_(row.claimed_until.is_(None), row.claimed_until <= now),
                   ~exists().where(earlier.channel == row.channel, earlier.status == PENDING, earlier.id < row.id),
                   ~exists().where(dependency.key == func.coalesce(row.thread_of, row.updates),
                                   dependency.status == PENDING))
            .order_by(row.id).limit(self.batch)
            .with_for_update(skip_locked=True, of=row)
        )
        jobs: list[_Job] = []
        settled = 0
        with self.db.begin() as session:
            for notification in session.scalars(query).all():
                job = self._job_for(session, notification)
                if job is None:
                    settled += 1
                    continue
                notification.claimed_by = self.worker
                notification.claimed_until = now + CLAIM_TTL
                jobs.append(job)
        return jobs, settled

    def _job_for(self, session: Session, notification: Notification) -> _Job | None:
        """Resolve where the row goes; None (and the row failed) when what it depends on failed."""
        update_ts = None
        channel = notification.channel
        depends_on = notification.thread_of or notification.updates
        if depends_on is not None:
            parent = by_key(session, depends_on)
            if parent is None or parent.status != DELIVERED or parent.ts is None:
                why = "is not in the outbox" if parent is None else f"failed ({parent.last_error})"
                notification.status = FAILED
                notification.last_error = f"depends on {depends_on}, which {why}"[:LAST_ERROR_MAX]
                log.error("notification %s failed: %s", notification.key, notification.last_error)
                return None
            if notification.thread_of is not None:
                # Slack threads have one level: a reply to a reply goes under the parent's own thread.
                notification.thread_ts = parent.thread_ts or parent.ts
            else:
                channel, update_ts = parent.channel, parent.ts
        # A claim still set here expired (or was kept as a marker, see _record_failure): that worker may have
        # posted before dying. An unanswered attempt may have been posted too.
        maybe_posted = notification.claimed_by is not None or (notification.last_error or "").startswith(UNREACHABLE)
        return _Job(id=notification.id, key=notification.key, channel=channel, kind=notification.kind,
                    params=notification.params, thread_ts=notification.thread_ts, update_ts=update_ts,
                    recover_since=notification.created_at if maybe_posted else None)

    def _deliver(self, jobs: list[_Job], claimed_at: datetime) -> tuple[int, bool]:
        """Post each claimed job, marking each at once; returns (delivered, Slack is unwell)."""
        delivered = 0
        for index, job in enumerate(jobs):
            if self._stopping.is_set() or self.clock() >= claimed_at + CLAIM_TTL - CLAIM_MARGIN:
                self._release(jobs[index:])
                return delivered, False
            self._space(job.channel)
            try:
                ts = self._already_posted(job) or self._call_slack(job)
            except Exception as exc:  # every failure is recorded on the row; see classify()
                failure = classify(exc, kind=job.kind)
                if failure.retry_after:
                    self._quiet_until = self.clock() + timedelta(seconds=failure.retry_after)
                self._record_failure(job, failure)
                if failure.slack_unwell:
                    self._release(jobs[index + 1:])
                    return delivered, True
                continue
            finally:
                # The next call here is spaced from the end of this one: a post the client retried inside (after
                # a 500 or a 429) lands late, and Slack counts its second from then.
                self._last_call[job.channel] = time.monotonic()
            self._record_delivery(job, ts)
            delivered += 1
        return delivered, False

    def _space(self, channel: str) -> None:
        """At most one call per `per_channel_interval` per channel (Slack: 1 message per second per channel),
        counted from the end of the channel's last call (_deliver)."""
        last = self._last_call.get(channel)
        if last is not None:
            wait = last + self.per_channel_interval - time.monotonic()
            if wait > 0:
                self._stopping.wait(wait)

    def _already_posted(self, job: _Job) -> str | None:
        """The ts of this row's message if Slack already has it (a crash after posting), else None."""
        if job.recover_since is None or job.update_ts is not None:
            return None  # nothing to recover, or an update: applying one twice shows the same card
        try:
            return recovery.posted_ts(self.client_for(job.channel), key=job.key, channel=job.channel,
                                      thread_ts=job.thread_ts, since=job.recover_since)
        except SlackApiError as exc:
            failure = classify(exc, kind=job.kind)
            if not failure.permanent:
                raise  # retried later; the row stays marked as maybe posted (_record_failure)
            # No history scope, or not a member: posting beats never delivering; a duplicate is possible.
            log.warning("notification %s: cannot look for an earlier post (%s); posting it", job.key, failure.reason)
            return None

    def _call_slack(self, job: _Job) -> str:
        if job.kind not in known_kinds():
            raise LookupError(f"no renderer for notification kind {job.kind!r}")
        message = render_notification(job.kind, job.params).as_kwargs()
        if job.update_ts is not None:
            # Updates need no recovery marker: applying one twice shows the same card.
            self.client_for(job.channel).chat_update(channel=job.channel, ts=job.update_ts, text=message["text"],
                                    blocks=message["blocks"] or [])
            return job.update_ts
        # The key travels as message metadata so that a recovery step can find a message Slack accepted
        # right before a crash (before the row was marked) in conversations.history, and mark it instead
        # of posting it again.
        response = self.client_for(job.channel).chat_postMessage(
            channel=job.channel, thread_ts=job.thread_ts, **message,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": job.key}})
        return str(response["ts"])

    # -- recording outcomes, one short transaction each -----------------------------------------------------
    def _record_delivery(self, job: _Job, ts: str) -> None:
        now = self.clock()
        with self.db.begin() as session:
            row = session.get_one(Notification, job.id, with_for_update=True)
            if row.status == DELIVERED:
                log.warning("notification %s was also delivered by %s (its claim expired): posted twice",
                            job.key, row.claimed_by)
                return
            row.status, row.ts, row.delivered_at = DELIVERED, ts, now
            row.attempts += 1
            row.claimed_by = row.claimed_until = None
            row.last_error = None

    def _record_failure(self, job: _Job, failure: _Failure) -> None:
        now = self.clock()
        with self.db.begin() as session:
            row = session.get_one(Notification, job.id, with_for_update=True)
            if row.status != PENDING or row.claimed_by != self.worker:
                log.warning("notification %s: attempt failed (%s) but another worker holds it now",
                            job.key, failure.reason)
                return
            row.attempts += 1
            row.claimed_by = row.claimed_until = None
            if job.recover_since is not None:
                # Still unknown whether an earlier attempt was posted: keep a void claim as the marker, so the
                # next attempt looks in the history first as well.
                row.claimed_by, row.claimed_until = self.worker, now
            row.last_error = failure.reason[:LAST_ERROR_MAX]
            if failure.permanent or (failure.unknown and row.attempts >= UNKNOWN_ERROR_ATTEMPTS):
                row.status = FAILED
                log.error("notification %s to %s failed for good after %d attempts: %s",
                          job.key, job.channel, row.attempts, failure.reason)
                return
            wait = max(backoff(row.attempts) * self.backoff_scale, timedelta(seconds=failure.retry_after))
            row.next_attempt_at = now + wait
            self._retry_at = min(self._retry_at or row.next_attempt_at, row.next_attempt_at)
            log.warning("notification %s to %s: attempt %d failed (%s); retrying in %s",
                        job.key, job.channel, row.attempts, failure.reason, wait)

    def _release(self, jobs: list[_Job]) -> None:
        """Give back claims not acted on (stopping, or Slack unwell), so nobody waits for them to expire."""
        if not jobs:
            return
        now = self.clock()
        with self.db.begin() as session:
            for maybe_posted in (False, True):
                ids = [job.id for job in jobs if (job.recover_since is not None) == maybe_posted]
                if not ids:
                    continue
                mine = Notification.id.in_(ids) & (Notification.claimed_by == self.worker)
                # A row that may have been posted keeps a void claim as the marker (see _record_failure).
                values = {"claimed_until": now} if maybe_posted else {"claimed_by": None, "claimed_until": None}
                session.execute(update(Notification).where(mine).values(**values))
