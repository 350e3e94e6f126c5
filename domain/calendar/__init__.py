"""Service hours, holidays and first-technical-contact deadlines (FC-CAL, FC-INC-2, FC-DEC-6, 7, 9).

`location` turns a contract's place into closed days, `clock` counts service time, `ftc` applies
the FTC targets. Import from here; the submodules are an implementation detail.
"""

from domain.calendar.clock import MAX_IDLE_DAYS, CalendarTerms, ServiceCalendar
from domain.calendar.ftc import FIXED_FTC_TARGETS, IMPACT_LEVELS, ftc_due_at, ftc_target
from domain.calendar.location import validate_location

__all__ = [
    "FIXED_FTC_TARGETS",
    "IMPACT_LEVELS",
    "MAX_IDLE_DAYS",
    "CalendarTerms",
    "ServiceCalendar",
    "ftc_due_at",
    "ftc_target",
    "validate_location",
]
