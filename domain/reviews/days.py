"""Business days of a contract's location, as the review calendar needs them (FC-CAL-1, FC-CAL-3, FC-DEC-9).

Read off the location's service calendar (`ServiceCalendar.business_hours_for`, so a 24x7 contract's reviews
still fall on the location's working days), through its public `next_service_start`.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.calendar import CalendarTerms, ServiceCalendar


class BusinessDays:
    """Business days of a location (FC-CAL-1, FC-CAL-3, FC-DEC-9), read off its service calendar."""

    def __init__(self, calendar: ServiceCalendar) -> None:
        self.calendar = calendar
        self._zone = ZoneInfo(calendar.timezone)

    @classmethod
    def for_contract(cls, contract: CalendarTerms) -> "BusinessDays":
        return cls(ServiceCalendar.business_hours_for(contract))

    def is_open(self, day: date) -> bool:
        return self.on_or_after(day) == day

    def on_or_after(self, day: date) -> date:
        midnight = datetime.combine(day, datetime.min.time(), self._zone)
        return self.calendar.next_service_start(midnight).date()

    def before(self, day: date) -> date:
        """The last business day strictly before `day`."""
        candidate = day - timedelta(days=1)
        while not self.is_open(candidate):
            candidate -= timedelta(days=1)
        return candidate

    def on_or_before(self, day: date) -> date:
        return day if self.is_open(day) else self.before(day)
