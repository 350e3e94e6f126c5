"""Which channel belongs to which contract (issue 4: link, unlink, and the channel's contract)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.access import in_workspace
from domain.contracts.records import CHANNEL_PURPOSES, Contract, ContractChannel
from domain.errors import FlexcareError
from domain.words import _


def contract_of_channel(session: Session, channel_id: str, *, team_id: str | None) -> Contract | None:
    return session.scalar(
        select(Contract).join(ContractChannel).where(ContractChannel.channel_id == channel_id, in_workspace(team_id))
        .limit(1))


def link_channel(session: Session, *, contract: Contract, channel_id: str, purpose: str) -> bool:
    """Link the channel for `purpose`; False when it already was. A channel serves one contract only."""
    if purpose not in CHANNEL_PURPOSES:
        raise FlexcareError(_("%(purpose)s is not a channel purpose; use incidents, alerts or reviews.",
                              purpose=purpose))
    other = session.scalar(select(ContractChannel.contract_id).where(
        ContractChannel.channel_id == channel_id, ContractChannel.contract_id != contract.id).limit(1))
    if other is not None:
        raise FlexcareError(_("This channel is already linked to contract %(other)s. Unlink it there first "
                              "with `/flexcare unlink`.", other=other))
    exists = session.scalar(select(ContractChannel.id).where(
        ContractChannel.contract_id == contract.id, ContractChannel.channel_id == channel_id,
        ContractChannel.purpose == purpose))
    if exists is not None:
        return False
    session.add(ContractChannel(contract_id=contract.id, channel_id=channel_id, purpose=purpose, source="link"))
    session.flush()
    return True


def unlink_channel(session: Session, *, contract: Contract, channel_id: str) -> list[str]:
    """Remove the links made with `/flexcare link`; links from the contract file stay with the file."""
    rows = [c for c in contract.channels if c.channel_id == channel_id]
    if not rows:
        raise FlexcareError(_("This channel is not linked to contract %(contract)s.", contract=contract.id))
    if all(c.source == "file" for c in rows):
        raise FlexcareError(_("This channel is linked in the contract file; change the file to unlink it."))
    session.execute(delete(ContractChannel).where(ContractChannel.contract_id == contract.id,
                                                  ContractChannel.channel_id == channel_id,
                                                  ContractChannel.source == "link"))
    session.expire(contract, ["channels"])
    return sorted(c.purpose for c in rows if c.source == "link")


def channel_for(contract: Contract, purpose: str) -> str | None:
    """The channel that receives `purpose` messages (the file's first, else a linked one)."""
    rows = sorted((c for c in contract.channels if c.purpose == purpose), key=lambda c: (c.source != "file", c.id))
    return rows[0].channel_id if rows else None
