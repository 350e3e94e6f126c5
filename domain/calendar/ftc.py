"""First technical contact targets and deadlines (FC-INC-1, FC-INC-2, FC-DEC-6, FC-DEC-7)."""

import math
from datetime import datetime, timedelta

from domain.calendar.clock import CalendarTerms, ServiceCalendar

FIXED_FTC_TARGETS = {1: timedelta(hours=1), 2: timedelta(hours=4)}  # FC-INC-2: enhanced FTC
IMPACT_LEVELS = (1, 2, 3, 4)  # FC-INC-1: 1 is the highest


def ftc_target(contract: CalendarTerms, impact: int) -> timedelta | None:
    """FC-INC-2: 1 h for impact 1, 4 h for impact 2; impact 3 and 4 follow the contract's
    `ftc_hours`, and have no target where the contract sets none."""
    if type(impact) is not int or impact not in IMPACT_LEVELS:  # not True, 2.0 or "2"
        raise ValueError(f"The impact level {impact!r} does not exist; use 1 (highest) to 4 (FC-INC-1).")
    if impact in FIXED_FTC_TARGETS:
        return FIXED_FTC_TARGETS[impact]
    hours = contract.ftc_hours.get(impact)
    if hours is None:
        return None
    if not (math.isfinite(hours) and hours > 0):
        raise ValueError(
            f"The FTC target for impact {impact} must be a positive number of hours, "
            f"not {hours}; fix ftc_hours in the contract."
        )
    return timedelta(hours=hours)


def ftc_due_at(contract: CalendarTerms, impact: int, opened_at: datetime) -> datetime | None:
    """When first technical contact is due on the contract's FTC clock (FC-INC-2, FC-DEC-6, FC-DEC-7);
    None where the impact level has no target."""
    target = ftc_target(contract, impact)
    if target is None:
        return None
    return ServiceCalendar.for_contract(contract).add_service_time(opened_at, target)
