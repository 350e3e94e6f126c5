"""Fill in a modal the way a person would: answers in, the view's `state.values` out, in the
exact shape Slack gives each element type. Only what Slack's client allows can be submitted:
a select takes one of its options, a required input cannot be left empty.
"""

from collections.abc import Iterator, Mapping
from datetime import date, time
from typing import Any

STATEFUL_CONTAINERS = ("input", "actions", "section")


class FillError(ValueError):
    """The answers do not fit the modal; the message says which field and what it accepts."""


def elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) for every interactive element: input elements, actions, section accessories."""
    for block in blocks:
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            yield block, block["element"]
        elif block.get("type") == "actions":
            for element in block.get("elements", []):
                yield block, element
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            yield block, block["accessory"]


def find_element(blocks: list[dict[str, Any]], action_id: str,
                 block_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The first element with `action_id` (in block `block_id`, when given: action ids repeat across blocks)."""
    return next(((b, e) for b, e in elements(blocks)
                 if e.get("action_id") == action_id and block_id in (None, b.get("block_id"))), None)


def fill(view: Mapping[str, Any], answers: Mapping[str, Any], *, require: bool = True) -> dict[str, Any]:
    """`state.values` for `view` with `answers` keyed by block_id (or action_id).

    Values are what a person picks: text, an option's value (or its label), a list for multi-selects,
    "YYYY-MM-DD" / "HH:MM" for pickers, user or channel ids. Unanswered inputs keep their initial value
    or come back empty, as Slack sends them; with `require`, an unanswered required input is an error.
    """
    blocks = list(view.get("blocks", []))
    found = [(b, e) for b, e in elements(blocks) if e.get("action_id") and _is_stateful(e)]
    known = {b.get("block_id") for b, _ in found} | {e.get("action_id") for _, e in found}
    unknown = [key for key in answers if key not in known]
    if unknown:
        names = ", ".join(sorted(str(b.get("block_id")) for b, e in found if b.get("type") == "input"))
        raise FillError(f"this modal has no field {', '.join(map(repr, unknown))}; its fields are: {names}")
    values: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for block, element in found:
        key = str(block.get("block_id") if block.get("block_id") in answers else element.get("action_id"))
        if key in answers:
            state = element_state(element, answers[key], _label(block, element))
        elif block.get("type") == "input":
            state = _initial(element)
            if require and not block.get("optional") and _is_empty(state):
                missing.append(_label(block, element))
        else:
            continue  # an untouched button or select outside an input block has no state
        values.setdefault(str(block.get("block_id")), {})[str(element["action_id"])] = state
    if missing:
        raise FillError(f"required, but not answered: {', '.join(missing)}")
    return values


def _is_stateful(element: Mapping[str, Any]) -> bool:
    kind = str(element.get("type", ""))
    return kind not in ("button", "overflow", "image", "workflow_button")


def _label(block: Mapping[str, Any], element: Mapping[str, Any]) -> str:
    label = block.get("label", {}).get("text") if isinstance(block.get("label"), dict) else None
    return f"{label} ({block.get('block_id')})" if label else str(block.get("block_id") or element.get("action_id"))


def _is_empty(state: Mapping[str, Any]) -> bool:
    return all(v in (None, [], "") for k, v in state.items() if k != "type")


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options.extend(group.get("options", []))
    return options


def _pick(element: Mapping[str, Any], answer: Any, label: str) -> dict[str, Any]:
    options = _options(element)
    if not options and element.get("type", "").startswith(("external_select", "multi_external_select")):
        return {"text": {"type": "plain_text", "text": str(answer)}, "value": str(answer)}
    for option in options:
        if option.get("value") == str(answer):
            return dict(option)
    for option in options:  # a person reads labels; accept one when no value matches
        if str(option.get("text", {}).get("text", "")).casefold() == str(answer).casefold():
            return dict(option)
    offered = ", ".join(f"{o.get('value')!r}" for o in options)
    raise FillError(f"{label}: {answer!r} is not one of the options offered ({offered})")


def _many(answer: Any) -> list[Any]:
    if isinstance(answer, str):
        return [part.strip() for part in answer.split(",") if part.strip()]
    return list(answer)


def element_state(element: Mapping[str, Any], answer: Any, label: str) -> dict[str, Any]:
    """What Slack reports for `element` once a person has answered `answer` (`label` names it in errors)."""
    kind = str(element.get("type"))
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        state["value"] = None if answer is None else str(answer)
    elif kind == "rich_text_input":
        state["rich_text_value"] = {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": str(answer)}]}]}
    elif kind in ("static_select", "external_select", "radio_buttons"):
        state["selected_option"] = _pick(element, answer, label)
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        state["selected_options"] = [_pick(element, one, label) for one in _many(answer)]
    elif kind == "datepicker":
        state["selected_date"] = _checked(answer, date.fromisoformat, label, "a date like 2026-12-01")
    elif kind == "timepicker":
        state["selected_time"] = _checked(answer, time.fromisoformat, label, "a time like 09:30")[:5]
    elif kind == "datetimepicker":
        state["selected_date_time"] = int(answer)
    elif kind in _PICKERS:
        single, many = _PICKERS[kind]
        state[many or single] = _many(answer) if many else str(answer)
    else:
        raise FillError(f"{label}: cannot fill a {kind} element")
    return state


_PICKERS: dict[str, tuple[str, str | None]] = {
    "users_select": ("selected_user", None), "multi_users_select": ("", "selected_users"),
    "conversations_select": ("selected_conversation", None),
    "multi_conversations_select": ("", "selected_conversations"),
    "channels_select": ("selected_channel", None), "multi_channels_select": ("", "selected_channels"),
}


def _checked(answer: Any, parse: Any, label: str, shape: str) -> str:
    text = answer.isoformat() if isinstance(answer, date | time) else str(answer)
    try:
        parse(text)
    except ValueError:
        raise FillError(f"{label}: {answer!r} is not {shape}") from None
    return text


def _initial(element: Mapping[str, Any]) -> dict[str, Any]:
    """The state of an input the person left alone: its initial value, or Slack's empty value."""
    kind = str(element.get("type"))
    initial_keys = {
        "value": "initial_value", "selected_option": "initial_option", "selected_options": "initial_options",
        "selected_date": "initial_date", "selected_time": "initial_time", "selected_date_time": "initial_date_time",
        "selected_user": "initial_user", "selected_users": "initial_users",
        "selected_conversation": "initial_conversation", "selected_conversations": "initial_conversations",
        "selected_channel": "initial_channel", "selected_channels": "initial_channels",
        "rich_text_value": "initial_value",
    }
    key = _STATE_KEYS.get(kind, "value")
    empty: Any = [] if key.endswith("s") else None  # selected_options, selected_users...
    return {"type": kind, key: element.get(initial_keys[key], empty)}


_STATE_KEYS = {
    "plain_text_input": "value", "number_input": "value", "email_text_input": "value", "url_text_input": "value",
    "rich_text_input": "rich_text_value", "static_select": "selected_option", "external_select": "selected_option",
    "radio_buttons": "selected_option", "multi_static_select": "selected_options",
    "multi_external_select": "selected_options", "checkboxes": "selected_options", "datepicker": "selected_date",
    "timepicker": "selected_time", "datetimepicker": "selected_date_time",
    **{kind: many or single for kind, (single, many) in _PICKERS.items()},
}
