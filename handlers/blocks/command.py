"""Replies of the `/flexcare` router itself."""

from collections.abc import Sequence

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from domain.words import _
from handlers.blocks.message import SlackMessage
from handlers.router import Subcommand


def help_message(command: str, subcommands: Sequence[Subcommand]) -> SlackMessage:
    lines = "\n".join(f"`{command} {s.usage}`  {_(s.summary)}" for s in subcommands)
    return SlackMessage(
        text=_("FlexCare commands: %(names)s", names=", ".join(s.name for s in subcommands)),
        blocks=[
            HeaderBlock(text=_("FlexCare commands")),
            SectionBlock(text=MarkdownTextObject(text=lines)),
            ContextBlock(elements=[MarkdownTextObject(text=_(
                "In a channel linked to a contract, commands act on that contract; elsewhere on yours."))]),
        ],
    )
