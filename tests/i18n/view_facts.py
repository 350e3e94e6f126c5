"""The longest realistic facts each builder can be given: every field people type at its limit, with the
characters that escaping lengthens (`&`, `<`, `>`), long names, many products, contracts, people and lines.

`CHANNEL_POSTS` holds the outbox params of every notification kind (the shapes domain/*/notices.py and the
sweeps write), several states each; tests/i18n/test_views_fit.py renders them in every language.
"""

from datetime import date
from typing import Any

from domain.account.rules import DETAILS_MAX, LINK_MAX, NOTE_MAX, TITLE_MAX
from domain.incidents.notices import CARD_DESCRIPTION_MAX
from domain.incidents.rules import CASE_REF_MAX, REASON_MAX, RESOLUTION_MAX, SUMMARY_MAX, UPDATE_MAX, VENDOR_MAX


def typed(limit: int, words: str = "Backup & restore <prod-db> fails; 備份與還原失敗 ") -> str:
    """What a person typed into a field, at its limit."""
    return (words * (limit // len(words) + 1))[:limit]


CONTRACT = "FORMOSA-ADVANCED-SEMICONDUCTOR-PACKAGING-FLEXCARE-2026-TAIPEI-07"[:64]
CUSTOMER = "Formosa Advanced Semiconductor Packaging & Test Co., Ltd. (台灣先進半導體封裝測試股份有限公司)"
ZONE = "America/Argentina/ComodRivadavia"  # the longest zone name; Taipei and London are tested elsewhere
PRODUCT = typed(150, "Operations Bridge Manager & Network Node Manager i Premium ")
USERS = [f"U0{n:09d}" for n in range(1, 31)]  # Slack ids as long as they come
LINK = ("https://support.example.com/advisories/" + "a" * LINK_MAX)[:LINK_MAX]
AT, LATER = "2026-11-30T09:00:00+00:00", "2026-12-24T16:00:00+00:00"

INCIDENT: dict[str, Any] = {
    "copy": "channel", "key": f"{CONTRACT}-0007", "contract": CONTRACT, "timezone": ZONE, "around_the_clock": False,
    "summary": typed(SUMMARY_MAX), "description": typed(CARD_DESCRIPTION_MAX), "description_cut": True,
    "impact": 1, "target_seconds": 3600, "product": PRODUCT, "owner": USERS[0], "owner_role": "NASE",
    "priority_team": True, "status": "open", "opened_at": AT, "opened_by": USERS[1], "ftc_due_at": LATER,
    "ftc_clock_starts_at": AT, "time_left_seconds": 12_000, "as_of": AT, "ftc_at": None, "ftc_by": None,
    "ftc_met": None, "ftc_service_seconds": None, "escalation": "business", "escalated_to": USERS[2],
    "escalated_at": AT, "last_update_at": AT, "resolved_at": None, "resolution": None,
    "vendor": typed(VENDOR_MAX), "case_ref": typed(CASE_REF_MAX), "card_channel": "C0INCIDENTS1",
    "source_link": "https://formosa.slack.com/archives/C0TALK0001/p1796032800000100",
}
RESOLVED = INCIDENT | {"status": "resolved", "resolved_at": LATER, "resolution": typed(RESOLUTION_MAX),
                       "ftc_at": LATER, "ftc_by": USERS[0], "ftc_met": False, "ftc_service_seconds": 200_000,
                       "copy": "thread", "time_left_seconds": None}
TIMELINE = {"key": INCIDENT["key"], "actor": USERS[3], "at": AT, "timezone": ZONE, "before": {"impact": 4},
            "after": {"impact": 1, "ftc_due_at": LATER, "met": True, "service_seconds": 95_000,
                      "escalation": "technical", "escalated_to": USERS[4]}}
NOTICE: dict[str, Any] = {
    "delivery_id": 123_456, "notice": "CP-2026-0042", "contract": CONTRACT, "customer": CUSTOMER, "timezone": ZONE,
    "product": PRODUCT, "kind": "critical_problem", "severity": "critical", "title": typed(TITLE_MAX),
    "details": typed(DETAILS_MAX), "link": LINK, "data_loss_risk": True, "disruption_risk": True,
    "sent_by": USERS[5], "sent_at": AT, "tams": USERS[:5], "esms": USERS[5:10], "acknowledged_by": None,
    "acknowledged_at": None, "plan_by": None, "plan_at": None, "install_on": None, "plan_mode": None,
    "service_days": None, "points_request": False, "plan_note": None,
}
PLANNED = NOTICE | {"acknowledged_by": USERS[6], "acknowledged_at": AT, "plan_by": USERS[0], "plan_at": AT,
                    "install_on": "2026-12-24", "plan_mode": "onsite", "service_days": 99, "points_request": True,
                    "plan_note": typed(NOTE_MAX)}
DOCUMENT = {"contract": CONTRACT, "kind": "support_plan", "owner": USERS[7], "link": LINK, "reviewed_by": USERS[7],
            "timezone": ZONE, "reviewed_at": AT, "stale": "changed", "stale_after_days": 180}
REVIEW = {"review_id": 9876, "key": f"{CONTRACT}:technical_review:TAM:{PRODUCT}:y1q4", "kind": "support_statistics",
          "mode": "onsite", "role": "TAM", "scope": PRODUCT, "owner": USERS[8], "on": "2026-12-24",
          "status": "rescheduled", "contract": CONTRACT, "customer": CUSTOMER, "timezone": ZONE}
REQUEST = {"request_id": 4321, "contract": CONTRACT, "customer": CUSTOMER, "timezone": ZONE, "contract_year": 3,
           "item_code": "feature-coaching", "item_name": typed(120, "Troubleshooting coaching & health check "),
           "unit": "day", "service_on": "2026-12-24", "days": 10, "delivery": "onsite", "hours": "outside",
           "notes": typed(500), "notice_days": 20, "base_tenths": 123_450, "surcharge_tenths": 61_725,
           "extra_tenths": 99_990, "status": "requested", "requested_by": USERS[9], "requested_at": AT,
           "decided_by": USERS[10], "closed_by": USERS[11]}
ROLES = [{"role": role, "person": USERS[n], "scope": PRODUCT, "unavailable": n % 4 == 3}
         for n, role in enumerate(["NASE", "TAM", "ESM", "AGSM", "Suite"] * 4)]
WELCOME = {"contract": CONTRACT, "customer": CUSTOMER, "timezone": ZONE, "around_the_clock": False,
           "opens": "08:30", "closes": "17:45", "incidents_channel": "C0INCIDENTS1", "roles": ROLES, "year": 3,
           "available_tenths": 1_234_565, "year_ends_on": "2027-06-30",
           "reviews": [{"kind": "support_statistics", "role": "TAM", "owner": USERS[1], "mode": "onsite",
                        "on": "2026-12-24"}] * 3}
CHECKLIST = {"contract": CONTRACT, "customer": CUSTOMER, "timezone": ZONE, "items": [
    {"item": "welcome_call", "done_by": USERS[1], "done_at": AT}, {"item": "kickoff_date", "done_by": None,
                                                                  "done_at": None},
    {"item": "support_plan_linked", "done_by": None, "done_at": None},
    {"item": "operational_profile_linked", "done_by": USERS[2], "done_at": LATER}]}
OPEN_ITEMS = ["welcome_call", "kickoff_date", "support_plan_linked", "operational_profile_linked"]
FTC_STAGE = {"key": INCIDENT["key"], "stage_at": AT, "late": True, "impact": 1, "owner": USERS[0], "tam": USERS[1],
             "due_at": LATER, "left_seconds": 93_000, "timezone": ZONE}
BUYS = [{"code": f"service-{n}", "name": typed(120, "Onsite technical service day & health check "),
         "unit": "day" if n % 2 else "request", "delivery": "onsite", "hours": "outside", "price_tenths": 10_005,
         "units": 123} for n in range(12)]
EXPIRY = {"contract": CONTRACT, "customer": CUSTOMER, "contract_year": 3, "stage": "90_days", "stage_at": AT,
          "late": True, "available_tenths": 1_234_565, "expires_on": "2027-07-01",
          "last_normal_price_day": "2027-06-09", "today": "2027-04-01", "admins": USERS, "buys": BUYS,
          "timezone": ZONE}
WARNINGS = [typed(600, "December 2026 now has no remote review; FC-DEC-5 asks for one a month. ")] * 12

CHANNEL_POSTS: dict[str, list[dict[str, Any]]] = {
    "incident_card": [INCIDENT, RESOLVED, INCIDENT | {"time_left_seconds": -400_000, "escalation": "technical"},
                      INCIDENT | {"ftc_due_at": None, "time_left_seconds": None, "source_link": None}],
    "incident_timeline": [TIMELINE | {"kind": kind, "note": typed(limit)} for kind, limit in (
        ("first_contact", 1), ("escalated", REASON_MAX), ("impact_changed", 1), ("update", UPDATE_MAX),
        ("resolved", RESOLUTION_MAX), ("reopened", 1))],
    "incident_escalation_dm": [{"key": INCIDENT["key"], "summary": typed(SUMMARY_MAX), "impact": 1, "escalation": e,
                                "by": USERS[0], "reason": typed(REASON_MAX), "card_channel": "C0INCIDENTS1",
                                "source_link": INCIDENT["source_link"], "product": PRODUCT}
                               for e in ("technical", "business")],
    "account_notice": [NOTICE, PLANNED],
    "account_notice_reminder": [{"notice": "CP-2026-0042", "title": typed(TITLE_MAX), "contract": CONTRACT,
                                 "admins": USERS, "sent_at": AT, "timezone": ZONE}],
    "account_document_stale": [DOCUMENT, DOCUMENT | {"stale": "age", "kind": "operational_profile"}],
    "onboarding_welcome": [WELCOME, WELCOME | {"year": None, "around_the_clock": True, "reviews": []}],
    "onboarding_checklist": [CHECKLIST],
    "onboarding_reminder": [{"contract": CONTRACT, "customer": CUSTOMER, "open": OPEN_ITEMS, "started_at": AT}],
    "ftc_stage": [FTC_STAGE | {"stage": s} for s in ("half", "last", "breach", "reminder-3")],
    "points_expiry_reminder": [EXPIRY, EXPIRY | {"today": "2027-06-09"}, EXPIRY | {"today": "2027-06-20",
                                                                                  "buys": []}],
    "points_request": [REQUEST | {"status": s} for s in ("requested", "accepted", "declined", "delivered",
                                                          "cancelled")],
    "review_reminder": [REVIEW | {"stage": s, "days_left": 21} for s in ("three_weeks", "one_week", "day_before")],
    "review_changed": [REVIEW | {"what": "rescheduled", "by": USERS[1], "moved_from": "2026-12-08",
                                 "warnings": WARNINGS},
                       REVIEW | {"what": "confirmed", "by": USERS[1], "moved_from": None, "warnings": []},
                       REVIEW | {"what": "held", "by": USERS[1], "moved_from": None, "warnings": []}],
    "text": [{"text": typed(2999)}, {"text": typed(39_000)}],
}
# quarterly_report's params are built from a real report in the test (domain.reports.facts.report_facts).

TERM = (date(2025, 7, 1), date(2028, 6, 30))
