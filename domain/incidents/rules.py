"""Incident rules as pure functions (FC-INC-1..7, FC-CAL): coverage, routing, escalation, FTC met or missed.

Nothing here reads the clock or a database: options, calendars and instants come in as values.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.access import Action
from domain.calendar import IMPACT_LEVELS, ServiceCalendar
from domain.errors import FlexcareError
from domain.words import _

SUMMARY_MAX = 120  # fits the card's header (150) beside the incident id
DESCRIPTION_MAX = 3000  # Slack's plain-text input limit
VENDOR_MAX = 100
PRODUCT_MAX = 150  # the form's limit for a product an AGSM contract names freely (the column holds 200)
CASE_REF_MAX = 100
RESOLUTION_MAX = 2000
UPDATE_MAX = 2000
REASON_MAX = 1000


class OptionTerms(Protocol):
    """What routing reads from a contract option (FC-CON-4, FC-CON-8)."""

    @property
    def type(self) -> str: ...
    @property
    def product_family(self) -> str | None: ...
    @property
    def product_solution(self) -> str | None: ...
    @property
    def suite(self) -> str | None: ...
    @property
    def person(self) -> str: ...
    @property
    def unavailable(self) -> bool: ...


class EscalationKind(StrEnum):
    TECHNICAL = "technical"  # coordinated by the TAM (FC-INC-6)
    BUSINESS = "business"  # managed end to end by the ESM or AGSM (FC-INC-6)


class IncidentStep(StrEnum):
    """What a person can do to an open or resolved incident; each maps to one access action."""

    RECORD_FIRST_CONTACT = "record first contact"
    ESCALATE = "escalate"
    CHANGE_IMPACT = "change impact"
    POST_UPDATE = "post update"
    RESOLVE = "resolve"
    REOPEN = "reopen"


# Who may do what stays in domain.access; this says which of its actions each incident step needs.
# Recording FTC and escalating are vendor work (FC-INC-5, 6); anyone who may open an incident may
# correct its impact, add an update, and confirm it resolved or reopen it.
STEP_ACTION: Mapping[IncidentStep, Action] = {
    IncidentStep.RECORD_FIRST_CONTACT: Action.RECORD_FTC,
    IncidentStep.ESCALATE: Action.ESCALATE,
    IncidentStep.CHANGE_IMPACT: Action.OPEN_INCIDENT,
    IncidentStep.POST_UPDATE: Action.OPEN_INCIDENT,
    IncidentStep.RESOLVE: Action.OPEN_INCIDENT,
    IncidentStep.REOPEN: Action.OPEN_INCIDENT,
}


class InvalidIncident(FlexcareError):
    """Input a person can fix, one sentence per field (shown inline in a modal)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class NoOneToEscalateTo(FlexcareError):
    """The contract bought no option that handles this kind of escalation (FC-INC-6)."""


@dataclass(frozen=True)
class Coverage:
    """What a contract's incidents may be about (FC-CON-4): named scopes, or everything with an AGSM."""

    products: tuple[str, ...]
    everything: bool

    def covers(self, product: str) -> bool:
        return product in self.products or (self.everything and bool(product.strip()))


@dataclass(frozen=True)
class Owner:
    person: str
    role: str  # the option type that makes them the owner: NASE, TAM, ESM, Suite or AGSM


def _available(options: Iterable[OptionTerms]) -> list[OptionTerms]:
    return [o for o in options if not o.unavailable]  # FC-CON-8: never promise an unavailable service


def coverage(options: Iterable[OptionTerms]) -> Coverage:
    """Product families (NASE, TAM), solutions (ESM) and suites (Suite) bought; the AGSM covers every
    product solution under FlexCare (FC-CON-4)."""
    available = _available(options)
    named = {scope for o in available if o.type != "AGSM"
             for scope in (o.product_family, o.product_solution, o.suite) if scope}
    return Coverage(products=tuple(sorted(named)), everything=any(o.type == "AGSM" for o in available))


def _scope_matches(option: OptionTerms, product: str) -> bool:
    return product in (option.product_family, option.product_solution, option.suite)


def _first(options: list[OptionTerms], kind: str, product: str | None) -> OptionTerms | None:
    return next((o for o in options if o.type == kind and (product is None or _scope_matches(o, product))), None)


def route_owner(options: Iterable[OptionTerms], product: str) -> Owner:
    """FC-INC-4, FC-INC-5: the NASE for that product family, else its TAM, else the ESM of that
    solution, else the suite team, else the AGSM. The suite team (not named by the datasheet's
    incident rules) sits before the AGSM because it is the more specific team for its products."""
    available = _available(options)
    for kind, scoped in (("NASE", True), ("TAM", True), ("ESM", True), ("Suite", True), ("AGSM", False)):
        found = _first(available, kind, product if scoped else None)
        if found is not None:
            return Owner(person=found.person, role=found.type)
    raise InvalidIncident({"product": _("Contract options do not cover %(product)s; pick one of the products "
                                        "the contract covers.", product=product)})


def escalation_target(options: Iterable[OptionTerms], product: str, kind: EscalationKind) -> Owner:
    """FC-INC-6: technical escalation goes to the TAM (of that product family, else the contract's TAM);
    business escalation to the ESM of that solution, else the AGSM, else the contract's ESM."""
    available = _available(options)
    if kind is EscalationKind.TECHNICAL:
        order = [("TAM", product), ("TAM", None)]
    else:
        order = [("ESM", product), ("AGSM", None), ("ESM", None)]
    for option_type, scope in order:
        found = _first(available, option_type, scope)
        if found is not None:
            return Owner(person=found.person, role=found.type)
    if kind is EscalationKind.TECHNICAL:
        raise NoOneToEscalateTo(_("This contract has no TAM to coordinate a technical escalation (FC-INC-6). "
                                  "Choose a business escalation, or ask your account manager to add a TAM."))
    raise NoOneToEscalateTo(_("This contract has no ESM or AGSM to manage a business escalation (FC-INC-6). "
                              "Choose a technical escalation instead."))


def handled_by_priority_team(owner: Owner, *, around_the_clock: bool, business_hours: ServiceCalendar,
                             at: datetime) -> bool:
    """FC-INC-4: outside the NASE's working hours a priority team handles the incident; around the clock
    only where the base contract is Standard (24x7). On a business-hours base the FTC clock waits instead."""
    return owner.role == "NASE" and around_the_clock and not business_hours.is_service_time(at)


def ftc_met(ftc_clock: ServiceCalendar, *, opened_at: datetime, first_contact_at: datetime,
            target: timedelta | None) -> bool | None:
    """FC-INC-2: met when the service time taken is within the target (judged on the FTC clock's service
    time, never on wall clocks, so a night or a holiday in between costs nothing); None without a target."""
    if target is None:
        return None
    return ftc_clock.service_time_between(opened_at, first_contact_at) <= target


def incident_key(contract_id: str, number: int) -> str:
    """The readable id people quote: the contract id and a number per contract, e.g. ACME-FC-01-0007."""
    return f"{contract_id}-{number:04d}"


def check_new_incident(*, summary: str, description: str, impact: int, product: str, cover: Coverage,
                       vendor: str | None, case_ref: str | None) -> dict[str, str]:
    """Every problem with a new incident at once, by field, so a modal can show each beside its input."""
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = _("Give the incident a one-line summary.")
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = _("Keep the summary to %(max)s characters (it has %(length)s); put detail in the "
                              "description.", max=SUMMARY_MAX, length=len(summary))
    if not description.strip():
        errors["description"] = _("Describe what happened: what you see, since when, and what it affects.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep the description to %(max)s characters (it has %(length)s).",
                                  max=DESCRIPTION_MAX, length=len(description))
    impact_error = check_impact(impact)
    if impact_error:
        errors["impact"] = impact_error
    if len(product) > PRODUCT_MAX:
        errors["product"] = _("Keep the product name to %(max)s characters.", max=PRODUCT_MAX)
    elif not cover.covers(product):
        errors["product"] = (_("Pick the product the incident is about.") if not product.strip() else
                             _("Contract options do not cover %(product)s; pick one of the products the "
                               "contract covers.", product=product))
    if case_ref and not vendor:
        errors["vendor"] = _("Name the third-party vendor whose case reference this is (FC-INC-7).")
    elif vendor and len(vendor) > VENDOR_MAX:
        errors["vendor"] = _("Keep the vendor name to %(max)s characters.", max=VENDOR_MAX)
    if case_ref and len(case_ref) > CASE_REF_MAX:
        errors["case_ref"] = _("Keep the case reference to %(max)s characters.", max=CASE_REF_MAX)
    return errors


def check_impact(impact: int) -> str | None:
    """FC-INC-1: impact levels run from 1 (highest) to 4."""
    if type(impact) is not int or impact not in IMPACT_LEVELS:
        return _("Impact runs from 1 (highest) to 4; pick one of those levels.")
    return None


def check_text(text: str, *, field: str, limit: int, missing: str) -> None:
    """A free-text field a person must fill and keep within `limit` characters."""
    if not text.strip():
        raise InvalidIncident({field: missing})
    if len(text) > limit:
        raise InvalidIncident({field: _("Keep this to %(max)s characters (it has %(length)s).",
                                        max=limit, length=len(text))})


def ftc_time_left(ftc_clock: ServiceCalendar, *, due: datetime, now: datetime) -> timedelta:
    """Service time left until FTC is due on the FTC clock; negative once overdue (by the service time since)."""
    if now <= due:
        return ftc_clock.service_time_between(now, due)
    return -ftc_clock.service_time_between(due, now)
