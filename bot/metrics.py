"""Prometheus metrics on `flexcare serve`'s GET /metrics (issue 11).

- `flexcare_slack_ack_seconds{kind}`: how long each POST /slack/events took to answer, timed around the
  WSGI call (Bolt answers once `ack()` ran; lazy work goes on afterwards), by kind of request.
- `flexcare_handler_errors_total`: unexpected failures, each one a person was shown an error id for.
  Counted from the log record that carries the id (`handlers.replies.error_sentence`, reached by lazy
  listeners and by the App's error handler alike), so handlers/ keeps importing only domain/.
- The outbox and FTC figures are read from the database at each scrape (`OutboxCollector`), so every
  worker and replica reports the same truth.

gunicorn runs several worker processes: with PROMETHEUS_MULTIPROC_DIR set, each writes its samples to
files there and a scrape adds them up. prometheus_client decides that mode when it is first imported,
so it is imported lazily here, and `flexcare serve` sets the directory before anything imports it.
"""

import atexit
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from domain.notifications.records import CANCELLED, FAILED, PENDING, Notification
from handlers.blocks.reminders import FTC_STAGE

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from prometheus_client.metrics_core import Metric

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
EVENTS_PATH = "/slack/events"
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)  # Slack gives up at 3 s
# The top-level `type` of an interactivity payload, as the kind of request it is.
PAYLOAD_KINDS = {"block_actions": "action", "interactive_message": "action", "view_submission": "view",
                 "view_closed": "view", "shortcut": "shortcut", "message_action": "shortcut",
                 "block_suggestion": "options", "dialog_suggestion": "options"}


@dataclass(frozen=True)
class _Instruments:
    registry: "CollectorRegistry"
    ack: "Histogram"
    handler_errors: "Counter"


@lru_cache(maxsize=1)
def _instruments() -> _Instruments:
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry()
    return _Instruments(
        registry,
        Histogram("flexcare_slack_ack_seconds", "Time to answer a request Slack posted to /slack/events, by kind.",
                  ["kind"], buckets=ACK_BUCKETS, registry=registry),
        Counter("flexcare_handler_errors", "Unexpected failures handling a Slack request (each shown with an "
                "error id).", registry=registry))


# -- ack latency ------------------------------------------------------------------------------------------
def request_kind(body: bytes, content_type: str) -> str:
    """command, action, view, shortcut, options or event (or other), from the raw body Slack posted."""
    if content_type.startswith("application/json"):
        try:
            envelope = json.loads(body)
        except ValueError:
            return "other"
        return "event" if isinstance(envelope, dict) and envelope.get("type") == "event_callback" else "other"
    fields = parse_qs(body.decode("utf-8", "replace"))
    if "command" in fields:
        return "command"
    try:
        payload = json.loads(fields["payload"][0])
    except (KeyError, ValueError):
        return "other"
    return PAYLOAD_KINDS.get(str(payload.get("type")), "other") if isinstance(payload, dict) else "other"


def observe_ack(kind: str, seconds: float) -> None:
    _instruments().ack.labels(kind=kind).observe(seconds)


def timed(app: WsgiApp) -> WsgiApp:
    """Time `app` on POST /slack/events. The body is read here and handed on unread, so the kind is known."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != EVENTS_PATH:
            return app(environ, start_response)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = BytesIO(body)
        try:
            return app(environ, start_response)
        finally:
            observe_ack(request_kind(body, environ.get("CONTENT_TYPE", "")), time.perf_counter() - started)
    return application


# -- handler errors ---------------------------------------------------------------------------------------
class _CountHandlerErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "error_id", None):
            _instruments().handler_errors.inc()
        return True


def count_handler_errors(logger_name: str = "handlers.replies") -> None:
    """Count each record that carries an error id (idempotent: one counter per process)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, _CountHandlerErrors) for f in logger.filters):
        logger.addFilter(_CountHandlerErrors())


# -- the outbox and FTC, from the database ----------------------------------------------------------------
class OutboxCollector:
    """Reads the outbox at scrape time. FTC counts are the stage rows written (cancelled ones were never
    sent); they only grow, as counters must."""

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._db, self._clock = db, clock

    def collect(self) -> Iterator["Metric"]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        try:
            outbox, ftc = self._read()
        except SQLAlchemyError as exc:  # a scrape reports what it can; the log says why the rest is missing
            log.warning("metrics: cannot read the outbox: %s", exc)
            yield GaugeMetricFamily("flexcare_database_up", "1 when the last scrape could read the database.", 0)
            return
        backlog, oldest, failed = outbox
        age = max((self._clock() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily("flexcare_database_up", "1 when the last scrape could read the database.", 1)
        yield GaugeMetricFamily("flexcare_outbox_backlog", "Notifications waiting to be posted to Slack.", backlog)
        yield GaugeMetricFamily("flexcare_outbox_oldest_undelivered_seconds",
                                "Age of the oldest notification still waiting to be posted (0 when none).", age)
        yield GaugeMetricFamily("flexcare_outbox_failed", "Notifications given up on (a permanent Slack error).",
                                failed)
        warnings = CounterMetricFamily("flexcare_ftc_warnings", "FTC warnings written to the outbox, by stage "
                                       "(half, last; reminder: after a breach).", labels=["stage"])
        for stage in ("half", "last", "reminder"):
            warnings.add_metric([stage], ftc[stage])
        yield warnings
        yield CounterMetricFamily("flexcare_ftc_breaches", "FTC breaches written to the outbox (FC-INC-2).",
                                  ftc["breach"])

    def _read(self) -> tuple[tuple[int, datetime | None, int], dict[str, int]]:
        key, status = Notification.key, Notification.status

        def count(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        with self._db() as session:
            backlog, oldest = session.execute(select(func.count(), func.min(Notification.created_at))
                                              .where(status == PENDING)).one()
            failed = session.scalar(select(func.count()).where(status == FAILED)) or 0
            half, last, breach, reminder = session.execute(select(
                count(key.like("%:half")), count(key.like("%:last")), count(key.like("%:breach")),
                count(key.like("%:reminder-%"))).where(Notification.kind == FTC_STAGE, status != CANCELLED)).one()
        return ((int(backlog), oldest, int(failed)),
                {"half": int(half), "last": int(last), "breach": int(breach), "reminder": int(reminder)})


# -- serving ----------------------------------------------------------------------------------------------
def exposition(db: sessionmaker[Session], clock: Callable[[], datetime]) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type: this process's (or, in multiprocess mode, every
    worker's) samples, plus the database's figures."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_DIR):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_instruments().registry)
    registry.register(OutboxCollector(db, clock))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def metrics_page(db: sessionmaker[Session], clock: Callable[[], datetime],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
    body, content_type = exposition(db, clock)
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def prepare_multiprocess_dir(environ: MutableMapping[str, str] = os.environ) -> str:
    """Before gunicorn forks: the operator's PROMETHEUS_MULTIPROC_DIR, or a new temporary directory that the
    serving process removes when it exits (its workers inherit the exit hook, so it checks the pid)."""
    given = environ.get(MULTIPROC_DIR)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return given
    path = tempfile.mkdtemp(prefix="flexcare-metrics-")
    environ[MULTIPROC_DIR] = path
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)
    atexit.register(remove)
    return path
