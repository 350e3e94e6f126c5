"""Pure contract rules (FC-CON): years, scopes, exclusions. Functions of values, no database."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from domain.errors import OutsideTerm

BASE_SUPPORT_LEVELS = {
    "standard": "Enterprise Support Standard: 24x7 access; FlexCare runs around the clock (FC-CAL-2)",
    "basic": "Enterprise Support Basic: business hours; FlexCare runs 08:00-17:00 local (FC-CAL-1)",
}
OPTION_TYPES = ("NASE", "TAM", "ESM", "AGSM", "Suite")
# The one field that carries each option's scope (FC-CON-4); AGSM covers everything.
SCOPE_FIELD = {"NASE": "product_family", "TAM": "product_family", "ESM": "product_solution",
               "Suite": "suite", "AGSM": None}
# FC-CON-6: FlexCare is not sold with new licences of these products.
NO_NEW_LICENCE_PRODUCTS = ("IDOL", "Connected Media", "Archiving", "eDiscovery")


@dataclass(frozen=True)
class YearSpan:
    number: int
    starts_on: date
    ends_on: date


def contract_years(starts_on: date, ends_on: date) -> list[YearSpan]:
    """Year n runs from the (n-1)th anniversary to the day before the n-th; the last ends with the term (FC-CON-2)."""
    years: list[YearSpan] = []
    number = 1
    while True:
        start = starts_on + relativedelta(years=number - 1)
        if start > ends_on:
            return years
        end = min(starts_on + relativedelta(years=number) - relativedelta(days=1), ends_on)
        years.append(YearSpan(number, start, end))
        number += 1


def contract_year_of(starts_on: date, ends_on: date, day: date) -> int:
    """The 1-based contract year containing `day` (FC-CON-2)."""
    if not starts_on <= day <= ends_on:
        raise OutsideTerm(f"{day} is outside this contract's term ({starts_on} to {ends_on}); "
                          "choose a day inside the term.")
    return relativedelta(day, starts_on).years + 1


def excluded_new_licence_product(scope: str | None) -> str | None:
    """The FC-CON-6 product a new-licence option names, if any (matched whole-word, any case)."""
    if not scope:
        return None
    words = scope.casefold()
    for product in NO_NEW_LICENCE_PRODUCTS:
        if product.casefold() in words:
            return product
    return None


def esm_scope_changed(stored: set[str], wanted: set[str]) -> bool:
    """FC-CON-5: a change replaces a covered solution by another; buying or dropping one is not a change."""
    return bool(stored - wanted) and bool(wanted - stored)
