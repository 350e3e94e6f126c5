"""`/flexcare contract`, `link` and `unlink`: which contract a channel serves, and what it covers."""

from domain.access import Action
from domain.calendar import ServiceCalendar
from domain.contracts import channels
from domain.contracts.records import CHANNEL_PURPOSES
from domain.errors import FlexcareError
from domain.words import N_, _
from handlers.blocks import contract as blocks
from handlers.blocks.text import echoed
from handlers.context import choose_contract
from handlers.router import Invocation, Router


def register(router: Router) -> None:
    router.add("contract", usage="contract [CONTRACT-ID]",
               summary=N_("Show the contract: coverage, hours, term, the people and channels."))(show_contract)
    router.add("link", usage="link CONTRACT-ID [incidents|alerts|reviews]",
               summary=N_("Link this channel to a contract (customer admins and vendor staff)."))(link)
    router.add("unlink", usage="unlink", summary=N_("Unlink this channel from its contract."))(unlink)


def show_contract(invocation: Invocation) -> None:
    named = invocation.args[0] if invocation.args else None
    now = invocation.deps.clock()
    with invocation.deps.db() as session:
        contract = choose_contract(session, user=invocation.user, channel=invocation.channel,
                                   team=invocation.team, named=named, usage="contract")
        hours = ServiceCalendar.business_hours_for(contract)
        open_now = contract.around_the_clock or hours.is_service_time(now)
        message = blocks.contract_card(contract, now=now, open_now=open_now,
                                       next_opening=None if open_now else hours.next_service_start(now))
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def link(invocation: Invocation) -> None:
    if not invocation.args:
        raise FlexcareError(_("Say which contract: `/flexcare link CONTRACT-ID [incidents|alerts|reviews]`."))
    purpose = invocation.args[1].lower() if len(invocation.args) > 1 else "incidents"
    if purpose not in CHANNEL_PURPOSES:
        raise FlexcareError(_("%(purpose)s is not a channel purpose; use incidents, alerts or reviews.",
                              purpose=echoed(purpose)))
    with invocation.deps.db.begin() as session:
        contract = choose_contract(session, user=invocation.user, channel=None, team=invocation.team,
                                   named=invocation.args[0], action=Action.LINK_CHANNEL)
        new = channels.link_channel(session, contract=contract, channel_id=invocation.channel, purpose=purpose)
        reply = blocks.linked(contract.id, purpose, new=new)
    invocation.respond(text=reply, response_type="ephemeral")


def unlink(invocation: Invocation) -> None:
    with invocation.deps.db.begin() as session:
        contract = channels.contract_of_channel(session, invocation.channel, team_id=invocation.team)
        if contract is None:
            raise FlexcareError(_("This channel is not linked to any contract."))
        choose_contract(session, user=invocation.user, channel=None, team=invocation.team, named=contract.id,
                        action=Action.LINK_CHANNEL)
        purposes = channels.unlink_channel(session, contract=contract, channel_id=invocation.channel)
        reply = blocks.unlinked(contract.id, purposes)
    invocation.respond(text=reply, response_type="ephemeral")
