"""The review calendar (FC-REV, FC-DEC-5): which reviews a contract is owed, and on which business days.

Pure: dates and options in, planned reviews out; no session, no clock. Dates come from dateutil's
`rrule` over the term (research/ledger-and-scheduling.md §B1-B2: naive local dates, anniversaries from
`relativedelta`, never FREQ=YEARLY), then move to a business day of the contract's location.

Where FC-REV gives a frequency but no day, the bot uses (defaults, in one place):
- FlexCare start (welcome kit and call): the term's first business day.
- Kick-off onsite visit: the chosen weekday of the term's second week.
- Remote reviews (TAM, ESM): every `remote_every_weeks` weeks on the chosen weekday from the term's start.
- Quarterly reviews fall in the third calendar month of each quarter of the contract year (always wholly
  inside the quarter, even for a term starting on the 31st): support statistics on its 1st chosen weekday,
  technical reviews on the 2nd, business reviews on the 3rd, strategy reviews on the 4th, so the data
  comes before the meetings and one person's meetings never share a day. Quarters 1 and 3 are remote,
  2 and 4 onsite (2 onsite + 2 remote a year); the kick-off already brings someone onsite at the start.
- The yearly onsite visit: the 2nd chosen weekday of the contract year's seventh month.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday

from domain.calendar import CalendarTerms, validate_location
from domain.contracts.rules import YearSpan, contract_years
from domain.reviews.days import BusinessDays

WEEKDAYS: dict[str, weekday] = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
MIN_GAP = timedelta(days=7)  # FC-DEC-5: "at most weekly"
MAX_EVERY_WEEKS = 4  # FC-DEC-5: five weeks can skip a 30- or 31-day month
ONSITE, REMOTE = "onsite", "remote"


class Kind(StrEnum):
    START = "start"
    KICKOFF = "kickoff"
    REMOTE = "remote_review"
    TECHNICAL = "technical_review"
    BUSINESS = "business_review"
    STRATEGY = "strategy_review"
    ONSITE_VISIT = "onsite_visit"
    STATISTICS = "support_statistics"


# FC-REV: who delivers what. Contract-wide deliverables go to the most senior role bought (first here).
LEAD_ORDER = ("AGSM", "ESM", "TAM", "NASE")
KICKOFF_ROLES = ("AGSM", "ESM", "TAM")
QUARTERLY = {Kind.STATISTICS: 1, Kind.TECHNICAL: 2, Kind.BUSINESS: 3, Kind.STRATEGY: 4}  # nth chosen weekday
QUARTERLY_ROLE = {Kind.TECHNICAL: "TAM", Kind.BUSINESS: "ESM", Kind.STRATEGY: "AGSM"}
REMOTE_ROLES = ("TAM", "ESM")
VISIT_ROLES = ("TAM", "ESM", "AGSM")
QUARTER_MODES = (REMOTE, ONSITE, REMOTE, ONSITE)


@dataclass(frozen=True)
class ReviewCadence:
    """The contract file's `reviews:` (FC-DEC-5): remote reviews every n weeks on a weekday."""

    remote_every_weeks: int = 4
    weekday: str = "TU"


class TermAtLocation(CalendarTerms, Protocol):
    """What the import check reads from a contract file's entry (domain.contracts.spec.ContractSpec)."""

    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...
    @property
    def reviews(self) -> ReviewCadence: ...


@dataclass(frozen=True)
class Owner:
    """An option that owes reviews: its role, the person filling it, and its scope (product family/solution)."""

    role: str
    person: str
    scope: str | None


@dataclass(frozen=True)
class PlannedReview:
    key: str  # stable across re-imports: the same review keeps its row
    kind: Kind
    role: str
    scope: str | None
    owner: str
    mode: str
    on: date
    contract_year: int


@dataclass(frozen=True)
class Breach:
    """An FC-DEC-5 breach: a whole calendar month with no remote review, or two less than 7 days apart."""

    month: date | None = None  # the 1st of the month without one
    pair: tuple[date, date] | None = None


def read_cadence(raw: Any) -> tuple[ReviewCadence, list[tuple[str, str]]]:
    """The file's `reviews:` mapping, or the default; with (field, message) for each problem."""
    if raw is None:
        return ReviewCadence(), []
    if not isinstance(raw, dict):
        return ReviewCadence(), [("reviews", "expected {remote_every_weeks: 4, weekday: TU} (FC-DEC-5)")]
    problems = [(f"reviews.{k}", "unknown field; known fields are remote_every_weeks, weekday")
                for k in sorted(set(raw) - {"remote_every_weeks", "weekday"}, key=str)]
    every, day = raw.get("remote_every_weeks", 4), str(raw.get("weekday", "TU")).upper()
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        problems.append(("reviews.remote_every_weeks", f"{every!r} is not a whole number of weeks of at least 1 "
                                                       "(FC-DEC-5)"))
        every = 4
    if day not in WEEKDAYS:
        problems.append(("reviews.weekday", f"{raw.get('weekday')!r} is not a weekday; use one of "
                                            f"{', '.join(WEEKDAYS)}"))
        day = "TU"
    return ReviewCadence(remote_every_weeks=every, weekday=day), problems


def cadence_problems(starts_on: date, ends_on: date, cadence: ReviewCadence, days: BusinessDays) -> list[str]:
    """Why a cadence cannot keep FC-DEC-5 over this term at this location (empty: it can); for the import."""
    dates = [on for _, on in remote_review_dates(starts_on, ends_on, cadence, days)]
    breaches = fc_dec_5_breaches(dates, starts_on, ends_on)
    name = f"every {cadence.remote_every_weeks} weeks on {DAY_NAMES[cadence.weekday]}"
    problems = []
    for breach in breaches[:3]:  # the first few say enough
        if breach.month is not None:
            problems.append(f"{name} leaves {breach.month:%Y-%m} without a remote review; at least one is due in "
                            f"every calendar month of the term, so choose {MAX_EVERY_WEEKS} weeks or fewer "
                            "(FC-DEC-5)")
        elif breach.pair is not None:
            problems.append(f"{name} puts remote reviews on {breach.pair[0]} and {breach.pair[1]}, less than 7 "
                            "days apart (FC-DEC-5)")
    return problems


def import_problems(spec: TermAtLocation) -> list[str]:
    """FC-DEC-5 at import: the file's cadence over the file's term at the file's location (empty: it holds).
    A spec whose location or term is itself wrong gets those errors only (FC-CON-2, FC-CON-3)."""
    try:
        validate_location(spec.country, spec.subdivision, spec.timezone)
    except ValueError:
        return []
    if spec.ends_on <= spec.starts_on:
        return []
    return cadence_problems(spec.starts_on, spec.ends_on, spec.reviews, BusinessDays.for_contract(spec))


def fc_dec_5_breaches(dates: Iterable[date], starts_on: date, ends_on: date) -> list[Breach]:
    """FC-DEC-5 over one series of remote reviews: every whole calendar month of the term holds one, and no
    two are less than 7 days apart. A month the term covers only in part (a start after the 1st, an end
    before the month's last day) is not owed one: a term may start on a Saturday the 31st."""
    ordered = sorted(dates)
    held = {(d.year, d.month) for d in ordered}
    breaches = [Breach(month=m) for m in whole_months(starts_on, ends_on) if (m.year, m.month) not in held]
    breaches += [Breach(pair=(a, b)) for a, b in pairwise(ordered) if b - a < MIN_GAP]
    return breaches


def whole_months(starts_on: date, ends_on: date) -> list[date]:
    first = starts_on if starts_on.day == 1 else (starts_on.replace(day=1) + relativedelta(months=1))
    months = []
    while first + relativedelta(months=1) - timedelta(days=1) <= ends_on:
        months.append(first)
        first += relativedelta(months=1)
    return months


def remote_review_dates(starts_on: date, ends_on: date, cadence: ReviewCadence,
                        days: BusinessDays) -> list[tuple[int, date]]:
    """(n, date) of each remote review: the cadence's n-th date moved to a business day of the same month.

    A date on a closed day moves to the nearest business day of its month (later first) that stays 7 days
    from its neighbours; if there is none within the week, it is dropped when its month has another
    review, else the whole month is searched. n is the nominal occurrence, so keys stay stable.
    """
    nominal = [d.date() for d in rrule(WEEKLY, interval=cadence.remote_every_weeks,
                                       byweekday=WEEKDAYS[cadence.weekday],
                                       # aligned to the first real occurrence: dateutil counts
                                       # INTERVAL weeks from DTSTART's own week (§B2)
                                       dtstart=_midnight(_weekday_on_or_after(starts_on, cadence.weekday)),
                                       until=_midnight(ends_on))]
    kept: list[tuple[int, date]] = []
    for n, day in enumerate(nominal):
        previous = kept[-1][1] if kept else None
        following = nominal[n + 1] if n + 1 < len(nominal) else None
        month_has_more = following is not None and (following.year, following.month) == (day.year, day.month)
        month_has_one = bool(kept) and (kept[-1][1].year, kept[-1][1].month) == (day.year, day.month)
        reach = 6 if month_has_more or month_has_one else 31
        moved = _nearest_open(day, days, starts_on, ends_on, previous, following, reach)
        if moved is not None:
            kept.append((n, moved))
    return kept


def _nearest_open(day: date, days: BusinessDays, starts_on: date, ends_on: date, previous: date | None,
                  following: date | None, reach: int) -> date | None:
    for distance in range(reach + 1):
        for candidate in (day + timedelta(days=distance), day - timedelta(days=distance)):
            if ((candidate.year, candidate.month) == (day.year, day.month) and starts_on <= candidate <= ends_on
                    and (previous is None or candidate - previous >= MIN_GAP)
                    and (following is None or following - candidate >= MIN_GAP)
                    and days.is_open(candidate)):
                return candidate
    return None


def plan_reviews(contract_id: str, starts_on: date, ends_on: date, owners: Sequence[Owner],
                 cadence: ReviewCadence, days: BusinessDays) -> list[PlannedReview]:
    """Every review the term owes (FC-REV), each on a business day of the location, ordered by date."""
    years = contract_years(starts_on, ends_on)
    plan = PlanBuilder(contract_id, starts_on, ends_on, years, days)
    by_role = {role: [o for o in owners if o.role == role] for role in LEAD_ORDER}
    lead = next((o for role in LEAD_ORDER for o in by_role[role]), None)
    if lead is not None:
        plan.add(Kind.START, lead, REMOTE, days.on_or_after(starts_on), "term")
    kickoff = next((o for role in KICKOFF_ROLES for o in by_role[role]), None)
    if kickoff is not None:
        second_week = _weekday_on_or_after(starts_on + timedelta(days=7), cadence.weekday)
        plan.add(Kind.KICKOFF, kickoff, ONSITE, second_week, "term")
        plan.quarterly(Kind.STATISTICS, kickoff, cadence.weekday)
    for owner in (o for role in REMOTE_ROLES for o in by_role[role]):
        for n, on in remote_review_dates(starts_on, ends_on, cadence, days):
            plan.add(Kind.REMOTE, owner, REMOTE, on, f"{n + 1:03d}", move=False)
    for kind, role in QUARTERLY_ROLE.items():
        for owner in by_role[role]:
            plan.quarterly(kind, owner, cadence.weekday)
    for owner in (o for role in VISIT_ROLES for o in by_role[role]):
        for year in years:
            month = year.starts_on.replace(day=1) + relativedelta(months=6)
            plan.add(Kind.ONSITE_VISIT, owner, ONSITE, _nth_weekday(month, cadence.weekday, 2),
                         f"y{year.number}")
    return sorted(plan.reviews, key=lambda r: (r.on, r.key))


class PlanBuilder:
    """Collects planned reviews inside the term, each moved to a business day and keyed stably."""

    def __init__(self, contract_id: str, starts_on: date, ends_on: date, years: list[YearSpan],
                 days: BusinessDays) -> None:
        self.contract_id, self.starts_on, self.ends_on, self.years, self.days = (
            contract_id, starts_on, ends_on, years, days)
        self.reviews: list[PlannedReview] = []

    def add(self, kind: Kind, owner: Owner, mode: str, on: date, suffix: str, *, move: bool = True) -> None:
        if move:
            on = self.days.on_or_after(on)
            if on > self.ends_on:  # the term's last days are closed: the last business day before instead
                on = self.days.on_or_before(self.ends_on)
        if not self.starts_on <= on <= self.ends_on:
            return
        year = next(y.number for y in self.years if y.starts_on <= on <= y.ends_on)
        contract_wide = kind in (Kind.START, Kind.KICKOFF, Kind.STATISTICS)
        scope = "" if contract_wide else f"{owner.role}:{_slug(owner.scope)}:"
        self.reviews.append(PlannedReview(key=f"{self.contract_id}:{kind.value}:{scope}{suffix}", kind=kind,
                                          role=owner.role, scope=None if contract_wide else owner.scope,
                                          owner=owner.person, mode=mode, on=on, contract_year=year))

    def quarterly(self, kind: Kind, owner: Owner, weekday_code: str) -> None:
        """Four a contract year, in each quarter's third month, on its nth chosen weekday (module docstring)."""
        nth = QUARTERLY[kind]
        for year in self.years:
            third_month = _midnight(year.starts_on.replace(day=1) + relativedelta(months=2))
            dates = rrule(MONTHLY, interval=3, count=4, dtstart=third_month,
                          byweekday=WEEKDAYS[weekday_code](nth))
            for quarter, when in enumerate(dates):
                if when.date() <= year.ends_on:
                    mode = ONSITE if kind is not Kind.STATISTICS and QUARTER_MODES[quarter] == ONSITE else REMOTE
                    self.add(kind, owner, mode, when.date(), f"y{year.number}q{quarter + 1}")


def _nth_weekday(first_of_month: date, weekday_code: str, nth: int) -> date:
    found = rrule(MONTHLY, count=1, dtstart=_midnight(first_of_month), byweekday=WEEKDAYS[weekday_code](nth))
    return found[0].date()


def _weekday_on_or_after(day: date, weekday_code: str) -> date:
    return rrule(WEEKLY, count=1, dtstart=_midnight(day), byweekday=WEEKDAYS[weekday_code])[0].date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)  # noqa: DTZ001 (naive on purpose: rrule over local dates, §B2)


def _slug(scope: str | None) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in (scope or "all").casefold()).split())[:60]
