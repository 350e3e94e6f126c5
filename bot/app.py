"""The one App factory behind Socket Mode, HTTP mode, the console and the tests (STYLE 2.6)."""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

import handlers
from bot.lazy import separate_lazy_listeners
from bot.logs import listener_executor, remember_slack_request
from bot.manifest import bot_scopes
from bot.settings import Settings
from domain.inbox import first_delivery
from handlers.deps import Deps
from handlers.language import speak_the_readers_language
from handlers.replies import database_unavailable, error_sentence

log = logging.getLogger(__name__)


SLACK_TIMEOUT_SECONDS = 10


def slack_client(settings: Settings, token: str | None = None, *, timeout: int = SLACK_TIMEOUT_SECONDS) -> WebClient:
    """A Web API client on SLACK_API_URL that retries rate limits (honouring Retry-After), 5xx and dropped
    connections, which the default client does not (research/slack-platform.md §1.4). A call unanswered after
    `timeout` seconds is not retried here: Slack may have done it, so the outbox looks before posting again."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2),
                        ServerErrorRetryHandler(max_retry_count=2)],
    )


def create_app(settings: Settings, deps: Deps, *, client: WebClient,
               installations: SQLAlchemyInstallationStore | None = None) -> App:
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # auth.test runs on the first request instead of here, so the App builds with Slack unreachable.
        token_verification_enabled=False,
        before_authorize=_drop_repeated_deliveries(deps),
        raise_error_for_unhandled_request=False,
        listener_executor=listener_executor(),  # carries each request's Slack ids into the listener threads' logs
        **_oauth(settings, installations),
    )
    separate_lazy_listeners(app, listener_executor())  # bot/lazy.py: an ack never waits behind earlier replies

    app.middleware(remember_slack_request)  # bot/logs.py: the request's Slack ids in every log record

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["deps"] = deps
        return next()

    app.middleware(speak_the_readers_language)  # handlers/language.py: each reader's language (needs deps)

    app.error(_report_error)
    handlers.register_all(app)
    if settings.oauth_enabled:
        app.enable_token_revocation_listeners()
    return app


def _drop_repeated_deliveries(deps: Deps) -> Callable[..., BoltResponse]:
    """Slack delivers an event again when it saw no timely ack (X-Slack-Retry-Num); act on each event_id once."""

    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id:
            try:
                with deps.db.begin() as session:
                    first = first_delivery(session, f"event:{event_id}", now=deps.clock())
            except Exception as exc:
                if not database_unavailable(exc):
                    raise
                # Not acknowledged, so Slack delivers the event again (up to 3 times, minutes apart) once the
                # database is back, instead of it being lost.
                log.warning("database unavailable; event %s left for Slack to retry: %s", event_id, exc)
                return BoltResponse(status=503, body="")
            if not first:
                log.info("dropped a repeated delivery of %s (retry %s)", event_id,
                         req.headers.get("x-slack-retry-num", ["-"])[0])
                return BoltResponse(status=200, body="")
        return next()
    return middleware


def _report_error(error: Exception, body: dict[str, Any], respond: Any, logger: logging.Logger) -> BoltResponse:
    sentence = error_sentence(error)
    if body.get("response_url"):
        try:
            respond(text=sentence, response_type="ephemeral", replace_original=False)
        except Exception:  # the log keeps both failures; Slack gets a plain answer either way
            log.exception("could not tell the person about a failure")
    return BoltResponse(status=200, body="")


def _oauth(settings: Settings, installations: SQLAlchemyInstallationStore | None) -> dict[str, Any]:
    """Multi-workspace installs when SLACK_CLIENT_ID/SECRET are set: slack_sdk's stores on our database."""
    if not settings.oauth_enabled or installations is None:
        return {}
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=installations.engine)
    oauth_settings = OAuthSettings(client_id=settings.client_id, client_secret=settings.client_secret,
                                   scopes=bot_scopes(), installation_store=installations, state_store=states)
    return {"installation_store": installations,
            "oauth_flow": OAuthFlow(client=WebClient(base_url=settings.slack_api_url), settings=oauth_settings)}
