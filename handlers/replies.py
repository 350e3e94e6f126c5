"""Failures become one sentence for the person and the whole story for the log.

Bolt's lazy listeners only log an exception's message, so every lazy listener goes through
`guarded` to keep the traceback and to answer the person (issue 4, "acknowledge first").
"""

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from domain.errors import FlexcareError
from domain.words import _

log = logging.getLogger(__name__)


def error_sentence(exc: BaseException) -> str:
    """The sentence a person sees. A FlexCare error says what to do; anything else gets an id for the log."""
    if isinstance(exc, FlexcareError):
        return str(exc)
    if database_unavailable(exc):
        log.warning("the database was unavailable; the person was asked to try again: %s", exc)
        return _("The FlexCare database is busy or restarting; please try again in a few seconds.")
    error_id = secrets.token_hex(3)
    log.error("unexpected failure [error %s]", error_id, exc_info=exc, extra={"error_id": error_id})
    return _("Sorry, something went wrong on our side (error %(error_id)s). Please try again in a minute; "
             "if it happens again, give this error id to your FlexCare administrator.", error_id=error_id)


def database_unavailable(exc: BaseException) -> bool:
    """SQLite locked past its busy timeout, PostgreSQL restarting or out of reach: the transaction the request
    was in rolled back, and the same request a little later will do."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def guarded(listener: Callable[..., None]) -> Callable[..., None]:
    """Run a lazy listener; on failure reply with `respond` (ephemeral) when the request has a response_url."""

    @functools.wraps(listener)
    def run(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception as exc:  # listener boundary: the person gets a sentence, the log the traceback
            sentence = error_sentence(exc)
            respond = kwargs.get("respond")
            if respond is not None and kwargs.get("body", {}).get("response_url"):
                respond(text=sentence, response_type="ephemeral", replace_original=False)
            elif isinstance(exc, FlexcareError):
                log.info("refused without a reply channel: %s", exc)
    return run
