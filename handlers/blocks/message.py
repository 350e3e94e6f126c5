"""The one shape every builder returns: a message's fallback text and its Block Kit blocks (STYLE §2.4)."""

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block


@dataclass(frozen=True)
class SlackMessage:
    """What `chat.postMessage`, `chat.update` and `respond` all take.

    `text` is always set: Slack shows it in notifications and to screen readers, and it is what
    remains when blocks cannot be shown. Blocks are typed `slack_sdk.models` objects, so Block Kit
    limits fail in `as_kwargs()` (their `to_dict()` validates), before any HTTP request.
    """

    text: str
    blocks: list[Block] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        blocks = None if self.blocks is None else [block.to_dict() for block in self.blocks]
        return {"text": self.text, "blocks": blocks}
