"""Who may do what on a contract (issue 4 "who may do what"): decided here and nowhere else.

Vendor staff are the people named in a contract's options; customer admins and members come
from the contract file. A person's rights are the union over their roles on that contract.
"""

from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.contracts.records import CUSTOMER_ADMIN, CUSTOMER_MEMBER, Contract, ContractOption, ContractPerson
from domain.errors import NotAllowed
from domain.words import N_, _


class Role(StrEnum):
    VENDOR = N_("vendor staff")
    ADMIN = N_("customer admin")
    MEMBER = N_("customer member")


class Action(StrEnum):
    VIEW = N_("view the contract")
    OPEN_INCIDENT = N_("open an incident")
    SPEND_POINTS = N_("spend points")
    RECORD_FTC = N_("record first technical contact")
    ESCALATE = N_("escalate an incident")
    DECIDE_POINTS_REQUEST = N_("accept or decline a points request")
    LINK_CHANNEL = N_("link a channel to the contract")
    SEND_NOTICE = N_("send a critical patch or problem notice")
    ACKNOWLEDGE_NOTICE = N_("acknowledge a notice")
    PLAN_NOTICE = N_("attach an action plan to a notice")
    KEEP_DOCUMENTS = N_("update the support plan or operational profile")
    TICK_ONBOARDING = N_("tick the onboarding checklist")


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.MEMBER: frozenset({Action.VIEW, Action.OPEN_INCIDENT, Action.ACKNOWLEDGE_NOTICE}),
    Role.ADMIN: frozenset({Action.VIEW, Action.OPEN_INCIDENT, Action.SPEND_POINTS, Action.LINK_CHANNEL,
                           Action.ACKNOWLEDGE_NOTICE}),
    Role.VENDOR: frozenset({Action.VIEW, Action.OPEN_INCIDENT, Action.RECORD_FTC, Action.ESCALATE,
                            Action.DECIDE_POINTS_REQUEST, Action.LINK_CHANNEL, Action.SEND_NOTICE,
                            Action.PLAN_NOTICE, Action.KEEP_DOCUMENTS, Action.TICK_ONBOARDING}),
}


def roles_of(contract: Contract, user: str) -> set[Role]:
    roles = {Role.VENDOR} if user in contract.vendor_staff() else set()
    if user in contract.people_with(CUSTOMER_ADMIN):
        roles.add(Role.ADMIN)
    if user in contract.people_with(CUSTOMER_MEMBER):
        roles.add(Role.MEMBER)
    return roles


def may(contract: Contract, user: str, action: Action) -> bool:
    return any(action in ALLOWED[role] for role in roles_of(contract, user))


def require(contract: Contract, user: str, action: Action) -> None:
    """Raise NotAllowed with a sentence that says whom to ask."""
    if may(contract, user, action):
        return
    if not roles_of(contract, user):
        raise NotAllowed(_("You are not on contract %(contract)s. Ask one of its customer admins "
                           "(%(admins)s) to add you to the contract file.",
                           contract=contract.id, admins=_mentions(contract.people_with(CUSTOMER_ADMIN))))
    who = (_mentions(contract.people_with(CUSTOMER_ADMIN)) if action is Action.SPEND_POINTS
           else _mentions(sorted(contract.vendor_staff())))
    raise NotAllowed(_("On contract %(contract)s you may not %(action)s. Ask %(who)s.",
                       contract=contract.id, action=_(action.value), who=who))


def contracts_of(session: Session, user: str, *, team_id: str | None = None) -> list[Contract]:
    """Every contract the person is on, in any role, within their workspace."""
    on_contract = or_(
        Contract.id.in_(select(ContractPerson.contract_id).where(ContractPerson.slack_user == user)),
        Contract.id.in_(select(ContractOption.contract_id).where(ContractOption.person == user)),
    )
    query = select(Contract).where(on_contract, in_workspace(team_id)).order_by(Contract.id)
    return list(session.scalars(query))


def in_workspace(team_id: str | None):  # type: ignore[no-untyped-def]
    """Contracts of a single-workspace install have no team; on a multi-workspace one they must match."""
    return or_(Contract.team_id.is_(None), Contract.team_id == team_id)


def _mentions(users: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in users) or _("your FlexCare account manager")
