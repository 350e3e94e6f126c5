"""Which contract a request is about: the one named, the channel's, or the person's own."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, in_workspace, require
from domain.contracts.channels import contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError, NotAllowed
from domain.words import _
from handlers.blocks.text import echoed


def choose_contract(session: Session, *, user: str, channel: str | None, team: str | None,
                    named: str | None = None, action: Action = Action.VIEW, usage: str = "") -> Contract:
    """The contract a command acts on, checked against what the person may do (issue 4)."""
    if named:
        contract = session.scalar(select(Contract).where(func.upper(Contract.id) == named.upper(),
                                                         in_workspace(team)))
        if contract is None:
            raise FlexcareError(_("There is no contract %(contract)s. `/flexcare contract` shows yours.",
                                  contract=echoed(named)))
        require(contract, user, action)
        return contract
    linked = contract_of_channel(session, channel, team_id=team) if channel else None
    if linked is not None:
        require(linked, user, action)
        return linked
    mine = contracts_of(session, user, team_id=team)
    if not mine:
        raise NotAllowed(_("You are not on any FlexCare contract yet. Ask your company's FlexCare admin or your "
                           "vendor account manager to add your Slack user to the contract file."))
    if len(mine) > 1:
        example = f"/flexcare {usage} {mine[0].id}".replace("  ", " ") if usage else f"/flexcare contract {mine[0].id}"
        raise FlexcareError(_("You are on several contracts: %(contracts)s. Add the one you mean, e.g. "
                              "`%(example)s`, or use the command in that contract's channel.",
                              contracts=", ".join(f"{c.id} ({c.customer})" for c in mine), example=example))
    require(mine[0], user, action)
    return mine[0]
