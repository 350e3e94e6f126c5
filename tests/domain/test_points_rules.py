"""Pure points rules: price, notice, which year pays, menu validation (FC-PTS-3/4, FC-TRM-1/2, FC-DEC-1/2/3)."""

from datetime import UTC, date, datetime

import pytest

from domain.contracts.rules import contract_years
from domain.errors import OutsideTerm
from domain.points import rules
from domain.points.menu import SHIPPED_MENU, MenuError, load_menu, parse_menu


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("requested_at", "zone", "service_on", "days", "surcharged"), [
    # Plain: 21 days is enough notice, 20 is not (FC-PTS-4, FC-TRM-1).
    (at("2026-11-30 09:00"), "Europe/London", date(2026, 12, 21), 21, False),
    (at("2026-11-30 09:00"), "Europe/London", date(2026, 12, 20), 20, True),
    # Across the spring DST change in London (29 March 2026): a 23-hour day still counts as one day.
    (at("2026-03-10 23:30"), "Europe/London", date(2026, 3, 31), 21, False),
    (at("2026-03-10 23:30"), "Europe/London", date(2026, 3, 30), 20, True),
    # Across the autumn change in New York (1 November 2026): 00:30 local is 04:30 UTC.
    (at("2026-10-20 04:30"), "America/New_York", date(2026, 11, 10), 21, False),
    (at("2026-10-20 04:30"), "America/New_York", date(2026, 11, 9), 20, True),
    # UTC+14: 11:00 UTC on 30 Nov is already 1 Dec there, so 21 Dec is only 20 days away (FC-DEC-2).
    (at("2026-11-30 11:00"), "Pacific/Kiritimati", date(2026, 12, 22), 21, False),
    (at("2026-11-30 11:00"), "Pacific/Kiritimati", date(2026, 12, 21), 20, True),
    # UTC-11: 05:00 UTC on 1 Dec is still 30 Nov there, so 21 Dec is a full 21 days away.
    (at("2026-12-01 05:00"), "Pacific/Pago_Pago", date(2026, 12, 21), 21, False),
    (at("2026-12-01 05:00"), "Pacific/Pago_Pago", date(2026, 12, 20), 20, True),
    # Same day: no notice at all.
    (at("2026-11-30 09:00"), "Europe/London", date(2026, 11, 30), 0, True),
])
def test_fc_dec_2_notice_is_counted_in_calendar_days_in_the_contracts_zone(
        requested_at: datetime, zone: str, service_on: date, days: int, surcharged: bool) -> None:
    price = rules.price(unit_tenths=100, units=1, requested_at=requested_at, service_on=service_on, zone=zone)
    assert price.notice_days == days
    assert price.short_notice is surcharged
    assert price.total_tenths == (150 if surcharged else 100)


@pytest.mark.parametrize(("unit_points", "units", "days_of_notice", "total"), [
    (3, 1, 20, "4.5"),  # FC-DEC-3: an odd price keeps its half point
    (3, 1, 21, "3"),
    (7, 3, 20, "31.5"),
    (7, 3, 21, "21"),
    (1, 1, 0, "1.5"),
    (10, 2, 5, "30"),
])
def test_fc_pts_4_fc_dec_3_the_50_percent_surcharge_is_exact_in_tenths(
        unit_points: int, units: int, days_of_notice: int, total: str) -> None:
    base = unit_points * 10 * units
    assert rules.points_text(base + rules.notice_surcharge(base, days_of_notice)) == total


def test_fc_dec_3_a_surcharge_that_would_need_rounding_is_refused_not_rounded() -> None:
    with pytest.raises(ValueError, match="not a whole number of tenths"):
        rules.notice_surcharge(45, 3)


@pytest.mark.parametrize(("tenths", "text"), [(0, "0"), (5, "0.5"), (45, "4.5"), (1200, "120"), (-35, "-3.5")])
def test_fc_dec_3_points_read_exactly(tenths: int, text: str) -> None:
    assert rules.points_text(tenths) == text


@pytest.mark.parametrize(("year_ends_on", "last_day"), [
    (date(2026, 12, 31), date(2026, 12, 10)),
    (date(2027, 3, 31), date(2027, 3, 10)),
    (date(2028, 3, 1), date(2028, 2, 9)),  # leap year
])
def test_fc_pts_1_fc_pts_4_the_last_normal_price_booking_day_is_21_days_before_expiry(
        year_ends_on: date, last_day: date) -> None:
    assert rules.last_normal_price_booking_day(year_ends_on) == last_day
    assert rules.normal_price_from(last_day) == year_ends_on


YEARS = contract_years(date(2026, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 1, 1), 1), (date(2026, 12, 31), 1), (date(2027, 1, 1), 2), (date(2027, 12, 31), 2)])
def test_fc_dec_1_the_year_containing_the_service_day_pays(day: date, year: int) -> None:
    assert rules.paying_year(YEARS, day).number == year


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2028, 1, 1)])
def test_fc_dec_1_a_day_outside_the_term_is_refused_with_the_term(day: date) -> None:
    with pytest.raises(OutsideTerm, match=r"outside this contract's term \(2026-01-01 to 2027-12-31\)"):
        rules.paying_year(YEARS, day)


@pytest.mark.parametrize(("now", "zone", "ended"), [
    (at("2026-12-31 23:59"), "Europe/London", False),
    (at("2027-01-01 00:00"), "Europe/London", True),
    (at("2026-12-31 10:00"), "Pacific/Kiritimati", True),  # already 1 January there
    (at("2027-01-01 10:59"), "Pacific/Pago_Pago", False),  # still 31 December there
])
def test_fc_pts_1_a_year_ends_when_its_last_day_ends_in_the_contracts_zone(now: datetime, zone: str,
                                                                          ended: bool) -> None:
    assert rules.year_has_ended(YEARS[0], now=now, zone=zone) is ended
    assert (now >= rules.expires_at(YEARS[0], zone)) is ended


def test_fc_pts_3_the_shipped_menu_loads_and_says_its_prices_are_examples() -> None:
    menu = load_menu()
    assert menu.example_prices is True
    assert "THE PRICES BELOW ARE EXAMPLES" in SHIPPED_MENU.read_text()
    assert [i.code for i in menu.items] == ["feature-coaching", "troubleshooting-coaching", "service-day",
                                            "weekend-service"]
    day = menu.item("service-day")
    assert day is not None and day.per_day and day.unit_tenths("onsite", "outside") == 150
    assert menu.extra_day_tenths == 80


@pytest.mark.parametrize(("item", "error"), [
    ({"code": "x", "name": "X", "unit": "week", "prices": [{"delivery": "remote", "hours": "standard", "points": 1}]},
     "menu.yml: x: unit: 'week' is not a unit; use request or day"),
    ({"code": "x", "name": "X", "unit": "day", "prices": [{"delivery": "remote", "hours": "standard",
                                                           "points": 2.5}]},
     "menu.yml: x: prices[0].points: 2.5 must be a whole number of points above 0"),
    ({"code": "x", "name": "X", "unit": "day", "prices": [{"delivery": "moon", "hours": "standard", "points": 1}]},
     "menu.yml: x: prices[0].delivery: 'moon' is not onsite or remote"),
    ({"code": "x", "unit": "day", "prices": [{"delivery": "remote", "hours": "standard", "points": 1}]},
     "menu.yml: x: name: is missing"),
    ({"name": "X", "unit": "day", "prices": []}, "menu.yml: items[0]: code: is missing"),
    ({"code": "x", "name": "X", "unit": "day", "price": 3}, "menu.yml: x: price: is not a menu field"),
])
def test_fc_pts_3_a_bad_menu_names_the_item_and_the_field(item: dict[str, object], error: str) -> None:
    import yaml

    with pytest.raises(MenuError) as caught:
        parse_menu(yaml.safe_dump({"extra_day_points": 8, "items": [item]}), source="menu.yml")
    assert any(line.startswith(error) for line in caught.value.errors), caught.value.errors


def test_fc_pts_3_every_problem_in_a_menu_is_reported_at_once() -> None:
    text = "extra_day_points: 0\nitems:\n  - {code: a, name: A, unit: hour, prices: []}\n"
    with pytest.raises(MenuError) as caught:
        parse_menu(text, source="menu.yml")
    assert len(caught.value.errors) == 3
