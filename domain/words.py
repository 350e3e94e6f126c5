"""The one catalogue function every user-facing sentence goes through (gettext).

Whole sentences with named `%(placeholders)s`, never fragments glued together, so a translator
sees the sentence as a reader will. `%`-style because Slack text is full of literal braces
(`<!date^...^{date_short}|...>`). Catalogues are `locale/<lang>/LC_MESSAGES/flexcare.po`,
managed with pybabel (README, "Translations"); each is compiled in memory the first time a
reader needs it, so a `.mo` can never be older than its `.po`.
"""

import gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "zh-TW")  # shipped complete; a contract's `language` and a person's choice are one of these
_language: ContextVar[str] = ContextVar("flexcare_language", default=DEFAULT_LANGUAGE)
# Called with every message id looked up; the test suite uses it to catch ids built at run time (`_(status)`)
# that extraction cannot see and so were never translated (tests/i18n/catalogue_watch.py).
observer: Callable[[str], None] | None = None


@lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / language.replace("-", "_") / "LC_MESSAGES" / "flexcare.po"
    if not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo  # only when a catalogue is first needed
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=language.replace("-", "_"))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str, /) -> str:
    """Mark a sentence kept in a table for extraction; `_()` translates it where it is shown."""
    return message


def _(message: str, /, **params: Any) -> str:
    """Translate `message` into the current reader's language and fill in its named placeholders."""
    if observer is not None and message:
        observer(message)
    text = _catalogue(_language.get()).gettext(message) if message else ""  # gettext("") is the header
    return text % params if params else text


def n_(singular: str, plural: str, count: int, /, **params: Any) -> str:
    """The plural-aware form: `count` picks the form and is available as `%(count)s`."""
    if observer is not None:
        observer(singular)
    text = _catalogue(_language.get()).ngettext(singular, plural, count)
    return text % {"count": count, **params}


def current_language() -> str:
    """The language being spoken now (`speaking`'s)."""
    return _language.get()


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Render everything inside in `language` (a person's or a channel's contract's)."""
    token = _language.set(language or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def speak(language: str | None) -> None:
    """Speak `language` from now on in this context: for a request's middleware, which Bolt returns from
    before the listener runs (so no `with` can span both); each request sets it afresh."""
    _language.set(language or DEFAULT_LANGUAGE)
