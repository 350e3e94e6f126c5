"""`/flexcare SUBCOMMAND ...`: a registry each handler module adds its subcommands to."""

import difflib
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Respond
from slack_sdk import WebClient

from handlers.deps import Deps


@dataclass(frozen=True)
class Invocation:
    """One `/flexcare` call, parsed: who, where, and the words after the subcommand."""

    user: str
    channel: str
    team: str | None
    args: tuple[str, ...]
    trigger_id: str
    deps: Deps
    client: WebClient
    respond: Respond


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str  # e.g. "contract [CONTRACT-ID]"
    summary: str  # one line for `/flexcare help`, a catalogue message id
    run: Callable[[Invocation], None]


class Router:
    def __init__(self) -> None:
        self._subcommands: dict[str, Subcommand] = {}

    def add(self, name: str, *, usage: str, summary: str) -> Callable[[Callable[[Invocation], None]],
                                                                        Callable[[Invocation], None]]:
        def decorator(run: Callable[[Invocation], None]) -> Callable[[Invocation], None]:
            if name in self._subcommands:
                raise ValueError(f"/flexcare {name} is registered twice")
            self._subcommands[name] = Subcommand(name, usage, summary, run)
            return run
        return decorator

    @property
    def subcommands(self) -> list[Subcommand]:
        return sorted(self._subcommands.values(), key=lambda s: s.name)

    def find(self, name: str) -> Subcommand | None:
        return self._subcommands.get(name.lower())

    def closest(self, name: str) -> str | None:
        matches = difflib.get_close_matches(name.lower(), list(self._subcommands), n=1, cutoff=0.5)
        return matches[0] if matches else None


def split_words(text: str) -> list[str]:
    """Words as a shell would split them (quotes group), forgiving an unbalanced quote."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
