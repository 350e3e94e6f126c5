"""Instants as people read them: Slack's date token for each reader, the contract's local time beside it (FC-CAL-4).

Slack writes its `<!date^...>` token in each reader's own zone and language; the fallback (where Slack cannot)
and the contract's wall clock are written here in the current reader's language (domain.formats, Babel).
"""

from datetime import datetime, timedelta

from domain import formats
from domain.words import _, n_

READER_TOKEN = "{date_short_pretty} {time}"


def slack_date(instant: datetime, token: str = READER_TOKEN) -> str:
    """Slack renders this in each reader's own zone; the fallback (UTC) shows where it cannot."""
    return f"<!date^{int(instant.timestamp())}^{token}|{formats.utc_instant(instant)}>"


def local_time(instant: datetime, zone: str) -> str:
    """The contract's wall clock, e.g. `Mon 30 Nov 10:30 GMT` / `11月30日 週一 上午10:30 GMT`."""
    return formats.wall_clock(instant, zone)


def both(instant: datetime, zone: str) -> str:
    return _("%(reader)s (contract time %(local)s)", reader=slack_date(instant), local=local_time(instant, zone))


def duration(span: timedelta) -> str:
    """`3 h 20 min` / `3 小時 20 分鐘`, `45 min`, `2 days 4 h`: rounded down to the minute."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(n_("%(count)s day", "%(count)s days", days))
    if hours:
        parts.append(_("%(hours)s h", hours=hours))
    if mins or not parts:
        parts.append(_("%(minutes)s min", minutes=mins))
    return " ".join(parts)
