"""`flexcare report CONTRACT-ID [QUARTER] [--json]` and `flexcare reviews ics CONTRACT-ID`: the quarterly support
report and the review calendar for people outside Slack (issue 8, FC-REV). Both write to standard output."""

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from bot import runtime
from bot.settings import Settings
from domain.contracts import service as contracts
from domain.points.rules import points_text
from domain.reports import service as reports
from domain.reports.facts import report_facts
from domain.reports.ics import review_calendar
from domain.reports.kpis import Change, QuarterReport


def add_commands(sub: Any) -> None:
    """Register the subcommands on `flexcare`'s subparsers (bot.cli)."""
    p = sub.add_parser("report", help="a contract's quarterly support statistics and KPIs (FC-REV)")
    p.add_argument("contract", metavar="CONTRACT-ID")
    p.add_argument("quarter", nargs="?", metavar="QUARTER",
                   help="e.g. 2026-Q3, or `this` for the quarter so far (default: the last full quarter)")
    p.add_argument("--json", action="store_true", help="the figures as JSON (points in tenths)")
    p.set_defaults(command=report)
    rev = sub.add_parser("reviews", help="reviews").add_subparsers(required=True, metavar="ACTION")
    p = rev.add_parser("ics", help="write the contract's review calendar as iCalendar to standard output")
    p.add_argument("contract", metavar="CONTRACT-ID")
    p.set_defaults(command=reviews_ics)


def report(settings: Settings, args: argparse.Namespace) -> int:
    db = runtime.open_database(settings)
    with db() as session:
        contract = contracts.get_contract(session, args.contract)
        built = reports.report_for(session, contract, quarter=args.quarter, now=datetime.now(UTC))
    if args.json:
        print(json.dumps(report_facts(built), indent=2, ensure_ascii=False))
    else:
        print(report_text(built))
    return 0


def reviews_ics(settings: Settings, args: argparse.Namespace) -> int:
    db = runtime.open_database(settings)
    with db() as session:
        contract = contracts.get_contract(session, args.contract)
        content = review_calendar(contract, reports.scheduled_reviews(session, contract))
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
    return 0


def report_text(report: QuarterReport) -> str:
    """The report as plain lines: each headline with the previous quarter's value beside it."""
    period = f"{report.first_day} to {report.last_day} ({report.timezone})"
    lines = [f"{report.contract_id} ({report.customer}): support report {report.quarter}, {period}",
             f"{'':26}{report.quarter:>12}{report.previous_quarter:>12}"]
    for change in report.changes:
        lines.append(f"{change.name.replace('_', ' '):26}{_value(change, change.now):>12}"
                     f"{_value(change, change.before):>12}")
    current = report.current
    lines.append("opened by impact 1-4      " + " / ".join(str(n) for n in current.opened))
    lines.append("FTC met by impact 1-4     " + " / ".join(str(n) for n in current.ftc_met))
    lines.append("FTC missed by impact 1-4  " + " / ".join(str(n) for n in current.ftc_missed))
    lines.append("top products              " + (", ".join(f"{p} ({n})" for p, n in report.top_products) or "-"))
    if report.points is not None:
        p = report.points
        lines.append(f"points, contract year {p.contract_year}: purchased {points_text(p.purchased)}, spent "
                     f"{points_text(p.spent)}, reserved {points_text(p.reserved)}, expired {points_text(p.expired)}, "
                     f"available {points_text(p.available)}")
        if p.next_expiry_after is not None:
            lines.append(f"next to expire: {points_text(p.next_expiry_tenths)} points of year {p.next_expiry_year}, "
                         f"unused after {p.next_expiry_after}")
    for use in report.reviews:
        lines.append(f"reviews {use.kind}: onsite {use.onsite_held}/{use.onsite_owed} held, "
                     f"remote {use.remote_held}/{use.remote_owed} held")
    return "\n".join(lines)


def _value(change: Change, value: float | None) -> str:
    if value is None:
        return "-"
    if change.name == "met_rate":
        return f"{100 * value:.0f}%"
    if change.name in ("median_ftc", "p90_ftc"):
        return f"{value / 3600:.2f} h"
    if change.name == "points_spent":
        return points_text(int(value))
    return str(int(value))
