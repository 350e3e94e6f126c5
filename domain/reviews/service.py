"""Review use cases (FC-REV, FC-DEC-5): generate a contract's schedule, confirm, reschedule, mark held, and
read what is coming and what this contract year has used. Services take the caller's session, never commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import formats
from domain.access import Role, roles_of
from domain.contracts.records import Contract
from domain.contracts.rules import contract_year_of
from domain.errors import FlexcareError, NotAllowed, NotFound, OutsideTerm
from domain.reviews import reminders, rules
from domain.reviews.days import BusinessDays
from domain.reviews.records import (
    ACTIVE,
    AGREED,
    CANCELLED,
    CONFIRMED,
    HELD,
    RESCHEDULED,
    SCHEDULED,
    Review,
    ReviewPlan,
)
from domain.reviews.rules import Kind, Owner, ReviewCadence
from domain.words import _

RECENT_DAYS = 30  # past reviews not yet marked held are listed this long


@dataclass
class RefreshReport:
    created: int = 0
    moved: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class Rescheduled:
    review: Review
    moved_from: date
    warnings: list[str] = field(default_factory=list)  # FC-DEC-5 rules the new date breaks, as sentences


@dataclass(frozen=True)
class KindUse:
    """One deliverable's use in a contract year: held against what the year's schedule owes, per mode."""

    kind: str
    onsite_held: int
    onsite_owed: int
    remote_held: int
    remote_owed: int


@dataclass(frozen=True)
class YearUse:
    contract_year: int
    starts_on: date
    ends_on: date
    kinds: list[KindUse]


def owners_of(contract: Contract) -> list[Owner]:
    """The options that owe reviews (FC-REV); an option unavailable in the region owes none (FC-CON-8)."""
    return [Owner(o.type, o.person, o.product_family or o.product_solution or None) for o in contract.options
            if o.type in rules.LEAD_ORDER and not o.unavailable]


def refresh_schedule(session: Session, *, contract: Contract, cadence: ReviewCadence, now: datetime) -> RefreshReport:
    """Generate the contract's schedule and reconcile it with the stored one by key (re-import: no duplicates).

    A review as generated follows the file; one agreed (confirmed or rescheduled) keeps its date; one held
    is history. A review no longer owed is cancelled, and comes back if a later import owes it again.
    """
    planned = rules.plan_reviews(contract.id, contract.starts_on, contract.ends_on, owners_of(contract), cadence,
                                 BusinessDays.for_contract(contract))
    stored = {r.key: r for r in session.scalars(select(Review).where(Review.contract_id == contract.id))}
    report = RefreshReport()
    for plan in planned:
        row = stored.pop(plan.key, None)
        if row is None:
            session.add(Review(key=plan.key, contract_id=contract.id, kind=plan.kind.value, role=plan.role,
                               scope=plan.scope, owner=plan.owner, mode=plan.mode, contract_year=plan.contract_year,
                               planned_on=plan.on, scheduled_on=plan.on, status=SCHEDULED, generated_at=now))
            report.created += 1
            continue
        if row.status == HELD:
            continue
        row.role, row.scope, row.owner, row.mode, row.planned_on, row.generated_at = (
            plan.role, plan.scope, plan.owner, plan.mode, plan.on, now)
        agreed_inside_term = row.status in AGREED and contract.starts_on <= row.scheduled_on <= contract.ends_on
        if not agreed_inside_term and (row.scheduled_on != plan.on or row.status != SCHEDULED):
            report.moved += row.scheduled_on != plan.on
            row.scheduled_on, row.status = plan.on, SCHEDULED
        row.contract_year = contract_year_of(contract.starts_on, contract.ends_on, row.scheduled_on)
    for row in stored.values():
        if row.status not in (HELD, CANCELLED):
            row.status, row.generated_at = CANCELLED, now
            report.cancelled += 1
    _store_plan(session, contract.id, cadence, now)
    session.flush()
    return report


def ensure_schedule(session: Session, *, contract: Contract, now: datetime) -> bool:
    """A contract imported before reviews existed gets the default cadence until its file is imported again
    (its fingerprint then differs, so that import regenerates with the file's cadence). True if generated."""
    if session.get(ReviewPlan, contract.id) is not None:
        return False
    refresh_schedule(session, contract=contract, cadence=ReviewCadence(), now=now)
    return True


def _store_plan(session: Session, contract_id: str, cadence: ReviewCadence, now: datetime) -> None:
    plan = session.get(ReviewPlan, contract_id) or ReviewPlan(contract_id=contract_id)
    plan.remote_every_weeks, plan.weekday, plan.generated_at = cadence.remote_every_weeks, cadence.weekday, now
    session.add(plan)


def plan_of(session: Session, contract_id: str) -> ReviewPlan | None:
    return session.get(ReviewPlan, contract_id)


# -- vendor staff act on one review --------------------------------------------------------------------------------
def confirm(session: Session, *, review_id: int, by: str, now: datetime) -> Review:
    """Agreed with the customer; pressing again changes nothing."""
    review, contract = changeable(session, review_id=review_id, by=by)
    if review.status == CONFIRMED:
        return review
    review.status, review.confirmed_by, review.confirmed_at = CONFIRMED, by, now
    reminders.announce(session, review=review, contract=contract, what="confirmed", by=by, now=now)
    return review


def reschedule(session: Session, *, review_id: int, to: date, by: str, now: datetime) -> Rescheduled:
    """Move a review to another business day of the term; warn (not refuse) where FC-DEC-5 no longer holds."""
    review, contract = changeable(session, review_id=review_id, by=by)
    days = BusinessDays.for_contract(contract)
    today = local_today(contract, now)
    if not contract.starts_on <= to <= contract.ends_on:
        raise OutsideTerm(_("%(day)s is outside the term of %(contract)s (%(start)s to %(end)s); choose a day inside "
                            "it.", day=formats.iso_date(to), contract=contract.id,
                            start=formats.iso_date(contract.starts_on), end=formats.iso_date(contract.ends_on)))
    if to < today:
        raise FlexcareError(_("%(day)s has passed; choose today or a later day.", day=formats.iso_date(to)))
    if not days.is_open(to):
        raise FlexcareError(_("%(day)s is not a business day in %(place)s; the next one is %(next)s.",
                              day=formats.iso_date(to), place=contract.country,
                              next=formats.iso_date(days.on_or_after(to))))
    moved_from = review.scheduled_on
    if to == moved_from:
        return Rescheduled(review, moved_from)
    review.scheduled_on, review.status = to, RESCHEDULED
    review.rescheduled_by, review.rescheduled_at = by, now
    review.contract_year = contract_year_of(contract.starts_on, contract.ends_on, to)
    session.flush()
    warnings = _cadence_warnings(session, review, contract, moved_from) if review.kind == Kind.REMOTE else []
    reminders.announce(session, review=review, contract=contract, what="rescheduled", by=by, now=now,
                       moved_from=moved_from, warnings=warnings)
    return Rescheduled(review, moved_from, warnings)


def mark_held(session: Session, *, review_id: int, by: str, now: datetime) -> Review:
    """It took place (on its day or later); pressing again changes nothing."""
    review, contract = changeable(session, review_id=review_id, by=by, held_ok=True)
    if review.status == HELD:
        return review
    if review.scheduled_on > local_today(contract, now):
        raise FlexcareError(_("This review is on %(day)s, so it cannot have been held yet. If it took place "
                              "earlier, reschedule it to today first.", day=formats.iso_date(review.scheduled_on)))
    review.status, review.held_by, review.held_at = HELD, by, now
    reminders.announce(session, review=review, contract=contract, what="held", by=by, now=now)
    return review


def changeable(session: Session, *, review_id: int, by: str, held_ok: bool = False,
               lock: bool = True) -> tuple[Review, Contract]:
    """The review and its contract, if `by` may change it now; else the sentence saying why not."""
    review = session.get(Review, review_id, with_for_update=lock)  # two presses at once: one wins, one sees it
    if review is None:
        raise NotFound(_("That review no longer exists; `/flexcare reviews` shows the current ones."))
    contract = session.get_one(Contract, review.contract_id)
    if Role.VENDOR not in roles_of(contract, by):
        raise NotAllowed(_("Only vendor staff on contract %(contract)s confirm, reschedule or mark reviews held. "
                           "Ask %(staff)s.", contract=contract.id,
                           staff=", ".join(f"<@{u}>" for u in sorted(contract.vendor_staff()))))
    if review.status == HELD and not held_ok and review.held_at is not None:
        raise FlexcareError(_("This review was marked held on %(day)s by <@%(who)s>; it cannot change now.",
                              day=formats.iso_date(review.held_at.date()), who=review.held_by))
    if review.status == CANCELLED:
        raise FlexcareError(_("This review was cancelled when the contract file changed; `/flexcare reviews` "
                              "shows the current ones."))
    return review, contract


def _cadence_warnings(session: Session, review: Review, contract: Contract, moved_from: date) -> list[str]:
    """FC-DEC-5 over the moved review's series, as far as this move is concerned (old month, new date)."""
    series = session.scalars(select(Review.scheduled_on).where(
        Review.contract_id == review.contract_id, Review.kind == Kind.REMOTE.value, Review.role == review.role,
        Review.scope == review.scope if review.scope else Review.scope.is_(None),
        Review.status != CANCELLED)).all()
    warnings = []
    for breach in rules.fc_dec_5_breaches(series, contract.starts_on, contract.ends_on):
        if breach.pair is not None and review.scheduled_on in breach.pair:
            other = breach.pair[0] if breach.pair[1] == review.scheduled_on else breach.pair[1]
            warnings.append(_("Remote reviews on %(one)s and %(other)s are less than 7 days apart; FC-DEC-5 asks for "
                              "at most one a week.", one=formats.iso_date(review.scheduled_on),
                              other=formats.iso_date(other)))
        elif breach.month is not None and (breach.month.year, breach.month.month) in (
                (moved_from.year, moved_from.month), (review.scheduled_on.year, review.scheduled_on.month)):
            warnings.append(_("%(month)s now has no remote review; FC-DEC-5 asks for at least one in every calendar "
                              "month of the term.", month=formats.full_month_year(breach.month)))
    return warnings


# -- reading ---------------------------------------------------------------------------------------------------------
def local_today(contract: Contract, now: datetime) -> date:
    return now.astimezone(ZoneInfo(contract.timezone)).date()


def upcoming(session: Session, *, contract: Contract, now: datetime, limit: int = 8) -> list[Review]:
    """The next active reviews, today's included, soonest first."""
    return list(session.scalars(select(Review).where(
        Review.contract_id == contract.id, Review.status.in_(ACTIVE), Review.scheduled_on >= local_today(contract, now))
        .order_by(Review.scheduled_on, Review.key).limit(limit)))


def awaiting_held(session: Session, *, contract: Contract, now: datetime) -> list[Review]:
    """Reviews of the last RECENT_DAYS days nobody has marked held yet, oldest first."""
    today = local_today(contract, now)
    return list(session.scalars(select(Review).where(
        Review.contract_id == contract.id, Review.status.in_(ACTIVE),
        Review.scheduled_on < today, Review.scheduled_on >= today - timedelta(days=RECENT_DAYS))
        .order_by(Review.scheduled_on, Review.key)))


def year_use(session: Session, *, contract: Contract, now: datetime) -> YearUse | None:
    """This contract year's reviews held against those its schedule owes, per deliverable and mode (FC-REV)."""
    if not contract.years:
        return None
    today = min(max(local_today(contract, now), contract.starts_on), contract.ends_on)
    year = next(y for y in contract.years if y.starts_on <= today <= y.ends_on)
    rows = session.execute(select(Review.kind, Review.mode, Review.status).where(
        Review.contract_id == contract.id, Review.contract_year == year.number, Review.status != CANCELLED)).all()
    kinds = []
    for kind in Kind:
        mine = [(mode, status) for k, mode, status in rows if k == kind.value]
        if mine:
            kinds.append(KindUse(kind.value, *_counts(mine, rules.ONSITE), *_counts(mine, rules.REMOTE)))
    return YearUse(year.number, year.starts_on, year.ends_on, kinds)


def _counts(rows: Sequence[tuple[str, str]], mode: str) -> tuple[int, int]:
    return sum(1 for m, s in rows if m == mode and s == HELD), sum(1 for m, _s in rows if m == mode)


def contracts_without_plan(session: Session) -> list[str]:
    return list(session.scalars(select(Contract.id).where(
        ~select(ReviewPlan.contract_id).where(ReviewPlan.contract_id == Contract.id).exists())))
