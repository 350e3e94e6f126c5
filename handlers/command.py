"""`/flexcare`: acknowledge at once, then route to the subcommand that owns the first word."""

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from domain.words import N_, _
from handlers.blocks import command as blocks
from handlers.blocks.text import echoed, without_controls
from handlers.deps import Deps
from handlers.replies import guarded
from handlers.router import Invocation, Router, split_words

COMMAND = "/flexcare"


def acknowledge(ack: Ack) -> None:
    # An empty ack shows nothing; the answer follows through respond() from the lazy listener,
    # so a slow database never costs Slack's 3-second deadline.
    ack()


def make_command_listener(router: Router):  # type: ignore[no-untyped-def]
    @guarded
    def run_command(body: dict, command: dict, respond: Respond, client: WebClient, deps: Deps) -> None:  # type: ignore[type-arg]
        words = split_words(without_controls(command.get("text", "")))
        name = words[0].lower() if words else "help"
        invocation = Invocation(user=command["user_id"], channel=command["channel_id"],
                                team=command.get("team_id"), args=tuple(words[1:]),
                                trigger_id=command.get("trigger_id", ""), deps=deps, client=client, respond=respond)
        subcommand = router.find(name)
        if subcommand is not None:
            subcommand.run(invocation)
            return
        suggestion = router.closest(name)
        name = echoed(name)  # echoed in a code span: escaped, so `<!channel>` pings nobody
        text = (_("`%(command)s %(name)s` is not a command. Did you mean `%(command)s %(suggestion)s`? "
                  "`%(command)s help` lists them all.", command=COMMAND, name=name, suggestion=suggestion)
                if suggestion else
                _("`%(command)s %(name)s` is not a command. `%(command)s help` lists them all.",
                  command=COMMAND, name=name))
        respond(text=text, response_type="ephemeral")
    return run_command


def register(app: App, router: Router) -> None:
    @router.add("help", usage="help", summary=N_("List every command with what it does."))
    def show_help(invocation: Invocation) -> None:
        message = blocks.help_message(COMMAND, router.subcommands)
        invocation.respond(response_type="ephemeral", **message.as_kwargs())

    app.command(COMMAND)(ack=acknowledge, lazy=[make_command_listener(router)])
