"""Incident rules (FC-INC-1..7, FC-CAL): routing, escalation targets, coverage, FTC met or missed. No database."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import ServiceCalendar
from domain.incidents import rules
from domain.incidents.rules import Coverage, EscalationKind, InvalidIncident, NoOneToEscalateTo, Owner


@dataclass(frozen=True)
class Opt:
    type: str
    person: str
    product_family: str | None = None
    product_solution: str | None = None
    suite: str | None = None
    unavailable: bool = False


OBR, ITOM = "Operations Bridge", "IT Operations Management"
ACME = [Opt("NASE", "U0NASE01", OBR), Opt("TAM", "U0TAM001", OBR),
        Opt("ESM", "U0ESM001", product_solution=ITOM), Opt("AGSM", "U0AGSM01")]
LONDON = ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London")
LONDON_24X7 = ServiceCalendar(country="GB", subdivision="ENG", timezone="Europe/London", around_the_clock=True)
NEW_YORK = ServiceCalendar(country="US", subdivision=None, timezone="America/New_York")


@pytest.mark.parametrize(("options", "product", "owner"), [
    (ACME, OBR, Owner("U0NASE01", "NASE")),  # FC-INC-4: the NASE is the primary contact
    (ACME[1:], OBR, Owner("U0TAM001", "TAM")),  # no NASE: the TAM manages it (FC-INC-5)
    (ACME, ITOM, Owner("U0ESM001", "ESM")),  # the ESM's solution
    (ACME, "Data Protector", Owner("U0AGSM01", "AGSM")),  # the AGSM covers every solution
    ([Opt("NASE", "U1", OBR, unavailable=True), *ACME[1:]], OBR, Owner("U0TAM001", "TAM")),  # FC-CON-8
    ([Opt("NASE", "U1", "Other"), Opt("TAM", "U2", OBR)], OBR, Owner("U2", "TAM")),  # NASE of another family
    ([Opt("NASE", "U1", OBR), Opt("NASE", "U3", OBR)], OBR, Owner("U1", "NASE")),  # the first named
    ([Opt("Suite", "U5", suite="Core"), Opt("AGSM", "U6")], "Core", Owner("U5", "Suite")),  # suite before AGSM
])
def test_fc_inc_4_5_routing_picks_the_nase_else_tam_else_esm_else_agsm(
        options: list[Opt], product: str, owner: Owner) -> None:
    assert rules.route_owner(options, product) == owner


def test_fc_inc_4_a_product_nobody_covers_is_refused_for_the_product_field() -> None:
    with pytest.raises(InvalidIncident) as caught:
        rules.route_owner(ACME[:3], "Data Protector")
    assert set(caught.value.errors) == {"product"}


def test_fc_con_4_coverage_lists_families_solutions_and_suites_and_the_agsm_covers_everything() -> None:
    cover = rules.coverage([*ACME, Opt("Suite", "U5", suite="Core"), Opt("TAM", "U7", "Gone", unavailable=True)])
    assert cover == Coverage(products=("Core", ITOM, OBR), everything=True)
    assert cover.covers("Anything else") and not cover.covers("  ")
    narrow = rules.coverage(ACME[:3])
    assert narrow.covers(OBR) and not narrow.covers("Data Protector") and not narrow.everything


@pytest.mark.parametrize(("options", "kind", "target"), [
    (ACME, EscalationKind.TECHNICAL, Owner("U0TAM001", "TAM")),  # FC-INC-6: the TAM coordinates
    (ACME, EscalationKind.BUSINESS, Owner("U0AGSM01", "AGSM")),  # no ESM for this family: the AGSM
    ([Opt("ESM", "U8", product_solution=OBR), *ACME], EscalationKind.BUSINESS, Owner("U8", "ESM")),
    ([Opt("TAM", "U9", "Other"), Opt("ESM", "U4", product_solution="X")], EscalationKind.TECHNICAL,
     Owner("U9", "TAM")),  # the contract's TAM when none is for this family
    ([Opt("ESM", "U4", product_solution="X")], EscalationKind.BUSINESS, Owner("U4", "ESM")),
])
def test_fc_inc_6_escalation_goes_to_tam_for_technical_and_esm_or_agsm_for_business(
        options: list[Opt], kind: EscalationKind, target: Owner) -> None:
    assert rules.escalation_target(options, OBR, kind) == target


@pytest.mark.parametrize("kind", list(EscalationKind))
def test_fc_inc_6_no_one_to_escalate_to_is_one_sentence(kind: EscalationKind) -> None:
    with pytest.raises(NoOneToEscalateTo, match="FC-INC-6"):
        rules.escalation_target([Opt("NASE", "U1", OBR)], OBR, kind)


@pytest.mark.parametrize(("at", "around_the_clock", "role", "expected"), [
    (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), True, "NASE", False),  # Monday 09:00 London: the NASE works
    (datetime(2026, 11, 30, 22, 0, tzinfo=UTC), True, "NASE", True),  # at night on 24x7: the priority team
    (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), True, "NASE", True),  # Saturday
    (datetime(2026, 12, 25, 10, 0, tzinfo=UTC), True, "NASE", True),  # Christmas Day (FC-DEC-9)
    (datetime(2026, 11, 30, 22, 0, tzinfo=UTC), False, "NASE", False),  # business hours base: the clock waits
    (datetime(2026, 11, 30, 22, 0, tzinfo=UTC), True, "TAM", False),  # only the NASE has working hours here
])
def test_fc_inc_4_outside_the_nase_hours_on_24x7_the_priority_team_has_it(
        at: datetime, around_the_clock: bool, role: str, expected: bool) -> None:
    owner = Owner("U1", role)
    assert rules.handled_by_priority_team(owner, around_the_clock=around_the_clock, business_hours=LONDON,
                                          at=at) is expected


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(("clock", "opened", "contact", "met"), [
    (LONDON_24X7, datetime(2026, 11, 30, 22, 0, tzinfo=UTC), datetime(2026, 11, 30, 22, 59, tzinfo=UTC), True),
    (LONDON_24X7, datetime(2026, 11, 30, 22, 0, tzinfo=UTC), datetime(2026, 11, 30, 23, 0, tzinfo=UTC), True),
    (LONDON_24X7, datetime(2026, 11, 30, 22, 0, tzinfo=UTC), datetime(2026, 11, 30, 23, 1, tzinfo=UTC), False),
    # Friday 16:30 in New York, contact Monday 08:30: 64 wall-clock hours, one service hour: met.
    (NEW_YORK, datetime(2026, 12, 4, 21, 30, tzinfo=UTC), datetime(2026, 12, 7, 13, 30, tzinfo=UTC), True),
    (NEW_YORK, datetime(2026, 12, 4, 21, 30, tzinfo=UTC), datetime(2026, 12, 7, 13, 31, tzinfo=UTC), False),
    # Due at 17:00 exactly (FC-DEC-7); contact at 20:00 the same evening took no more service time: met.
    (NEW_YORK, datetime(2026, 12, 4, 21, 0, tzinfo=UTC), datetime(2026, 12, 5, 1, 0, tzinfo=UTC), True),
])
def test_fc_inc_2_ftc_met_is_judged_on_service_time_not_wall_clock(
        clock: ServiceCalendar, opened: datetime, contact: datetime, met: bool) -> None:
    assert rules.ftc_met(clock, opened_at=opened, first_contact_at=contact, target=HOUR) is met


def test_fc_inc_2_without_a_target_ftc_is_neither_met_nor_missed() -> None:
    opened = datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert rules.ftc_met(LONDON, opened_at=opened, first_contact_at=opened + HOUR, target=None) is None


INSTANTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(opened=INSTANTS, after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
       target=st.sampled_from([HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR]),
       clock=st.sampled_from([LONDON, LONDON_24X7, NEW_YORK]))
def test_fc_inc_2_met_exactly_when_no_service_time_passed_after_the_due_instant(
        opened: datetime, after: timedelta, target: timedelta, clock: ServiceCalendar) -> None:
    contact = opened + after
    due = clock.add_service_time(opened, target)
    met = rules.ftc_met(clock, opened_at=opened, first_contact_at=contact, target=target)
    assert met is (clock.service_time_between(due, contact) == timedelta(0))
    if contact <= due:
        assert met  # never missed before the due instant
    left = rules.ftc_time_left(clock, due=due, now=contact)
    assert (left >= timedelta(0)) is (contact <= due) or left == timedelta(0)


PRODUCTS = st.sampled_from(["A", "B", "C"])
OPTIONS = st.lists(st.builds(
    Opt, type=st.sampled_from(["NASE", "TAM", "ESM", "AGSM", "Suite"]), person=st.sampled_from(["U1", "U2", "U3"]),
    product_family=st.one_of(st.none(), PRODUCTS), product_solution=st.one_of(st.none(), PRODUCTS),
    suite=st.one_of(st.none(), PRODUCTS), unavailable=st.booleans()), max_size=6)


@settings(max_examples=300, deadline=None)
@given(options=OPTIONS, product=PRODUCTS)
def test_fc_inc_4_routing_finds_an_owner_exactly_for_covered_products(options: list[Opt], product: str) -> None:
    available = [o for o in options if not o.unavailable]
    if not rules.coverage(options).covers(product):
        with pytest.raises(InvalidIncident):
            rules.route_owner(options, product)
        return
    owner = rules.route_owner(options, product)
    assert any(o.person == owner.person and o.type == owner.role for o in available)
    scoped = [o.type for o in available if product in (o.product_family, o.product_solution, o.suite)]
    order = ["NASE", "TAM", "ESM", "Suite"]
    expected = next((kind for kind in order if kind in scoped), "AGSM")
    assert owner.role == expected


@pytest.mark.parametrize(("changes", "fields"), [
    ({}, set()),
    ({"summary": " "}, {"summary"}),
    ({"summary": "x" * (rules.SUMMARY_MAX + 1)}, {"summary"}),
    ({"description": ""}, {"description"}),
    ({"impact": 5}, {"impact"}),
    ({"impact": 0}, {"impact"}),
    ({"product": "Data Protector"}, {"product"}),
    ({"vendor": None, "case_ref": "CASE-1"}, {"vendor"}),
    ({"summary": "", "description": "", "impact": 9}, {"summary", "description", "impact"}),
])
def test_fc_inc_1_a_new_incident_is_checked_field_by_field(changes: dict[str, object], fields: set[str]) -> None:
    values: dict[str, object] = {"summary": "Event pipeline down", "description": "Nothing arrives since 08:10.",
                                 "impact": 1, "product": OBR, "cover": rules.coverage(ACME[:3]),
                                 "vendor": "Oracle", "case_ref": "SR 3-1234"} | changes
    assert set(rules.check_new_incident(**values)) == fields  # type: ignore[arg-type]


def test_incident_ids_are_numbered_per_contract_with_four_digits() -> None:
    assert rules.incident_key("ACME-FC-01", 7) == "ACME-FC-01-0007"
    assert rules.incident_key("ACME-FC-01", 12345) == "ACME-FC-01-12345"


def test_time_left_is_service_time_and_negative_once_overdue() -> None:
    due = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
    friday_evening = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    assert rules.ftc_time_left(NEW_YORK, due=due, now=friday_evening) == HOUR
    assert rules.ftc_time_left(NEW_YORK, due=due, now=due + 2 * HOUR) == -2 * HOUR
