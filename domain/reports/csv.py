"""The quarter's incidents as CSV for the people who want a spreadsheet (FC-REV, FC-INC-1, 2, 6).

Column names are fixed identifiers for spreadsheets and scripts, so they stay untranslated; instants are
UTC in ISO 8601 (a spreadsheet converts them; the contract's zone is in the file name's report).
"""

import csv
import io
from collections.abc import Sequence

from domain.reports.rows import IncidentRow

COLUMNS = ("id", "opened", "impact", "product", "owner", "ftc_due", "ftc_at", "met", "escalations", "resolved")


def incidents_csv(rows: Sequence[tuple[IncidentRow, int]]) -> str:
    """One line per incident, oldest first; `met` is yes / no, or empty without a target or a first contact yet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for incident, escalations in rows:
        met = "" if incident.ftc_met is None else ("yes" if incident.ftc_met else "no")
        writer.writerow([incident.key, incident.opened_at.isoformat(), incident.impact, _safe(incident.product),
                         incident.owner, _iso(incident.ftc_due_at), _iso(incident.ftc_at), met, escalations,
                         _iso(incident.resolved_at)])
    return out.getvalue()


def _iso(at: object) -> str:
    return at.isoformat() if hasattr(at, "isoformat") else ""


def _safe(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
