"""Block Kit's limits, checked on what a builder returns (issue 10, part 5).

slack_sdk's models already refuse some things when `to_dict()` runs (a section's text over 3000, a button's over
75, a modal title over 24); the limits below are the rest, and the ones Slack only enforces when the request
arrives (`invalid_blocks`): blocks per message or view, ids that must be unique, text in fields and context
elements, an initial option that is not among the options. Numbers from Slack's Block Kit reference.
"""

from collections import Counter
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from handlers.blocks.message import SlackMessage

MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
MESSAGE_TEXT = 40_000
HEADER, BUTTON, OPTION, OPTION_DESCRIPTION, OPTION_VALUE = 150, 75, 75, 75, 150
VIEW_TITLE = 24  # title, submit and close of a modal
SECTION_TEXT, FIELD_TEXT, FIELDS, CONTEXT_TEXT, CONTEXT_ELEMENTS = 3000, 2000, 10, 2000, 10
ACTIONS_ELEMENTS, LABEL, HINT, PLACEHOLDER, BUTTON_VALUE, ID = 25, 2000, 2000, 150, 2000, 255
PRIVATE_METADATA = 3000
OPTIONS = {"static_select": 100, "radio_buttons": 10, "checkboxes": 10, "overflow": 5}


def message_problems(message: SlackMessage) -> list[str]:
    """What Slack would refuse in a message (chat.postMessage, chat.update, respond)."""
    payload = message.as_kwargs()  # slack_sdk validates every block here
    problems = [] if message.text else ["the fallback text is empty"]
    if len(message.text) > MESSAGE_TEXT:
        problems.append(f"the fallback text has {len(message.text)} characters (at most {MESSAGE_TEXT})")
    return problems + blocks_problems(payload["blocks"] or [], limit=MESSAGE_BLOCKS)


def view_problems(view: View) -> list[str]:
    """What Slack would refuse in a modal (views.open, views.update) or the App Home (views.publish)."""
    payload = View(**view.to_dict()).to_dict()  # built again from its JSON: the SDK validates it twice
    problems = []
    for name in ("title", "submit", "close"):
        text = (payload.get(name) or {}).get("text", "")
        if len(text) > VIEW_TITLE:
            problems.append(f"the modal's {name} {text!r} has {len(text)} characters (at most {VIEW_TITLE})")
    if len(payload.get("private_metadata") or "") > PRIVATE_METADATA:
        problems.append(f"private_metadata is over {PRIVATE_METADATA} characters")
    return problems + blocks_problems(payload.get("blocks") or [], limit=VIEW_BLOCKS)


def blocks_problems(blocks: list[dict[str, Any]], *, limit: int) -> list[str]:
    problems = [f"{len(blocks)} blocks (at most {limit})"] if len(blocks) > limit else []
    repeated = [i for i, n in Counter(b["block_id"] for b in blocks if "block_id" in b).items() if n > 1]
    problems += [f"block_id {i!r} is used twice" for i in repeated]
    for number, block in enumerate(blocks):
        parsed = Block.parse(block)  # every block reads back through slack_sdk's models
        if parsed is None:
            problems.append(f"block {number} ({block.get('type')}) is not a Block Kit block")
            continue
        parsed.to_dict()
        problems += [f"block {number} ({block['type']}): {p}" for p in _block(block)]
    return problems


def _block(block: dict[str, Any]) -> list[str]:
    problems = _over(block.get("block_id"), ID, "block_id")
    kind = block["type"]
    if kind == "header":
        problems += _over(block["text"]["text"], HEADER, "header text")
    elif kind == "section":
        problems += _over((block.get("text") or {}).get("text"), SECTION_TEXT, "section text")
        fields = block.get("fields") or []
        problems += [f"{len(fields)} fields (at most {FIELDS})"] if len(fields) > FIELDS else []
        for field in fields:
            problems += _over(field["text"], FIELD_TEXT, "field text")
    elif kind == "context":
        elements = block["elements"]
        problems += [f"{len(elements)} elements (at most {CONTEXT_ELEMENTS})"] if len(elements) > CONTEXT_ELEMENTS \
            else []
        for element in elements:
            problems += _over(element.get("text"), CONTEXT_TEXT, "context element text")
    elif kind == "input":
        problems += _over(block["label"]["text"], LABEL, "input label")
        problems += _over((block.get("hint") or {}).get("text"), HINT, "input hint")
    elements = [*block.get("elements", []), *(e for e in (block.get("accessory"), block.get("element")) if e)]
    if kind == "actions" and len(elements) > ACTIONS_ELEMENTS:
        problems.append(f"{len(elements)} elements (at most {ACTIONS_ELEMENTS})")
    interactive = [e for e in elements if "action_id" in e]
    repeated = [i for i, n in Counter(e["action_id"] for e in interactive).items() if n > 1]
    problems += [f"action_id {i!r} is used twice in the block" for i in repeated]
    for element in interactive:
        problems += _element(element)
    return problems


def _element(element: dict[str, Any]) -> list[str]:
    problems = _over(element["action_id"], ID, "action_id")
    if element["type"] == "button":
        problems += _over(element["text"]["text"], BUTTON, "button text")
        problems += _over(element.get("value"), BUTTON_VALUE, "button value")
    problems += _over((element.get("placeholder") or {}).get("text"), PLACEHOLDER, "placeholder")
    options = element.get("options") or []
    most = OPTIONS.get(element["type"])
    if most is not None and len(options) > most:
        problems.append(f"{element['type']} has {len(options)} options (at most {most})")
    for option in options:
        problems += _over(option["text"]["text"], OPTION, "option text")
        problems += _over((option.get("description") or {}).get("text"), OPTION_DESCRIPTION, "option description")
        problems += _over(option["value"], OPTION_VALUE, "option value")
    chosen = element.get("initial_option")
    if chosen is not None and chosen not in options:
        problems.append(f"the initial option {chosen['value']!r} of {element['action_id']!r} is not one of its options")
    return problems


def _over(text: str | None, limit: int, what: str) -> list[str]:
    if text is None or len(text) <= limit:
        return []
    return [f"{what} has {len(text)} characters (at most {limit}): {text[:60]!r}…"]
