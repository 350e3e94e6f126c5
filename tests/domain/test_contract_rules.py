"""Pure contract rules (FC-CON-2, FC-CON-5, FC-CON-6): no database."""

from datetime import date

import pytest

from domain.contracts.rules import contract_year_of, contract_years, esm_scope_changed, excluded_new_licence_product
from domain.errors import OutsideTerm


def test_fc_con_2_years_run_anniversary_to_the_day_before_the_next() -> None:
    years = contract_years(date(2026, 1, 1), date(2027, 12, 31))
    assert [(y.number, y.starts_on, y.ends_on) for y in years] == [
        (1, date(2026, 1, 1), date(2026, 12, 31)),
        (2, date(2027, 1, 1), date(2027, 12, 31)),
    ]


def test_fc_con_2_the_last_year_ends_with_the_term() -> None:
    years = contract_years(date(2025, 7, 1), date(2027, 3, 31))
    assert [(y.starts_on, y.ends_on) for y in years] == [
        (date(2025, 7, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2027, 3, 31)),
    ]


def test_fc_con_2_a_leap_day_start_keeps_february_anniversaries() -> None:
    years = contract_years(date(2024, 2, 29), date(2027, 2, 27))
    assert [(y.starts_on, y.ends_on) for y in years] == [
        (date(2024, 2, 29), date(2025, 2, 27)),
        (date(2025, 2, 28), date(2026, 2, 27)),
        (date(2026, 2, 28), date(2027, 2, 27)),
    ]


@pytest.mark.parametrize(("day", "year"), [(date(2026, 1, 1), 1), (date(2026, 12, 31), 1),
                                           (date(2027, 1, 1), 2), (date(2027, 12, 31), 2)])
def test_fc_con_2_contract_year_of_a_day(day: date, year: int) -> None:
    assert contract_year_of(date(2026, 1, 1), date(2027, 12, 31), day) == year


def test_fc_con_2_a_day_outside_the_term_is_refused_with_a_sentence() -> None:
    with pytest.raises(OutsideTerm, match=r"2028-01-01 is outside this contract's term \(2026-01-01 to 2027-12-31\)"):
        contract_year_of(date(2026, 1, 1), date(2027, 12, 31), date(2028, 1, 1))


@pytest.mark.parametrize(("scope", "product"), [("IDOL", "IDOL"), ("idol server", "IDOL"),
                                                ("Connected Media", "Connected Media"), ("eDiscovery", "eDiscovery"),
                                                ("Archiving Suite", "Archiving"), ("Operations Bridge", None),
                                                (None, None)])
def test_fc_con_6_products_not_sold_for_new_licences(scope: str | None, product: str | None) -> None:
    assert excluded_new_licence_product(scope) == product


@pytest.mark.parametrize(("stored", "wanted", "changed"), [
    ({"ITOM"}, {"ITOM"}, False),
    ({"ITOM"}, {"ITOM", "Security"}, False),   # buying another solution is not a change
    ({"ITOM", "Security"}, {"ITOM"}, False),   # nor is dropping one
    ({"ITOM"}, {"Security"}, True),
    (set(), {"Security"}, False),
])
def test_fc_con_5_what_counts_as_an_esm_scope_change(stored: set[str], wanted: set[str], changed: bool) -> None:
    assert esm_scope_changed(stored, wanted) is changed
