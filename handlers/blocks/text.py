"""What people typed, put into Slack mrkdwn so that it reads as typed and does nothing else (issue 11).

Slack reads `<...>` in mrkdwn, and in a message's fallback `text`, as a mention, a broadcast or a link
(`<@U1>`, `<!channel>`, `<https://x|label>`), and shows `&amp;`, `&lt;`, `&gt;` as `&`, `<`, `>`. So a
summary, a note, a vendor's name or a command's argument is escaped before it is put into mrkdwn: then
`<!channel>` typed into a form is shown, not sent to everyone. Plain text (headers, a modal's title, an input's
initial value, option labels) shows every character as it is: nothing is escaped there.
"""

import re
from typing import overload

_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
_OPEN_TOKEN = re.compile(r"<[^>]*$")  # a `<@U1>` or `<!date^...>` token cut before its end
_OPEN_ENTITY = re.compile(r"&[a-z]{0,3}$")  # `&amp;` cut to `&am`
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab and line breaks, and DEL
ELLIPSIS = "…"
ECHOED_MAX = 80  # characters of a command's argument repeated in the sentence that refuses it


def escape(text: str) -> str:
    """`&`, `<` and `>` as Slack's entities. Slack sends a message's text already escaped, so an entity that is
    there already is kept: escaping twice changes nothing, and the text never shows `&amp;lt;`."""
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """For inside `` `...` ``: escaped, on one line, and a backtick of its own cannot end the code span early."""
    return escape(" ".join(text.split())).replace("`", "ˋ")


def bold(text: str) -> str:
    """For inside `*...*`: escaped, and an asterisk of its own cannot end the bold early."""
    return escape(text).replace("*", "∗")


def echoed(text: str) -> str:
    """A command's argument repeated in the sentence that answers it: escaped, on one line, no backtick of its own
    (the sentence's own code spans stay whole), and cut to ECHOED_MAX characters."""
    return clip(code(text), ECHOED_MAX)


def url(address: str) -> str:
    """An address someone typed, for the `<address|label>` of a link: it can neither end the token nor give it a
    label of its own."""
    return escape(address).replace("|", "%7C")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters (a Block Kit limit), ending in … when cut, and never cut through an entity
    (`&amp;`) or a token (`<@U1>`), which Slack would show as a broken piece of markup."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    cut = _OPEN_TOKEN.sub("", cut)
    cut = _OPEN_ENTITY.sub("", cut)
    return cut + ELLIPSIS


@overload
def without_controls(text: str) -> str: ...
@overload
def without_controls(text: None) -> None: ...
def without_controls(text: str | None) -> str | None:
    """What a person typed, without control characters (NUL and the like; tabs and line breaks stay). Slack's
    inputs cannot send them and PostgreSQL refuses NUL in text, so a forged request's are dropped as it is read."""
    return None if text is None else CONTROL.sub("", text)
