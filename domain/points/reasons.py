"""Why each ledger entry was written (issue 10): one whole sentence per kind of entry, in the contract's language.

The ledger is the contract's shared record, like its channel posts, so a reason is rendered once, when the entry
is written, in the contract's `language`, whoever caused it; history lines and the CSV show it as stored. Amounts
are `rules.points_number` (exact and ungrouped, FC-DEC-3, as the CSV's own columns are), days `formats.iso_date`.
What people typed (a vendor's reason for extra days, an approval reference) stays verbatim inside the sentence.
"""

from datetime import date

from domain import formats
from domain.contracts.records import Contract
from domain.points import rules
from domain.points.records import CANCELLED, ServiceRequest
from domain.words import N_, _, n_, speaking

REASON_LIMIT = 500  # PointsEntry.reason's column
CONTRACT_FILE, SYSTEM = "contract file", "system"  # the actors of entries no person wrote (shown translated)
DELIVERY = {"onsite": N_("onsite"), "remote": N_("remote")}
HOURS = {"standard": N_("standard hours"), "outside": N_("outside hours")}


def purchased(contract: Contract, *, year: int, tenths: int) -> str:
    """A year's points from the contract file (FC-PTS-1)."""
    with speaking(contract.language):
        return _("%(points)s points bought for contract year %(year)s", points=rules.points_number(tenths),
                 year=year)


def file_changed(contract: Contract, *, year: int, before: int, after: int) -> str:
    """The contract file's figure for a year changed; the correction carries the difference."""
    with speaking(contract.language):
        return _("the contract file changed contract year %(year)s's points from %(before)s to %(after)s",
                 year=year, before=rules.points_number(before), after=rules.points_number(after))


def year_ended(contract: Contract, *, year: int, ended_on: date) -> str:
    """FC-PTS-1: what a year left unused expires with it."""
    with speaking(contract.language):
        return _("contract year %(year)s ended on %(day)s (FC-PTS-1)", year=year, day=formats.iso_date(ended_on))


def corrected_after_year_end(contract: Contract, *, correction: int, year: int) -> str:
    """Points a correction added to an ended year were never spendable (FC-PTS-1)."""
    with speaking(contract.language):
        return _("correction %(entry)s added points to contract year %(year)s, which has ended",
                 entry=correction, year=year)


def cashed_out(contract: Contract, *, approval: str) -> str:
    """FC-PTS-2, FC-DEC-4: the approval reference is the operator's, kept as typed."""
    with speaking(contract.language):
        return _("cash-out of unused points approved as %(approval)s (FC-DEC-4)",
                 approval=approval)[:REASON_LIMIT]


def reserved(contract: Contract, request: ServiceRequest) -> str:
    """What a request holds: the menu price, and the short-notice surcharge when there is one (FC-PTS-3, 4)."""
    with speaking(contract.language):
        facts = {"service": request.item_name, "day": formats.iso_date(request.service_on),
                 "units": _units(request), "delivery": _(DELIVERY[request.delivery]), "hours": _(HOURS[request.hours]),
                 "points": rules.points_number(request.base_tenths)}
        if not request.surcharge_tenths:
            return _("%(service)s on %(day)s (%(units)s, %(delivery)s, %(hours)s): %(points)s", **facts)
        return n_("%(service)s on %(day)s (%(units)s, %(delivery)s, %(hours)s): %(points)s + %(surcharge)s "
                  "short-notice surcharge (%(count)s day's notice, FC-PTS-4)",
                  "%(service)s on %(day)s (%(units)s, %(delivery)s, %(hours)s): %(points)s + %(surcharge)s "
                  "short-notice surcharge (%(count)s days' notice, FC-PTS-4)", request.notice_days, **facts,
                  surcharge=rules.points_number(request.surcharge_tenths))


def _units(request: ServiceRequest) -> str:
    if request.unit == "day":
        return n_("%(count)s x day", "%(count)s x day", request.days)
    return n_("%(count)s x request", "%(count)s x request", request.days)


def released(contract: Contract, request: ServiceRequest) -> str:
    """A declined or cancelled request gives its points back (request.status says which)."""
    with speaking(contract.language):
        if request.status == CANCELLED:
            return _("request %(request)s cancelled", request=request.id)
        return _("request %(request)s declined", request=request.id)


def released_after_year_end(contract: Contract, request: ServiceRequest, *, year: int) -> str:
    """FC-DEC-1: points released after their year ended expire at once."""
    with speaking(contract.language):
        if request.status == CANCELLED:
            return _("request %(request)s cancelled after contract year %(year)s ended (FC-DEC-1)",
                     request=request.id, year=year)
        return _("request %(request)s declined after contract year %(year)s ended (FC-DEC-1)",
                 request=request.id, year=year)


def delivered(contract: Contract, request: ServiceRequest) -> str:
    """What was held is spent (FC-DEC-1)."""
    with speaking(contract.language):
        return _("request %(request)s delivered", request=request.id)


def extra_days(contract: Contract, request: ServiceRequest, *, days: int, reason: str) -> str:
    """FC-PTS-5, FC-TRM-2: vendor staff's days on top, with the reason they typed."""
    with speaking(contract.language):
        return n_("%(count)s extra day on request %(request)s (FC-PTS-5): %(reason)s",
                  "%(count)s extra day(s) on request %(request)s (FC-PTS-5): %(reason)s", days,
                  request=request.id, reason=reason.strip())[:REASON_LIMIT]
