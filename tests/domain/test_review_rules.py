"""The review calendar's pure rules (FC-REV, FC-DEC-5): dates from rrule over the term, moved to business days
of real locations with their real holidays; the cadence checks, and the import's refusal of a cadence that
cannot keep FC-DEC-5."""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.contracts.spec import ContractFileError, parse_contract_file
from domain.reviews.days import BusinessDays
from domain.reviews.rules import (
    Breach,
    Kind,
    Owner,
    PlannedReview,
    ReviewCadence,
    cadence_problems,
    fc_dec_5_breaches,
    plan_reviews,
    read_cadence,
    remote_review_dates,
)

LOCATIONS = {"london": ("GB", "ENG", "Europe/London"), "taipei": ("TW", None, "Asia/Taipei"),
             "new_york": ("US", None, "America/New_York")}
OWNERS = [Owner("NASE", "U0NASE01", "Operations Bridge"), Owner("TAM", "U0TAM001", "Operations Bridge"),
          Owner("ESM", "U0ESM001", "IT Operations Management"), Owner("AGSM", "U0AGSM01", None)]


def business_days(place: str) -> BusinessDays:
    country, subdivision, zone = LOCATIONS[place]
    return BusinessDays.for_contract(SimpleNamespace(
        country=country, subdivision=subdivision, timezone=zone, base_support="basic", ftc_clock=None,
        service_opens=time(8), service_closes=time(17), extra_holidays=(), early_closings={}, ftc_hours={}))


def plan(place: str, starts_on: date, ends_on: date, weekday: str = "TU", every: int = 4) -> list[PlannedReview]:
    return plan_reviews("X", starts_on, ends_on, OWNERS, ReviewCadence(every, weekday), business_days(place))


def by_key(planned: list[PlannedReview]) -> dict[str, PlannedReview]:
    return {r.key: r for r in planned}


def test_fc_rev_a_term_starting_on_the_31st_keeps_its_quarters_inside_each_quarter() -> None:
    planned = by_key(plan("london", date(2027, 1, 31), date(2029, 1, 30)))  # a Sunday, the 31st
    assert planned["X:start:term"].on == date(2027, 2, 1)  # the first business day
    assert planned["X:kickoff:term"].on == date(2027, 2, 9)  # the chosen weekday of the second week
    # Quarters run Jan 31, Apr 30, Jul 31, Oct 31 (relativedelta clamps); their third months are wholly inside.
    assert [planned[f"X:technical_review:TAM:operations-bridge:y1q{q}"].on for q in (1, 2, 3, 4)] == [
        date(2027, 3, 9), date(2027, 6, 8), date(2027, 9, 14), date(2027, 12, 14)]
    assert [planned[f"X:technical_review:TAM:operations-bridge:y1q{q}"].mode for q in (1, 2, 3, 4)] == [
        "remote", "onsite", "remote", "onsite"]
    assert planned["X:onsite_visit:TAM:operations-bridge:y2"].on == date(2028, 7, 11)
    assert planned["X:onsite_visit:TAM:operations-bridge:y2"].contract_year == 2
    remote = [r.on for r in planned.values() if r.kind is Kind.REMOTE and r.role == "TAM"]
    assert remote[:2] == [date(2027, 2, 2), date(2027, 3, 2)]  # the partial January is not owed one
    assert fc_dec_5_breaches(remote, date(2027, 1, 31), date(2029, 1, 30)) == []


def test_fc_rev_a_leap_day_start_has_yearly_dates_every_year_not_every_fourth() -> None:
    planned = by_key(plan("london", date(2028, 2, 29), date(2030, 2, 27)))
    assert planned["X:start:term"].on == date(2028, 2, 29)
    assert planned["X:onsite_visit:AGSM:all:y1"].on == date(2028, 8, 8)
    assert planned["X:onsite_visit:AGSM:all:y2"].on == date(2029, 8, 14)  # FREQ=YEARLY would skip to 2032
    # Year 2 starts on 2029-02-28 (FC-CON-2); its first quarter's reviews fall in April.
    assert planned["X:strategy_review:AGSM:all:y2q1"].on == date(2029, 4, 24)
    assert planned["X:strategy_review:AGSM:all:y2q1"].contract_year == 2
    remote = [r.on for r in planned.values() if r.kind is Kind.REMOTE and r.role == "ESM"]
    assert date(2028, 2, 29) in remote
    assert any(d.year == 2029 and d.month == 2 for d in remote)  # a 28-day February still gets one


@pytest.mark.parametrize(("place", "starts_on", "key", "nominal", "moved"), [
    # Columbus Day, the 2nd Monday of October, and Martin Luther King Jr. Day, the 3rd Monday of January.
    ("new_york", date(2026, 8, 1), "X:technical_review:TAM:operations-bridge:y1q1", date(2026, 10, 12),
     date(2026, 10, 13)),
    ("new_york", date(2026, 8, 1), "X:business_review:ESM:it-operations-management:y1q2", date(2027, 1, 18),
     date(2027, 1, 19)),
    # The Boxing Day substitute bank holiday in England.
    ("london", date(2027, 1, 31), "X:strategy_review:AGSM:all:y1q4", date(2027, 12, 28), date(2027, 12, 29)),
])
def test_fc_rev_a_quarter_whose_review_falls_on_a_holiday_moves_to_the_next_business_day(
        place: str, starts_on: date, key: str, nominal: date, moved: date) -> None:
    weekday = "MO" if place == "new_york" else "TU"
    days = business_days(place)
    assert not days.is_open(nominal)
    planned = by_key(plan(place, starts_on, starts_on + timedelta(days=729), weekday=weekday))
    assert planned[key].on == moved


def test_fc_rev_every_date_is_a_business_day_inside_the_term_and_keys_are_unique() -> None:
    starts_on, ends_on = date(2026, 4, 1), date(2027, 3, 31)
    planned = plan("taipei", starts_on, ends_on)
    days = business_days("taipei")
    assert all(days.is_open(r.on) and starts_on <= r.on <= ends_on for r in planned)
    assert len({r.key for r in planned}) == len(planned)
    kinds = {k: sum(1 for r in planned if r.kind is k) for k in Kind}
    assert kinds == {Kind.START: 1, Kind.KICKOFF: 1, Kind.REMOTE: 26, Kind.TECHNICAL: 4, Kind.BUSINESS: 4,
                     Kind.STRATEGY: 4, Kind.ONSITE_VISIT: 3, Kind.STATISTICS: 4}


def test_fc_rev_a_nase_only_contract_gets_the_welcome_call_and_nothing_else() -> None:
    planned = plan_reviews("X", date(2026, 1, 1), date(2026, 12, 31), OWNERS[:1], ReviewCadence(),
                           business_days("london"))
    assert [(r.kind, r.owner, r.on) for r in planned] == [(Kind.START, "U0NASE01", date(2026, 1, 2))]


def test_fc_dec_5_a_taipei_remote_review_on_a_holiday_stays_in_its_month() -> None:
    # 2027-02-28 is Peace Memorial Day (a Sunday, observed on Monday 1 March): weekly on Mondays from then on.
    dates = dict(remote_review_dates(date(2027, 2, 1), date(2027, 12, 31), ReviewCadence(1, "MO"),
                                     business_days("taipei")))
    assert date(2027, 3, 1) not in dates.values()  # the observed holiday is dropped: March has others
    assert fc_dec_5_breaches(dates.values(), date(2027, 2, 1), date(2027, 12, 31)) == []


@pytest.mark.parametrize(("dates", "breaches"), [
    ([date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3)], []),
    ([date(2026, 1, 6), date(2026, 3, 3)], [Breach(month=date(2026, 2, 1))]),
    ([date(2026, 1, 6), date(2026, 2, 3), date(2026, 2, 9), date(2026, 3, 3)],
     [Breach(pair=(date(2026, 2, 3), date(2026, 2, 9)))]),
    ([date(2026, 1, 6), date(2026, 2, 3), date(2026, 2, 10), date(2026, 3, 3)], []),  # 7 days apart is fine
])
def test_fc_dec_5_a_month_without_one_or_two_within_a_week_is_a_breach(dates: list[date],
                                                                      breaches: list[Breach]) -> None:
    assert fc_dec_5_breaches(dates, date(2026, 1, 1), date(2026, 3, 31)) == breaches


def test_fc_dec_5_partial_months_at_either_end_of_the_term_are_not_owed_one() -> None:
    assert fc_dec_5_breaches([date(2026, 2, 10)], date(2026, 1, 31), date(2026, 3, 30)) == []


def test_fc_dec_5_five_weeks_cannot_keep_a_review_in_every_month() -> None:
    problems = cadence_problems(date(2026, 1, 1), date(2026, 12, 31), ReviewCadence(5, "TU"),
                                business_days("london"))
    assert problems[0] == ("every 5 weeks on Tuesday leaves 2026-07 without a remote review; at least one is due "
                           "in every calendar month of the term, so choose 4 weeks or fewer (FC-DEC-5)")


@pytest.mark.parametrize(("raw", "problems"), [
    (None, []),
    ({"remote_every_weeks": 2, "weekday": "th"}, []),
    ({"remote_every_weeks": 0}, [("reviews.remote_every_weeks", "0 is not a whole number of weeks of at least 1 "
                                                                "(FC-DEC-5)")]),
    ({"weekday": "Tuesday"}, [("reviews.weekday", "'Tuesday' is not a weekday; use one of MO, TU, WE, TH, FR, SA, "
                                                  "SU")]),
    ({"every": 2}, [("reviews.every", "unknown field; known fields are remote_every_weeks, weekday")]),
])
def test_fc_dec_5_the_reviews_field_is_read_with_each_problem_named(raw: object,
                                                                    problems: list[tuple[str, str]]) -> None:
    assert read_cadence(raw)[1] == problems


def acme(**changes: object) -> str:
    contract = {"id": "ACME-FC-01", "customer": "ACME", "base_support": "standard",
                "location": {"country": "GB", "subdivision": "ENG", "timezone": "Europe/London"},
                "term": {"start": "2026-01-01", "end": "2026-12-31"},
                "options": [{"type": "TAM", "product_family": "Operations Bridge", "person": "U0TAM001"}]} | changes
    return yaml.safe_dump({"contracts": [contract]})


def test_fc_dec_5_a_cadence_that_cannot_keep_it_is_refused_at_import_with_file_contract_and_field() -> None:
    with pytest.raises(ContractFileError) as refused:
        parse_contract_file(acme(reviews={"remote_every_weeks": 6, "weekday": "WE"}), source="contracts.yml")
    assert refused.value.errors[0] == (
        "contracts.yml: ACME-FC-01: reviews.remote_every_weeks: every 6 weeks on Wednesday leaves 2026-03 without a "
        "remote review; at least one is due in every calendar month of the term, so choose 4 weeks or fewer "
        "(FC-DEC-5)")


def test_fc_dec_5_a_good_cadence_is_carried_into_the_spec() -> None:
    spec = parse_contract_file(acme(reviews={"remote_every_weeks": 2, "weekday": "FR"}), source="contracts.yml")[0]
    assert spec.reviews == ReviewCadence(2, "FR")
    assert parse_contract_file(acme(), source="contracts.yml")[0].reviews == ReviewCadence(4, "TU")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(sorted(LOCATIONS)), every=st.integers(1, 4),
       weekday=st.sampled_from(["MO", "TU", "WE", "TH", "FR"]),
       starts_on=st.dates(date(2024, 1, 1), date(2034, 12, 31)), days_long=st.integers(60, 3 * 366))
def test_fc_dec_5_any_allowed_cadence_keeps_every_month_and_7_days_after_moving_to_business_days(
        place: str, every: int, weekday: str, starts_on: date, days_long: int) -> None:
    ends_on = starts_on + timedelta(days=days_long)
    days = business_days(place)
    dates = [on for _, on in remote_review_dates(starts_on, ends_on, ReviewCadence(every, weekday), days)]
    assert fc_dec_5_breaches(dates, starts_on, ends_on) == []
    assert all(days.is_open(d) and starts_on <= d <= ends_on for d in dates)
