"""Block Kit as plain text for a terminal: what a person would read in Slack, compact and stable.

Slack's mrkdwn tokens are resolved for reading (`<@U1>` -> `@name`, `<#C1|ops>` -> `#ops`,
`<!date^...|fallback>` -> the fallback, `<url|label>` -> `label (url)`); other mrkdwn (*bold*,
_italic_, `code`) is left as typed, which reads well enough in a terminal.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

Users = Mapping[str, str]
DIVIDER = "-" * 32
_TOKEN = re.compile(r"<([^<>\n]+)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def render_message(message: Mapping[str, Any], *, users: Users | None = None) -> str:
    """A message (a chat.postMessage call's args, a stored message or a response_url body) as text."""
    users = users or {}
    blocks = message.get("blocks") or []
    lines = _blocks(blocks, users) if blocks else [mrkdwn(str(message.get("text") or ""), users)]
    for attachment in message.get("attachments") or []:
        lines.extend("| " + line for line in _attachment(attachment, users))
    if message.get("files"):
        lines.extend(f"[file: {f.get('title') or f.get('name')}]" for f in message["files"])
    return _tidy(lines)


def render_view(view: Mapping[str, Any], *, users: Users | None = None) -> str:
    """A modal (title, blocks, Submit/Close buttons) or a home tab (blocks only) as text."""
    users = users or {}
    lines: list[str] = []
    if view.get("title"):
        lines.append(f"=== {_plain(view['title'], users)} ===")
    lines.extend(_blocks(view.get("blocks") or [], users))
    buttons = [f"[ {_plain(view[key], users)} ]" for key in ("submit", "close") if view.get(key)]
    if view.get("type", "modal") == "modal" and buttons:
        lines.append("  ".join(buttons))
    return _tidy(lines)


def mrkdwn(text: str, users: Users | None = None) -> str:
    """Resolve Slack's `<...>` tokens in `text` for reading, then its HTML entities."""
    users = users or {}
    resolved = _TOKEN.sub(lambda match: _token(match.group(1), users), text)
    for entity, char in _ENTITIES:
        resolved = resolved.replace(entity, char)
    return resolved


def _token(inner: str, users: Users) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user = target[1:]
        return "@" + users.get(user, label or user)
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        command = target[1:].split("^")[0]
        if command == "date":
            return label or target
        if command == "subteam":
            return label if label.startswith("@") else "@" + (label or target.split("^")[-1])
        return "@" + command  # !here, !channel, !everyone
    return f"{label} ({target})" if label and label != target else target


def _plain(text: Any, users: Users) -> str:
    if not isinstance(text, Mapping):
        return str(text or "")
    value = str(text.get("text", ""))
    return mrkdwn(value, users) if text.get("type") == "mrkdwn" else value


def _blocks(blocks: Iterable[Mapping[str, Any]], users: Users) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines.extend(_block(block, users))
    return lines


def _block(block: Mapping[str, Any], users: Users) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"# {_plain(block.get('text'), users)}"]
    if kind == "divider":
        return [DIVIDER]
    if kind == "section":
        lines = _plain(block.get("text"), users).splitlines() if block.get("text") else []
        for field in block.get("fields") or []:
            lines.extend("  " + line for line in _plain(field, users).splitlines())
        if block.get("accessory"):
            lines.append("  " + _element(block["accessory"], users))
        return lines
    if kind == "context":
        return ["  " + "  ".join(_context_part(e, users) for e in block.get("elements") or [])]
    if kind == "actions":
        return ["  ".join(_element(e, users) for e in block.get("elements") or [])]
    if kind == "input":
        return [_input(block, users)]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return _rich_text(block.get("elements") or [], users)
    if kind == "markdown":
        return str(block.get("text", "")).splitlines()
    return [f"[{kind}]"]


def _context_part(element: Mapping[str, Any], users: Users) -> str:
    if element.get("type") == "image":
        return f"[image: {element.get('alt_text', '')}]"
    return _plain(element, users)


def _input(block: Mapping[str, Any], users: Users) -> str:
    element = block.get("element") or {}
    line = f"{_plain(block.get('label'), users)}: {_element(element, users, blank='____')}"
    if block.get("optional"):
        line += " (optional)"
    if block.get("hint"):
        line += f" ({_plain(block['hint'], users)})"
    options = _options(element)
    if options and element.get("type") not in ("radio_buttons", "checkboxes"):
        line += "\n    options: " + " | ".join(_option_label(o, users) for o in options)
    if block.get("block_id"):
        line += f"\n    [field: {block['block_id']}]"  # what `submit FIELD=...` in the console refers to
    return line


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option_label(option: Mapping[str, Any], users: Users) -> str:
    text, value = _plain(option.get("text"), users), str(option.get("value", ""))
    return text if value in ("", text) else f"{text} ({value})"


def _element(element: Mapping[str, Any], users: Users, *, blank: str = "") -> str:
    kind = str(element.get("type", ""))
    placeholder = _plain(element.get("placeholder"), users)
    if kind in ("button", "workflow_button"):
        return f"[ {_plain(element.get('text'), users)} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind == "overflow":
        return "[ ... ]"
    if kind in ("radio_buttons", "checkboxes"):
        chosen = [element.get("initial_option")] if kind == "radio_buttons" else element.get("initial_options") or []
        marks = ("(x)", "( )") if kind == "radio_buttons" else ("[x]", "[ ]")
        return "  ".join(f"{marks[0] if o in chosen else marks[1]} {_plain(o.get('text'), users)}"
                         for o in _options(element))
    if kind.endswith("select"):
        initial = element.get("initial_option") or {}
        picked = [_plain(o.get("text"), users) for o in element.get("initial_options") or []]
        shown = _plain(initial.get("text"), users) if initial else ", ".join(picked)
        for key in ("initial_user", "initial_conversation", "initial_channel"):
            if element.get(key):
                shown = mrkdwn(f"<{'@' if key == 'initial_user' else '#'}{element[key]}>", users)
        return f"[ {shown or placeholder or 'Choose'} v ]"
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        value = element.get("initial_date") or element.get("initial_time") or element.get("initial_date_time")
        return f"[ {kind.removesuffix('picker')}: {value or placeholder or blank or '____'} ]"
    if kind.endswith("input"):
        return str(element.get("initial_value") or "") or (f"{blank} {placeholder}".strip() if blank else placeholder)
    return f"[{kind}]"


def _rich_text(elements: Iterable[Mapping[str, Any]], users: Users, indent: str = "") -> list[str]:
    lines: list[str] = []
    for element in elements:
        kind = element.get("type")
        children = element.get("elements") or []
        if kind == "rich_text_list":
            for number, item in enumerate(children, start=1):
                bullet = f"{number}." if element.get("style") == "ordered" else "•"
                nested = _rich_text([item], users)
                lines.extend([f"{indent}{bullet} {nested[0] if nested else ''}",
                              *(f"{indent}  {line}" for line in nested[1:])])
        elif kind == "rich_text_quote":
            lines.extend(f"{indent}> {line}" for line in _inline(children, users).splitlines())
        elif kind == "rich_text_preformatted":
            lines.extend(f"{indent}    {line}" for line in _inline(children, users).splitlines())
        else:
            lines.extend(indent + line for line in _inline(children, users).splitlines())
    return lines


def _inline(elements: Iterable[Mapping[str, Any]], users: Users) -> str:
    parts: list[str] = []
    for element in elements:
        kind = element.get("type")
        if kind == "text":
            parts.append(str(element.get("text", "")))
        elif kind == "link":
            url, text = str(element.get("url", "")), element.get("text")
            parts.append(f"{text} ({url})" if text and text != url else url)
        elif kind == "user":
            user = str(element.get("user_id", ""))
            parts.append("@" + users.get(user, user))
        elif kind == "channel":
            parts.append("#" + str(element.get("channel_id", "")))
        elif kind == "usergroup":
            parts.append("@" + str(element.get("usergroup_id", "")))
        elif kind == "emoji":
            parts.append(f":{element.get('name', '')}:")
        elif kind == "broadcast":
            parts.append("@" + str(element.get("range", "")))
        elif kind == "date":
            parts.append(str(element.get("fallback") or element.get("timestamp", "")))
        else:
            parts.append(str(element.get("text") or element.get("value") or ""))
    return "".join(parts)


def _attachment(attachment: Mapping[str, Any], users: Users) -> list[str]:
    lines = [mrkdwn(str(attachment[key]), users) for key in ("pretext", "title", "text") if attachment.get(key)]
    for field in attachment.get("fields") or []:
        lines.append(f"{field.get('title', '')}: {mrkdwn(str(field.get('value', '')), users)}")
    lines.extend(_blocks(attachment.get("blocks") or [], users))
    if not lines and attachment.get("fallback"):
        lines.append(str(attachment["fallback"]))
    return [line for chunk in lines for line in chunk.splitlines()]


def _tidy(lines: Iterable[str]) -> str:
    """Strip trailing spaces and keep at most one blank line in a row."""
    out: list[str] = []
    for line in "\n".join(lines).splitlines():
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")
