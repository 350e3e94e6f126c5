"""A quarter's report as plain JSON facts and back: the outbox's params (handlers/blocks renders them on the day it
posts) and `flexcare report --json`. Points stay integer tenths (FC-DEC-3); days are ISO dates."""

from dataclasses import asdict, fields
from datetime import date
from typing import Any

from domain.reports.kpis import Figures, MonthFigures, PointsFigures, QuarterReport
from domain.reviews.service import KindUse

VERSION = 1


def report_facts(report: QuarterReport) -> dict[str, Any]:
    points = report.points
    return {
        "version": VERSION, "contract": report.contract_id, "customer": report.customer, "timezone": report.timezone,
        "quarter": report.quarter, "previous_quarter": report.previous_quarter,
        "first_day": report.first_day.isoformat(), "last_day": report.last_day.isoformat(), "to_date": report.to_date,
        "current": _figures(report.current), "previous": _figures(report.previous),
        "top_products": [[product, count] for product, count in report.top_products],
        "months": [{"month": m.month.isoformat(), "opened": list(m.opened), "ftc_met": m.ftc_met,
                    "ftc_missed": m.ftc_missed} for m in report.months],
        "points": None if points is None else {
            name: value.isoformat() if isinstance(value, date) else value for name, value in asdict(points).items()},
        "reviews_year": report.reviews_year, "reviews": [asdict(use) for use in report.reviews],
    }


def report_from_facts(facts: dict[str, Any]) -> QuarterReport:
    points = facts.get("points")
    return QuarterReport(
        contract_id=facts["contract"], customer=facts["customer"], timezone=facts["timezone"],
        quarter=facts["quarter"], previous_quarter=facts["previous_quarter"],
        first_day=date.fromisoformat(facts["first_day"]), last_day=date.fromisoformat(facts["last_day"]),
        to_date=bool(facts["to_date"]), current=_read_figures(facts["current"]),
        previous=_read_figures(facts["previous"]),
        top_products=[(str(p), int(c)) for p, c in facts["top_products"]],
        months=[MonthFigures(date.fromisoformat(m["month"]), tuple(m["opened"]), m["ftc_met"], m["ftc_missed"])
                for m in facts["months"]],
        points=None if points is None else _read_points(points),
        reviews_year=facts.get("reviews_year"), reviews=[KindUse(**use) for use in facts.get("reviews", [])])


_POINT_DAYS = ("starts_on", "ends_on", "next_expiry_after")


def _figures(figures: Figures) -> dict[str, Any]:
    values = asdict(figures)
    return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}


def _read_figures(values: dict[str, Any]) -> Figures:
    read: dict[str, Any] = {f.name: tuple(values[f.name]) if isinstance(values[f.name], list) else values[f.name]
                            for f in fields(Figures)}
    return Figures(**read)


def _read_points(values: dict[str, Any]) -> PointsFigures:
    read: dict[str, Any] = {f.name: _day(values[f.name]) if f.name in _POINT_DAYS else values[f.name]
                            for f in fields(PointsFigures)}
    return PointsFigures(**read)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
