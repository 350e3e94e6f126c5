"""Account management rules as pure functions (FC-INC-9, FC-REV): who a notice concerns, when people are reminded."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.account.records import OPERATIONAL_PROFILE, SUPPORT_PLAN
from domain.calendar import ServiceCalendar
from domain.incidents.rules import OptionTerms, coverage
from domain.words import N_

ACK_BUSINESS_DAYS = 2  # FC-INC-9 (issue 9): a notice not acknowledged within 2 business days is reminded once
DEFAULT_STALE_AFTER = timedelta(days=90)  # FC-REV "kept current": the default; the sweep takes another
ONBOARDING_GRACE = timedelta(weeks=2)  # open kick-off items are reminded after 2 weeks, then weekly
TITLE_MAX, DETAILS_MAX, LINK_MAX, NOTE_MAX = 150, 2500, 500, 1000
PRODUCT_MAX = 150  # the form's limit; an AGSM covers any product named, so nothing else bounds it

# Who keeps each document current (FC-REV table): the support plan by the TAM, ESM or AGSM (the ESM first: it
# is the customer's service plan), the operational profile by the TAM only.
DOCUMENT_OWNERS = {SUPPORT_PLAN: ("ESM", "AGSM", "TAM"), OPERATIONAL_PROFILE: ("TAM",)}

# One line per role for the welcome kit, from FLEXCARE.md §1 (FC-CON-4), §3 (FC-INC-4..9) and §5 (FC-REV).
ROLE_DUTIES = {
    "NASE": N_("Named support engineer: your primary contact for every incident on %(scope)s (FC-INC-4)."),
    "TAM": N_("Technical account manager for %(scope)s: coordinates technical escalations, reviews incidents "
           "remotely, keeps your operational profile and reviews patch action plans (FC-INC-6, 8, 9)."),
    "ESM": N_("Enterprise service manager for %(scope)s: manages business escalations end to end, tracks business "
           "incidents and notifies you of critical patches and problems (FC-INC-6, 8, 9)."),
    "AGSM": N_("Account global support manager for every product solution under FlexCare: manages business "
            "escalations and keeps your customer support plan current (FC-INC-6, FC-REV)."),
    "Suite": N_("Dedicated suite team for every product in %(scope)s (FC-CON-4)."),
}


def _available(options: Iterable[OptionTerms]) -> list[OptionTerms]:
    return [o for o in options if not o.unavailable]  # FC-CON-8: never promise an unavailable service


def covers(options: Iterable[OptionTerms], product: str) -> bool:
    """FC-INC-9: a notice concerns every contract whose options cover the product; an AGSM covers every
    product solution under FlexCare (FC-CON-4), so its contracts hear of every notice. Case is ignored."""
    cover = coverage(options)
    wanted = product.strip().casefold()
    return bool(wanted) and (cover.everything or any(p.casefold() == wanted for p in cover.products))


def _scoped(options: list[OptionTerms], kind: str, product: str) -> list[str]:
    wanted = product.strip().casefold()
    of_kind = [o for o in options if o.type == kind]
    matching = [o for o in of_kind
                if wanted in {(s or "").casefold() for s in (o.product_family, o.product_solution, o.suite)}]
    return list(dict.fromkeys(o.person for o in (matching or of_kind)))


def notice_people(options: Iterable[OptionTerms], product: str) -> tuple[list[str], list[str]]:
    """(planners, notifiers) of a notice on one contract (FC-INC-9): the TAM of that product family (else every TAM)
    reviews the action plan; the ESM of that solution (else every ESM, else the AGSM) notifies the customer."""
    available = _available(options)
    esms = _scoped(available, "ESM", product) or _scoped(available, "AGSM", product)
    return _scoped(available, "TAM", product), esms


def may_plan(planners: list[str], notifiers: list[str], user: str) -> bool:
    """The TAM plans (FC-INC-9); a contract without a TAM leaves it to the ESM or AGSM who notified."""
    return user in planners if planners else user in notifiers


def acknowledgement_due(business_hours: ServiceCalendar, *, day_span: timedelta, sent_at: datetime) -> datetime:
    """The end of ACK_BUSINESS_DAYS business days after `sent_at` on the contract's own business calendar (its
    holidays, weekends and hours, even on a 24x7 contract): counted as that many days of service time, so a
    notice sent on Monday 09:00 is due on Wednesday 09:00, and one sent on Saturday at Tuesday's close."""
    return business_hours.add_service_time(sent_at, day_span * ACK_BUSINESS_DAYS)


def document_owner(options: Iterable[OptionTerms], kind: str) -> str | None:
    available = _available(options)
    for role in DOCUMENT_OWNERS[kind]:
        found = next((o.person for o in available if o.type == role), None)
        if found is not None:
            return found
    return None


def stale_reason(*, reviewed_at: datetime, changed_at: datetime | None, now: datetime,
                 stale_after: timedelta) -> str | None:
    """FC-REV "kept current": "changed" when the contract's options or people changed after the last review,
    "age" when the review is `stale_after` old, else None (current)."""
    if changed_at is not None and changed_at > reviewed_at:
        return "changed"
    if now - reviewed_at >= stale_after:
        return "age"
    return None


def onboarding_reminder_week(started_at: datetime, now: datetime) -> int | None:
    """1 from two weeks after the start, 2 a week later, ...: one reminder a week while items stay open."""
    elapsed = now - started_at
    if elapsed < ONBOARDING_GRACE:
        return None
    return (elapsed - ONBOARDING_GRACE) // timedelta(weeks=1) + 1
