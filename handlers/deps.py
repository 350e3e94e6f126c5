"""What every listener may use, handed in by one middleware as `deps` (STYLE 2.3)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from domain.points.menu import ServiceMenu


@dataclass(frozen=True)
class Deps:
    db: sessionmaker[Session]  # the factory, never an open session
    clock: Callable[[], datetime]  # aware UTC now; tests freeze it
    kick_outbox: Callable[[], None]  # wake the dispatcher once a transaction wrote notifications
    menu: ServiceMenu | None = None  # FLEXCARE_SERVICE_MENU, loaded once at start; None: the shipped example menu
    locale_ttl: timedelta = timedelta(hours=24)  # FLEXCARE_LOCALE_TTL_HOURS: how long Slack's locale is trusted
    # handlers/language.py: each reader's language for a minute, (team, user, channel) -> (language, until).
    languages: dict[tuple[str | None, str, str | None], tuple[str, datetime]] = field(default_factory=dict)

    def __deepcopy__(self, memo: dict[int, Any]) -> "Deps":
        # Bolt deep-copies the request context for lazy listeners; these are shared process-wide
        # resources (a pool, a clock), so the copy is the same object.
        return self
