"""Injected failures for retry and outage tests: rate limits, server errors, outages, slow answers."""

import time
from dataclasses import dataclass
from typing import Any

ANY_METHOD = "*"
_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable"}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer the stand-in gives instead of doing the method."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def error(self) -> str:
        return str(self.body.get("error", ""))


@dataclass
class _Rule:
    answer: Answer
    remaining: int | None  # None: until cleared (or until `until`)
    until: float | None = None  # time.monotonic() when the rule lapses; None: never


def _lapses(for_seconds: float | None) -> float | None:
    if for_seconds is not None and for_seconds <= 0:
        raise ValueError(f"for_seconds must be positive (or None for no time limit), not {for_seconds}")
    return None if for_seconds is None else time.monotonic() + for_seconds


class Faults:
    """Rules per method, used first in, first out: `fail(m, status=500, times=2)` then
    `fail(m, status=429, times=1)` fails the next two calls with 500 and the third with 429.
    With `for_seconds`, a rule (or a delay) also lapses that long after it was set: "Slack answers 429
    for the next two seconds" is `fail(m, status=429, times=None, for_seconds=2)`.
    Not thread-safe by itself; the stand-in calls it under its lock."""

    def __init__(self) -> None:
        self._rules: dict[str, list[_Rule]] = {}
        self._outage_until: float | None = None
        self._outage_open_ended = False
        self._delays: dict[str, tuple[float, float | None]] = {}  # method -> (seconds, lapses at)

    def fail(self, method: str, *, status: int | None, error: str | None, retry_after: int, times: int | None,
             for_seconds: float | None = None) -> None:
        if status is None and error is None:
            raise ValueError("give an HTTP status (429, 500, 503...) or a Slack error code (error='channel_not_found')")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None for until cleared), not {times}")
        status = status or 200  # an error code alone is Slack's HTTP 200 with ok: false
        headers = {"Retry-After": str(int(retry_after))} if status == 429 else {}
        body = {"ok": False, "error": error or _STATUS_ERRORS.get(status, "fatal_error")}
        self._rules.setdefault(method, []).append(_Rule(Answer(status, body, headers), times, _lapses(for_seconds)))

    def outage(self, seconds: float | None) -> None:
        self._outage_open_ended = seconds is None
        self._outage_until = None if seconds is None else time.monotonic() + seconds

    def delay(self, method: str, seconds: float, *, for_seconds: float | None = None) -> None:
        if seconds > 0:
            self._delays[method] = (seconds, _lapses(for_seconds))
        else:
            self._delays.pop(method, None)

    def clear(self) -> None:
        self._rules.clear()
        self._delays.clear()
        self._outage_until, self._outage_open_ended = None, False

    def delay_for(self, method: str) -> float:
        now = time.monotonic()
        for key in (method, ANY_METHOD):
            seconds, until = self._delays.get(key, (0.0, None))
            if seconds and (until is None or now < until):
                return seconds
        return 0.0

    def take(self, method: str) -> Answer | None:
        """The injected answer for this call, if any; counts it against its rule."""
        if self._outage_open_ended or (self._outage_until is not None and time.monotonic() < self._outage_until):
            return Answer(503, {"ok": False, "error": "service_unavailable"}, {})
        now = time.monotonic()
        for key in (method, ANY_METHOD):
            rules = self._rules.get(key)
            while rules and rules[0].until is not None and now >= rules[0].until:
                rules.pop(0)  # its time is up: the next rule (or Slack itself) answers
            if rules:
                rule = rules[0]
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        rules.pop(0)
                return rule.answer
        return None
