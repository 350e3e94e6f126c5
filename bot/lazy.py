"""Lazy listeners on threads of their own, so an ack never waits behind other requests' replies.

Bolt runs each listener's ack function and its lazy listeners on one executor, first come first served
(slack_bolt.listener.thread_runner). While its threads are busy with replies (a report's chart, a CSV, or many
points summaries at once), the next request's ack waits in the same line, and Slack gives up on it after 3 s.
`separate_lazy_listeners` gives the lazy listeners an executor of their own. Under a sustained overload the
replies would then fall further and further behind fast acks, so at most LAZY_BACKLOG of them are unfinished at
once; past that, a new request waits for room before its ack, as every request did before.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

from slack_bolt import App
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner

P = ParamSpec("P")
T = TypeVar("T")

LAZY_BACKLOG = 10  # replies running or waiting per App (gunicorn worker): the five threads' work, and as much again


class BoundedExecutor(Executor):
    """Hands tasks to `inner` while fewer than `backlog` are unfinished; `submit` waits for room otherwise."""

    def __init__(self, inner: Executor, backlog: int) -> None:
        self._inner = inner
        self._room = threading.BoundedSemaphore(backlog)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self._room.acquire()
        try:
            future = self._inner.submit(fn, *args, **kwargs)
        except BaseException:
            self._room.release()
            raise
        future.add_done_callback(self._release)
        return future

    def _release(self, _future: Future[Any]) -> None:
        self._room.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def separate_lazy_listeners(app: App, executor: Executor, *, backlog: int = LAZY_BACKLOG) -> None:
    """Run `app`'s lazy listeners on `executor` (at most `backlog` unfinished), apart from its ack functions."""
    app.listener_runner.lazy_listener_runner = ThreadLazyListenerRunner(
        logger=app.logger, executor=BoundedExecutor(executor, backlog))
