"""HTTP mode for production: Slack's requests on POST /slack/events, GET /healthz, served by gunicorn.

Each gunicorn worker builds its own App after the fork (no shared sockets or threads across
processes); any number of replicas can serve, because delivery is claimed in the database.
"""

import argparse
import contextvars
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot import metrics
from bot.runtime import open_database
from bot.settings import Settings
from bot.wiring import Bot, build_bot

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(bot: Bot) -> WsgiApp:
    slack = metrics.timed(SlackRequestHandler(bot.app, path="/slack/events"))
    metrics.count_handler_errors()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _health(bot, start_response)
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            return metrics.metrics_page(bot.deps.db, bot.deps.clock, start_response)
        if _garbled_signature(environ):
            log.info("refused a request whose signature headers are not Slack's (answered 401)")
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"error": "invalid request"}']
        # A fresh context per request: one request's Slack ids (bot/logs.py) never label the next one's logs.
        return contextvars.copy_context().run(slack, environ, start_response)
    return application


def _garbled_signature(environ: dict[str, Any]) -> bool:
    """A timestamp that is no whole number, or a signature that is not ASCII: slack_sdk's SignatureVerifier raises
    on these (int(), hmac.compare_digest) instead of refusing them, and Bolt then answers 200 with an error logged."""
    stamp, signature = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0"), environ.get("HTTP_X_SLACK_SIGNATURE", "")
    return not (stamp.isascii() and stamp.strip().removeprefix("-").isdigit() and signature.isascii())


def _health(bot: Bot, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with bot.deps.db() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # a health check reports, it does not raise
        log.warning("health check: database unreachable: %s", exc)
        start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"database unreachable\n"]
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"ok\n"]


def serve_http(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.signing_secret:
        print("flexcare: SLACK_SIGNING_SECRET is required in HTTP mode (Basic Information -> Signing Secret); "
              "requests are always verified.")
        return 2
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gthread")  # Bolt runs lazy listeners on threads
            self.cfg.set("threads", args.threads)
            self.cfg.set("timeout", 30)

        def load(self) -> WsgiApp:
            bot = build_bot(settings, open_database(settings))
            bot.dispatcher.start()
            if args.with_scheduler:
                from scheduler.jobs import start_scheduler

                start_scheduler(bot.deps, bot.dispatcher)
            return wsgi_app(bot)

    metrics.prepare_multiprocess_dir()  # before the fork, so every worker writes its samples there
    Server().run()
    return 0
