"""FTC deadline warnings as pure rules (FC-INC-2, FC-CAL, FC-DEC-7, FC-DEC-8): when each stage falls due,
and which one a sweep at a given instant should post.

Stages of one FTC due instant, on the contract's FTC clock (service time, never wall-clock time):
- `half`: half the target's service time is used;
- `last`: 15 minutes of service time are left. Where that would come at or before half-time (a target of
  30 minutes or less), half-time is the only warning; a 1-hour target gets both, at 30 and 45 minutes;
- `breach`: the due instant itself;
- `reminder-<n>`: every 2 service hours after the breach, until first contact is recorded.

A sweep posts at most one stage per incident: the latest one that is due. An earlier stage that was
never posted (the scheduler was down) is superseded by it and skipped; a stage posted well after its
instant is marked late (FC-DEC-8: warnings go out the moment they are due). The breach is the one
stage never skipped: it names the TAM and changes the card. Nothing here reads a clock or a database.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.calendar import ServiceCalendar

HALF = "half"
LAST = "last"
BREACH = "breach"
REMINDER = "reminder"
LAST_WARNING_LEFT = timedelta(minutes=15)
REMINDER_EVERY = timedelta(hours=2)  # of service time, after the breach
# Posted more than this after its instant, a stage says it is late: a sweep runs every 30 s, so only
# downtime (or a long outage of the database) makes a warning this late.
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class FtcStage:
    name: str  # half | last | breach | reminder-<n>
    at: datetime  # UTC instant it falls due

    @property
    def is_breach(self) -> bool:
        return self.name == BREACH

    @property
    def is_reminder(self) -> bool:
        return self.name.startswith(REMINDER + "-")


@dataclass(frozen=True)
class DueStage:
    stage: FtcStage
    late: bool


def stage_key(incident_id: int, due_at: datetime, stage: str) -> str:
    """The outbox key: the due instant is in it, so a changed due (impact change) makes new keys and the
    old instant's stages are never posted."""
    return f"incident:{incident_id}:ftc:{due_at.astimezone(UTC):%Y%m%dT%H%M%SZ}:{stage}"


def breach_card_key(card_key: str, due_at: datetime) -> str:
    return f"{card_key}:update:ftc-breach:{due_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def warning_offsets(target: timedelta) -> list[tuple[str, timedelta]]:
    """Service time after the clock starts at which each warning falls due (see the module docstring)."""
    half = target / 2
    offsets = [(HALF, half)]
    if target - LAST_WARNING_LEFT > half:
        offsets.append((LAST, target - LAST_WARNING_LEFT))
    return offsets


def ftc_stages(clock: ServiceCalendar, *, opened_at: datetime, due_at: datetime, target: timedelta,
               now: datetime) -> list[FtcStage]:
    """The warnings, the breach and the latest reminder due by `now` (earlier reminders are superseded by it),
    in time order. `due_at` is the stored due instant (a promise made, never recomputed); warnings never
    fall after it."""
    due = due_at.astimezone(UTC)
    stages = [FtcStage(name, min(clock.add_service_time(opened_at, offset).astimezone(UTC), due))
              for name, offset in warning_offsets(target)]
    stages.append(FtcStage(BREACH, due))
    if now > due:
        overdue = clock.service_time_between(due, now)
        count = int(overdue / REMINDER_EVERY)
        if count >= 1:
            at = clock.add_service_time(due, REMINDER_EVERY * count).astimezone(UTC)
            stages.append(FtcStage(f"{REMINDER}-{count}", at))
    return stages


def stage_to_post(stages: list[FtcStage], *, now: datetime, written: Mapping[str, datetime]) -> DueStage | None:
    """The one stage a sweep at `now` posts, given the stages already written to the outbox (name -> when).

    - Nothing before its instant.
    - The breach, once due, is posted if it was not (late, after downtime), ahead of any reminder.
    - Otherwise the latest due stage, unless it was written, or a stage was written at or after its instant
      (a late breach covers the reminders that fell due while the scheduler was down).
    """
    due = [s for s in stages if s.at <= now]
    if not due:
        return None
    breach = next((s for s in due if s.is_breach), None)
    if breach is not None and BREACH not in written:
        return DueStage(breach, late=now - breach.at > LATE_AFTER)
    latest = due[-1]
    if latest.name in written or any(at >= latest.at for at in written.values()):
        return None
    return DueStage(latest, late=now - latest.at > LATE_AFTER)
