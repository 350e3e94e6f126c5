"""Outbox rendering: a notification row names a `kind` and carries plain JSON `params`; the
renderer registered for that kind turns them into a `SlackMessage` when the dispatcher posts it.

Builders register themselves with `@renderer("kind")` in their own module (handlers/blocks/<area>.py);
the composition root imports those modules, so the domain stays free of Slack (ARCHITECTURE: layers)
and a row keeps only facts, never Block Kit JSON, so a card is drawn by the code of the day it is posted.
"""

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from handlers.blocks.message import SlackMessage

Renderer = Callable[[dict[str, Any]], SlackMessage]

_RENDERERS: dict[str, Renderer] = {}

TEXT = "text"
SECTION_TEXT_MAX = 3000  # Block Kit section text limit (research/slack-platform.md §1.6)


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register `fn(params) -> SlackMessage` as the renderer of notifications of `kind`."""

    def register(fn: Renderer) -> Renderer:
        existing = _RENDERERS.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"two renderers for notification kind {kind!r}: {existing.__qualname__} and "
                             f"{fn.__qualname__}; give one of them another kind")
        _RENDERERS[kind] = fn
        return fn

    return register


def render_notification(kind: str, params: dict[str, Any]) -> SlackMessage:
    if kind not in _RENDERERS:
        _import_all_builders()
    fn = _RENDERERS.get(kind)
    if fn is None:
        known = ", ".join(sorted(_RENDERERS)) or "none"
        raise LookupError(f"no renderer for notification kind {kind!r} (known: {known}); register one with "
                          f"@renderer({kind!r}) and make sure its module is imported at start-up")
    return fn(params)


def _import_all_builders() -> None:
    """Import every builder module once, so a process that never built the App (`flexcare scheduler`,
    `flexcare sweep`) still knows every kind."""
    import handlers.blocks

    for module in pkgutil.iter_modules(handlers.blocks.__path__, "handlers.blocks."):
        importlib.import_module(module.name)


def known_kinds() -> frozenset[str]:
    return frozenset(_RENDERERS)


@renderer(TEXT)
def text_notice(params: dict[str, Any]) -> SlackMessage:
    """A plain notice, params {"text": "..."}: operator notices and tests."""
    text = str(params["text"])
    if len(text) > SECTION_TEXT_MAX:  # a section refuses more; the plain text field takes it all
        return SlackMessage(text=text)
    return SlackMessage(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
