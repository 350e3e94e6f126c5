"""The one catalogue function every user-facing sentence goes through (gettext).

Whole sentences with named `%(placeholders)s`, never fragments glued together, so a translator
sees the sentence as a reader will. `%`-style because Slack text is full of literal braces
(`<!date^...^{date_short}|...>`). Catalogues live in `locale/<lang>/LC_MESSAGES/flexcare.po`;
with none installed the English message ids are shown as they are.
"""

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "en"
_language: ContextVar[str] = ContextVar("flexcare_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation("flexcare", LOCALE_DIR, languages=[language.replace("-", "_")], fallback=True)


def _(message: str, /, **params: Any) -> str:
    """Translate `message` into the current reader's language and fill in its named placeholders."""
    text = _catalogue(_language.get()).gettext(message)
    return text % params if params else text


def n_(singular: str, plural: str, count: int, /, **params: Any) -> str:
    """The plural-aware form: `count` picks the form and is available as `%(count)s`."""
    text = _catalogue(_language.get()).ngettext(singular, plural, count)
    return text % {"count": count, **params}


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Render everything inside in `language` (a person's or a channel's contract's)."""
    token = _language.set(language or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)
