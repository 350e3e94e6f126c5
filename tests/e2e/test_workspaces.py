"""Installs of different workspaces never see each other's contracts (issue 4, who may do what)."""

import copy
from typing import Any

import yaml

from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from tests.e2e.harness import EXAMPLES, Harness


def import_other_workspace(harness: Harness) -> None:
    """A copy of ACME living in another Slack workspace, with U0MEMB01 on it too."""
    acme: dict[str, Any] = copy.deepcopy(yaml.safe_load(EXAMPLES.read_text())["contracts"][0])
    acme.update(id="OTHER-FC-01", customer="Other Workspace Ltd", workspace="T0ELSEWHERE",
                channels={"incidents": "C0OTHER01"})
    text = yaml.safe_dump({"contracts": [acme]})
    with harness.db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(text, source="other.yml"), source="other.yml",
                                   now=harness.clock())


def test_a_contract_of_another_workspace_is_invisible_in_this_one(harness: Harness) -> None:
    import_other_workspace(harness)
    # U0MEMB01 is on ACME here and on OTHER-FC-01 in T0ELSEWHERE: here, only ACME exists for them.
    assert harness.reply("contract", user="U0MEMB01", channel="D0DIRECT")["text"] == (
        "Contract ACME-FC-01: ACME Manufacturing")
    assert harness.reply("contract OTHER-FC-01", user="U0MEMB01", channel="D0DIRECT")["text"] == (
        "There is no contract OTHER-FC-01. `/flexcare contract` shows yours.")


def test_the_other_workspaces_channel_is_not_linked_here(harness: Harness) -> None:
    import_other_workspace(harness)
    reply = harness.reply("contract", user="U0MEMB01", channel="C0OTHER01")
    assert reply["text"] == "Contract ACME-FC-01: ACME Manufacturing"


def test_the_home_tab_lists_only_this_workspaces_contracts(harness: Harness) -> None:
    import_other_workspace(harness)
    harness.event({"type": "app_home_opened", "user": "U0MEMB01", "tab": "home"})
    home = harness.slack.wait_for(lambda: harness.slack.home("U0MEMB01"))
    assert "ACME-FC-01" in str(home["blocks"]) and "OTHER-FC-01" not in str(home["blocks"])
