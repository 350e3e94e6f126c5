"""Logging for operators: plain text by default, one JSON object a line when LOG_FORMAT=json (issue 11).

Every record carries the Slack ids of the request it was logged for (team, user, channel, and the
trigger or event id), and the error id a person was shown (`handlers.replies.error_sentence` logs it
as `error_id`), so one id from a person's screenshot finds the whole story. Tokens and the app's
secrets are masked in every record before it is written.

The ids live in a context variable set by a Bolt global middleware (`remember_slack_request`). Bolt
runs ack functions, lazy listeners and the error handler on its listener executor, so `create_app`
gives Bolt `listener_executor()`, which carries the request's context into those threads.
"""

import contextvars
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, ParamSpec, TextIO, TypeVar

from slack_bolt import BoltContext, BoltResponse

from bot.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

SLACK_FIELDS = ("team_id", "user_id", "channel_id", "trigger_id", "event_id")
# Slack tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), refresh (xoxe-), and rotated ones (xoxe.xoxp-...).
TOKEN = re.compile(r"\b(xox[a-z]|xapp)([.-])[A-Za-z0-9.\-]+")
MASK = "[redacted]"
SHORTEST_SECRET = 8  # a shorter configured value would mask ordinary words; no real secret is that short
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_slack_request: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("slack_request", default=None)


# -- the request's Slack ids ------------------------------------------------------------------------------
def remember_slack_request(context: BoltContext, body: dict[str, Any],
                           next: Callable[[], BoltResponse]) -> BoltResponse:
    """Bolt global middleware: the ids of this request, for every record logged while it is handled."""
    found = {"team_id": context.team_id, "user_id": context.user_id, "channel_id": context.channel_id,
             "trigger_id": body.get("trigger_id"), "event_id": body.get("event_id")}
    _slack_request.set({k: str(v) for k, v in found.items() if v})
    return next()


def slack_request_ids() -> dict[str, str]:
    return dict(_slack_request.get() or {})


class _ContextExecutor(ThreadPoolExecutor):
    """Runs each task in a copy of the submitting thread's context (ThreadPoolExecutor does not)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(lambda: context.run(fn, *args, **kwargs))


def listener_executor() -> ThreadPoolExecutor:
    """For `App(listener_executor=...)`: Bolt's default size, with the request's Slack ids carried along."""
    return _ContextExecutor(max_workers=5, thread_name_prefix="bolt-listener")


# -- filters ----------------------------------------------------------------------------------------------
class SlackRequestFilter(logging.Filter):
    """Adds the current request's Slack ids to the record (only those the request has)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in slack_request_ids().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class RedactionFilter(logging.Filter):
    """Masks Slack tokens and the configured secrets in the message, its arguments and its traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= SHORTEST_SECRET}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        text = TOKEN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)  # the kind of token stays readable
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both, masked
            message = f"{record.msg} (arguments that did not fit: {record.args!r})"
            record.args = None
        masked = self.mask(message)
        if masked != message or record.args is None:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


# -- formats ----------------------------------------------------------------------------------------------
class TextFormatter(logging.Formatter):
    """The classic line, with the Slack ids and error id in brackets when there are any."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        tags = " ".join(f"{name}={getattr(record, name)}" for name in (*SLACK_FIELDS, "error_id")
                        if getattr(record, name, None))
        return f"{line} [{tags}]" if tags else line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the Slack ids, error_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for name in (*SLACK_FIELDS, "error_id"):
            value = getattr(record, name, None)
            if value:
                line[name] = str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def make_handler(log_format: str, *, secrets: Iterable[str | None] = (), stream: TextIO | None = None
                 ) -> logging.Handler:
    """A stream handler in `log_format` ("text" or "json") that adds the Slack ids and masks secrets."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(SlackRequestFilter())
    handler.addFilter(RedactionFilter(secrets))
    return handler


def configure(settings: Settings) -> None:
    """Set up the root logger once, as logging.basicConfig does: an embedding program's (or a test
    runner's) handlers are left alone."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(make_handler(settings.log_format, secrets=(
        settings.bot_token, settings.app_token, settings.signing_secret, settings.client_secret)))
    root.setLevel(settings.log_level)
