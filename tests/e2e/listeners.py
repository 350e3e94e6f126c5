"""Every block action and view submission the App registers, read from the App factory's own registrations, so a
test that walks them covers a listener added later without being told."""

import re
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

import handlers


@dataclass
class Registered:
    actions: list[str | re.Pattern[str]] = field(default_factory=list)
    views: list[str] = field(default_factory=list)


def registered() -> Registered:
    """The action ids (a pattern for a family of them) and view callback ids that `handlers.register_all` binds."""
    found = Registered()

    class RecordingApp(App):
        def action(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
            found.actions.append(constraints if isinstance(constraints, str | re.Pattern)
                                 else constraints["action_id"])
            return super().action(constraints, *args, **kwargs)

        def view(self, constraints: Any, *args: Any, **kwargs: Any) -> Any:
            found.views.append(constraints if isinstance(constraints, str) else constraints["callback_id"])
            return super().view(constraints, *args, **kwargs)

    handlers.register_all(RecordingApp(token="xoxb-x", signing_secret="x", token_verification_enabled=False))
    return found


def subcommands() -> list[str]:
    """The `/flexcare` subcommands, by name."""
    router = handlers.register_all(App(token="xoxb-x", signing_secret="x", token_verification_enabled=False))
    return [s.name for s in router.subcommands]
