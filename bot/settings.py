"""Settings from the environment (and an optional `.env`), checked once at start.

A bad value stops the process with one line naming the variable and what is wrong (exit 2),
so an operator never has to read a traceback to fix a typo.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///flexcare.db"
SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """One environment variable has a value the bot cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    database_url: URL
    slack_api_url: str = SLACK_API_URL
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    contracts_file: Path | None = None
    service_menu_file: Path | None = None
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one object a line (bot/logs.py)
    locale_ttl: timedelta = timedelta(hours=24)  # how long a person's Slack locale is trusted (issue 10)

    @property
    def oauth_enabled(self) -> bool:
        """Multi-workspace installs: only when both OAuth credentials are configured."""
        return bool(self.client_id and self.client_secret)


def load_settings(environ: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value or None

    return Settings(
        database_url=_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        slack_api_url=_api_url(get("SLACK_API_URL") or SLACK_API_URL),
        bot_token=_token("SLACK_BOT_TOKEN", get("SLACK_BOT_TOKEN"), "xoxb-"),
        app_token=_token("SLACK_APP_TOKEN", get("SLACK_APP_TOKEN"), "xapp-"),
        signing_secret=get("SLACK_SIGNING_SECRET"),
        client_id=get("SLACK_CLIENT_ID"),
        client_secret=get("SLACK_CLIENT_SECRET"),
        contracts_file=_file("FLEXCARE_CONTRACTS", get("FLEXCARE_CONTRACTS")),
        service_menu_file=_file("FLEXCARE_SERVICE_MENU", get("FLEXCARE_SERVICE_MENU")),
        log_level=_log_level(get("FLEXCARE_LOG_LEVEL") or "INFO"),
        log_format=_log_format(get("LOG_FORMAT") or "text"),
        locale_ttl=_hours("FLEXCARE_LOCALE_TTL_HOURS", get("FLEXCARE_LOCALE_TTL_HOURS") or "24"),
    )


def _database_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError("DATABASE_URL", f"{raw!r} is not a database URL; "
                            "use e.g. sqlite:///flexcare.db or postgresql://user@host/db") from None
    backend = url.get_backend_name()
    if backend == "postgres" or (backend == "postgresql" and url.get_driver_name() != "psycopg"):
        # psycopg 3 is the driver we ship; accept the plain spellings people paste.
        return url.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise SettingsError("DATABASE_URL", f"{backend!r} is not supported; use sqlite or postgresql")
    return url


def _api_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("SLACK_API_URL", f"{raw!r} is not an http(s) URL such as {SLACK_API_URL}")
    return raw if raw.endswith("/") else raw + "/"


def _token(variable: str, value: str | None, prefix: str) -> str | None:
    if value is not None and not value.startswith(prefix):
        raise SettingsError(variable, f"expected a token starting with {prefix!r}; "
                            "copy it from your app's settings page at api.slack.com/apps")
    return value


def _file(variable: str, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise SettingsError(variable, f"no file at {value!r}")
    return path


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError("FLEXCARE_LOG_LEVEL", f"{value!r} is not one of DEBUG, INFO, WARNING, ERROR")
    return level


def _log_format(value: str) -> str:
    if value.lower() not in ("text", "json"):
        raise SettingsError("LOG_FORMAT", f"{value!r} is not text or json")
    return value.lower()


def _hours(variable: str, value: str) -> timedelta:
    try:
        hours = float(value)
    except ValueError:
        raise SettingsError(variable, f"{value!r} is not a number of hours, such as 24") from None
    if not 0 < hours <= 24 * 365:  # NaN fails this too
        raise SettingsError(variable, f"{value!r} is out of range: use more than 0 and at most a year, such as 24")
    return timedelta(hours=hours)
