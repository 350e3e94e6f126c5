"""Who may do what (issue 4): every role against every action, decided in domain/access.py."""

from datetime import UTC, date, datetime, time

import pytest

from domain.access import Action, Role, may, require, roles_of
from domain.contracts.records import Contract, ContractOption, ContractPerson
from domain.errors import NotAllowed

PEOPLE = {Role.VENDOR: "U0TAM001", Role.ADMIN: "U0ADMIN1", Role.MEMBER: "U0MEMB01"}
EXPECTED = {
    Role.MEMBER: {Action.VIEW, Action.OPEN_INCIDENT, Action.ACKNOWLEDGE_NOTICE},
    Role.ADMIN: {Action.VIEW, Action.OPEN_INCIDENT, Action.SPEND_POINTS, Action.LINK_CHANNEL,
                 Action.ACKNOWLEDGE_NOTICE},
    Role.VENDOR: {Action.VIEW, Action.OPEN_INCIDENT, Action.RECORD_FTC, Action.ESCALATE,
                  Action.DECIDE_POINTS_REQUEST, Action.LINK_CHANNEL, Action.SEND_NOTICE, Action.PLAN_NOTICE,
                  Action.KEEP_DOCUMENTS, Action.TICK_ONBOARDING},
}


def acme() -> Contract:
    contract = Contract(id="ACME-FC-01", customer="ACME", base_support="standard", country="GB", subdivision="ENG",
                        timezone="Europe/London", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31),
                        service_opens=time(8), service_closes=time(17), fingerprint="x",
                        imported_at=datetime(2026, 1, 1, tzinfo=UTC))
    contract.options = [ContractOption(position=0, type="TAM", product_family="Operations Bridge", person="U0TAM001")]
    contract.people = [ContractPerson(slack_user="U0ADMIN1", role="customer_admin"),
                       ContractPerson(slack_user="U0MEMB01", role="customer_member")]
    return contract


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_against_every_action(role: Role, action: Action) -> None:
    contract = acme()
    assert roles_of(contract, PEOPLE[role]) == {role}
    assert may(contract, PEOPLE[role], action) is (action in EXPECTED[role])


@pytest.mark.parametrize("action", list(Action))
def test_someone_on_no_contract_may_do_nothing_and_is_told_whom_to_ask(action: Action) -> None:
    assert not may(acme(), "U0STRANGER", action)
    with pytest.raises(NotAllowed, match=r"You are not on contract ACME-FC-01\. Ask one of its customer admins "
                                         r"\(<@U0ADMIN1>\) to add you to the contract file\."):
        require(acme(), "U0STRANGER", action)


def test_a_member_asking_to_spend_points_is_pointed_at_the_admins() -> None:
    with pytest.raises(NotAllowed, match=r"you may not spend points\. Ask <@U0ADMIN1>\."):
        require(acme(), "U0MEMB01", Action.SPEND_POINTS)


def test_roles_add_up_for_someone_who_holds_two() -> None:
    contract = acme()
    contract.people.append(ContractPerson(slack_user="U0TAM001", role="customer_admin"))
    assert roles_of(contract, "U0TAM001") == {Role.VENDOR, Role.ADMIN}
    assert may(contract, "U0TAM001", Action.SPEND_POINTS) and may(contract, "U0TAM001", Action.ESCALATE)
