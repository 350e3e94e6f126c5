"""Importing contract files (FC-CON-1..8) on a real database: all or nothing, idempotent, exact errors."""

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service
from domain.contracts.records import Contract, ContractEvent, ContractOption
from domain.contracts.spec import ContractFileError, parse_contract_file

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
ACME: dict[str, Any] = {
    "id": "ACME-FC-01", "customer": "ACME Manufacturing", "base_support": "standard",
    "location": {"country": "GB", "subdivision": "ENG", "timezone": "Europe/London"},
    "term": {"start": "2026-01-01", "end": "2027-12-31"},
    "points": [{"year": 1, "points": 120}, {"year": 2, "points": 100}],
    "options": [
        {"type": "NASE", "product_family": "Operations Bridge", "person": "U0NASE01"},
        {"type": "TAM", "product_family": "Operations Bridge", "person": "U0TAM001"},
        {"type": "ESM", "product_solution": "IT Operations Management", "person": "U0ESM001"},
        {"type": "AGSM", "person": "U0AGSM01"},
    ],
    "people": {"customer_admins": ["U0ADMIN1"], "customer_members": ["U0MEMB01"]},
    "channels": {"incidents": "C0INCID1", "alerts": "C0ALERT1"},
}


def contract(**changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(ACME)
    value.update(changes)
    return value


def file_of(*contracts: dict[str, Any]) -> str:
    return yaml.safe_dump({"contracts": list(contracts)}, sort_keys=False)


def do_import(db: sessionmaker[Session], text: str, now: datetime = NOW) -> service.ImportReport:
    specs = parse_contract_file(text, source="contracts.yml")
    with db.begin() as session:
        return service.import_contracts(session, specs, source="contracts.yml", now=now)


def refused(db: sessionmaker[Session], text: str) -> list[str]:
    with pytest.raises(ContractFileError) as caught:
        do_import(db, text)
    return caught.value.errors


def count(db: sessionmaker[Session], model: type[Any]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_example_file_imports_and_reimporting_it_changes_nothing(db: sessionmaker[Session],
                                                                    examples: Path) -> None:
    first = do_import(db, examples.read_text())
    assert sorted(first.created) == ["ACME-FC-01", "FORMOSA-FC-07", "HUDSON-FC-03"]
    rows = (count(db, Contract), count(db, ContractOption), count(db, ContractEvent))
    second = do_import(db, examples.read_text())
    assert (second.created, second.updated, sorted(second.unchanged)) == (
        [], [], ["ACME-FC-01", "FORMOSA-FC-07", "HUDSON-FC-03"])
    assert (count(db, Contract), count(db, ContractOption), count(db, ContractEvent)) == rows


def test_an_edited_file_updates_the_contract_in_place(db: sessionmaker[Session]) -> None:
    do_import(db, file_of(contract()))
    edited = contract(customer="ACME Manufacturing plc",
                      points=[{"year": 1, "points": 150}, {"year": 2, "points": 100}])
    report = do_import(db, file_of(edited))
    assert report.updated == ["ACME-FC-01"]
    with db() as session:
        stored = service.get_contract(session, "ACME-FC-01")
        assert stored.customer == "ACME Manufacturing plc"
        assert [(y.number, y.points_tenths) for y in stored.years] == [(1, 1500), (2, 1000)]
        assert len(stored.options) == 4
    assert count(db, Contract) == 1


def test_fc_con_2_contract_years_are_derived_and_points_kept_in_tenths(db: sessionmaker[Session],
                                                                       examples: Path) -> None:
    do_import(db, examples.read_text())
    with db() as session:
        hudson = service.get_contract(session, "HUDSON-FC-03")
        assert [(y.number, str(y.starts_on), str(y.ends_on), y.points_tenths) for y in hudson.years] == [
            (1, "2025-07-01", "2026-06-30", 600), (2, "2026-07-01", "2027-06-30", 600),
            (3, "2027-07-01", "2028-06-30", 405)]


@pytest.mark.parametrize(("changes", "error"), [
    ({"base_support": "gold"}, "contracts.yml: ACME-FC-01: base_support: must be 'standard' (24x7 base contract) "
                               "or 'basic' (business hours); FlexCare needs a valid base support contract (FC-CON-1)"),
    ({"term": {"start": "2026-01-01", "end": "2025-12-31"}},
     "contracts.yml: ACME-FC-01: term.end: 2025-12-31 must come after the start 2026-01-01 (FC-CON-2)"),
    ({"points": [{"year": 3, "points": 10}]},
     "contracts.yml: ACME-FC-01: points[0].year: 3 is not a year of this term (1 to 2) (FC-CON-2)"),
    ({"points": [{"year": 1, "points": 10.25}]},
     "contracts.yml: ACME-FC-01: points[0].points: must be a non-negative number with at most one decimal (FC-DEC-3)"),
    ({"options": [{"type": "NASE", "person": "U0NASE01"}]},
     "contracts.yml: ACME-FC-01: options[0].product_family: required: a NASE option is bought per product family "
     "(FC-CON-4)"),
    ({"options": [{"type": "ESM", "product_family": "Operations Bridge", "product_solution": "ITOM",
                   "person": "U0ESM001"}]},
     "contracts.yml: ACME-FC-01: options[0].product_family: not allowed: a ESM option is scoped by product_solution "
     "(FC-CON-4)"),
    ({"options": [{"type": "AGSM", "product_solution": "ITOM", "person": "U0AGSM01"}]},
     "contracts.yml: ACME-FC-01: options[0].product_solution: not allowed: AGSM covers every product solution "
     "(FC-CON-4)"),
    ({"options": [{"type": "Gold", "person": "U0AGSM01"}]},
     "contracts.yml: ACME-FC-01: options[0].type: 'Gold' is not one of NASE, TAM, ESM, AGSM, Suite (FC-CON-4)"),
    ({"options": [{"type": "NASE", "product_family": "IDOL", "licence": "new", "person": "U0NASE01"}]},
     "contracts.yml: ACME-FC-01: options[0].product_family: FlexCare is not sold for new licences of IDOL (FC-CON-6)"),
    ({"options": [{"type": "NASE", "product_family": "Operations Bridge", "transferred_from": "Operations Bridge",
                   "person": "U0NASE01"}]},
     "contracts.yml: ACME-FC-01: options[0].transferred_from: names the product this option moved from, which must "
     "differ from its current scope (FC-CON-7)"),
    ({"ftc_hours": {2: 3}},
     "contracts.yml: ACME-FC-01: ftc_hours.2: only impact levels 3 and 4 take a contract target; 1 and 2 are fixed "
     "at 1 and 4 hours (FC-INC-2)"),
    ({"ftc_clock": "wall"},
     "contracts.yml: ACME-FC-01: ftc_clock: may only be 'service_hours' (count a 24x7 contract's FTC in service "
     "hours, FC-DEC-6)"),
    ({"channels": {"incidents": "general"}},
     "contracts.yml: ACME-FC-01: channels.incidents: 'general' is not a Slack channel id such as C0123ABCD"),
    ({"colour": "blue"}, "contracts.yml: ACME-FC-01: colour: unknown field; known fields are base_support, "
                         "cashout_required, channels, customer, early_closings, extra_holidays, ftc_clock, ftc_hours, "
                         "id, language, location, options, people, points, reviews, service_hours, term, workspace"),
])
def test_each_rule_refuses_the_file_with_its_exact_error(db: sessionmaker[Session], changes: dict[str, Any],
                                                         error: str) -> None:
    assert refused(db, file_of(contract(**changes))) == [error]
    assert count(db, Contract) == 0


@pytest.mark.parametrize(("location", "fragment"), [
    ({"country": "GB", "subdivision": "ENG", "timezone": "Europe/Londres"}, "Europe/Londres"),
    ({"country": "XX", "timezone": "Europe/London"}, "XX"),
    ({"country": "GB", "subdivision": "ZZZ", "timezone": "Europe/London"}, "ZZZ"),
])
def test_fc_con_3_the_location_must_be_known(db: sessionmaker[Session], location: dict[str, str],
                                             fragment: str) -> None:
    [error] = refused(db, file_of(contract(location=location)))
    assert error.startswith("contracts.yml: ACME-FC-01: location: ")
    assert fragment in error and error.endswith("(FC-CON-3)")


def test_fc_con_6_an_existing_licence_of_an_excluded_product_is_accepted(db: sessionmaker[Session]) -> None:
    options = [{"type": "NASE", "product_family": "IDOL", "person": "U0NASE01"}]
    assert do_import(db, file_of(contract(options=options))).created == ["ACME-FC-01"]


def test_a_refused_file_writes_nothing_at_all(db: sessionmaker[Session]) -> None:
    good, bad = contract(id="GOOD-FC-01"), contract(base_support="gold")
    errors = refused(db, file_of(good, bad))
    assert len(errors) == 1
    assert (count(db, Contract), count(db, ContractOption), count(db, ContractEvent)) == (0, 0, 0)


def test_every_error_in_a_file_is_reported_at_once(db: sessionmaker[Session]) -> None:
    errors = refused(db, file_of(contract(base_support="gold", language="fr", id="A-1"), contract(id="A-1")))
    assert [e.split(": ")[2] for e in errors] == ["base_support", "language"]


def test_a_contract_id_twice_in_one_file_is_refused(db: sessionmaker[Session]) -> None:
    assert refused(db, file_of(contract(), contract())) == [
        "contracts.yml: ACME-FC-01: id: appears twice in this file; each contract once"]


def test_fc_con_5_the_esm_scope_changes_once_then_a_second_change_is_refused(db: sessionmaker[Session]) -> None:
    do_import(db, file_of(contract()))
    options = copy.deepcopy(ACME["options"])
    options[2]["product_solution"] = "Security Operations"
    assert do_import(db, file_of(contract(options=options))).updated == ["ACME-FC-01"]
    options[2]["product_solution"] = "Application Delivery Management"
    assert refused(db, file_of(contract(options=options))) == [
        "contracts.yml: ACME-FC-01: options[2].product_solution: ESM scope already changed once during the term "
        "(FC-CON-5)"]
    with db() as session:
        stored = service.get_contract(session, "ACME-FC-01")
        assert [o.product_solution for o in stored.options if o.type == "ESM"] == ["Security Operations"]
        kinds = [e.kind for e in service.history(session, "ACME-FC-01")]
    assert kinds.count("esm_scope_changed") == 1


def test_fc_con_7_a_transfer_is_recorded_once_with_both_products(db: sessionmaker[Session]) -> None:
    do_import(db, file_of(contract()))
    options = copy.deepcopy(ACME["options"])
    options[0] = {"type": "NASE", "product_family": "OpsBridge SaaS", "transferred_from": "Operations Bridge",
                  "person": "U0NASE01"}
    do_import(db, file_of(contract(options=options)))
    do_import(db, file_of(contract(options=options, customer="ACME Ltd")))
    with db() as session:
        transfers = [e.detail for e in service.history(session, "ACME-FC-01") if e.kind == "transferred"]
    assert transfers == ["NASE transferred from Operations Bridge to OpsBridge SaaS (FC-CON-7)"]


def test_fc_con_8_an_option_unavailable_in_the_region_is_kept_and_marked(db: sessionmaker[Session]) -> None:
    options = [{"type": "TAM", "product_family": "Operations Bridge", "person": "U0TAM001", "unavailable": True}]
    do_import(db, file_of(contract(options=options)))
    with db() as session:
        assert [o.unavailable for o in service.get_contract(session, "ACME-FC-01").options] == [True]


def test_linked_channels_survive_a_reimport(db: sessionmaker[Session]) -> None:
    from domain.contracts.records import ContractChannel

    do_import(db, file_of(contract()))
    with db.begin() as session:
        session.add(ContractChannel(contract_id="ACME-FC-01", channel_id="C0LINKED", purpose="incidents",
                                    source="link"))
    do_import(db, file_of(contract(customer="ACME Ltd")))
    with db() as session:
        channels = {(c.channel_id, c.source) for c in service.get_contract(session, "ACME-FC-01").channels}
    assert channels == {("C0LINKED", "link"), ("C0INCID1", "file"), ("C0ALERT1", "file")}


def test_not_yaml_and_no_contracts_list_are_sentences() -> None:
    with pytest.raises(ContractFileError, match="expected a top-level 'contracts:' list"):
        parse_contract_file("- just a list", source="contracts.yml")
    with pytest.raises(ContractFileError, match=r"contracts\.yml: not valid YAML"):
        parse_contract_file("contracts: [", source="contracts.yml")
