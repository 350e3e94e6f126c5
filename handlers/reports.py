"""`/flexcare report [QUARTER] [csv] [CONTRACT-ID]` and `/flexcare reviews ics` (FC-REV): the quarterly support
statistics as Block Kit with the chart uploaded beside it, the quarter's incidents as CSV, and the review calendar
as an iCalendar file.

The command acknowledges at once (handlers.command); this runs in the lazy listener. The rows are read in one
short read-only session; the chart and the files are made and uploaded after it has closed.
"""

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.reports import service as reports
from domain.reports.chart import chart_png, chart_title
from domain.reports.csv import incidents_csv
from domain.reports.ics import review_calendar
from domain.reports.kpis import QuarterReport
from domain.reports.quarters import THIS, is_quarter_word, local_today, parse_quarter
from domain.words import N_, _, speaking
from handlers.blocks import reports as blocks
from handlers.context import choose_contract
from handlers.router import Invocation, Router

log = logging.getLogger(__name__)

USAGE = "report [QUARTER | this] [csv] [CONTRACT-ID]"
CSV = "csv"


def report_command(invocation: Invocation) -> None:
    words = list(invocation.args)
    want_csv = any(w.lower() == CSV for w in words)
    quarter = next((w for w in words if is_quarter_word(w)), None)
    named = next((w for w in words if w.lower() != CSV and not is_quarter_word(w)), None)
    now = invocation.deps.clock()
    with invocation.deps.db() as session:
        contract = choose_contract(session, user=invocation.user, channel=invocation.channel, team=invocation.team,
                                   named=named, usage="report")
        language = contract.language
        with speaking(language):  # posted in the channel: the contract's language, as the outbox's posts are
            if want_csv:
                chosen = parse_quarter(quarter, today=local_today(now, contract.timezone))
                content = incidents_csv(reports.quarter_incidents(session, contract, chosen, now=now))
            else:
                report = reports.report_for(session, contract, quarter=quarter, now=now)
    if want_csv:
        label = chosen.label if quarter is None or quarter.lower() != THIS else f"{chosen.label}-to-date"
        with speaking(language):
            invocation.client.files_upload_v2(
                channel=invocation.channel, content=content, filename=f"{contract.id}-{label}-incidents.csv",
                title=_("Incidents of %(contract)s, %(quarter)s", contract=contract.id, quarter=chosen.label),
                initial_comment=_("The incidents opened in %(quarter)s on %(contract)s, oldest first; times in UTC.",
                                  quarter=chosen.label, contract=contract.id))
        return
    with speaking(language):
        invocation.respond(response_type="in_channel", **blocks.report_message(report).as_kwargs())
    try:
        with speaking(language):
            upload_chart(invocation.client, invocation.channel, report)
    except SlackApiError as exc:  # the figures are out; say why the picture is missing, keep the traceback
        log.warning("could not upload the %s chart of %s to %s", report.quarter, contract.id, invocation.channel,
                    exc_info=True)
        invocation.respond(response_type="ephemeral", replace_original=False, text=_(
            "The chart could not be uploaded here (Slack said %(error)s). Invite the FlexCare app to this "
            "conversation, or run the command in the contract's channel.", error=exc.response.get("error")))


def upload_chart(client: WebClient, channel: str, report: QuarterReport) -> None:
    """The chart as a PNG in the same conversation, with a sentence for screen readers (alt text)."""
    client.files_upload_v2(
        channel=channel, content=chart_png(report), filename=f"{report.contract_id}-{report.quarter}-report.png",
        title=chart_title(report),
        alt_txt=_("Stacked bars of incidents opened per month by impact level 1 to 4, with the share of first "
                  "technical contacts made in time as a line on a 0 to 100 percent axis."))


def reviews_ics(invocation: Invocation) -> None:
    """`/flexcare reviews ics [CONTRACT-ID]`: the schedule as an .ics file; re-importing it updates the events."""
    named = invocation.args[1] if len(invocation.args) > 1 else None
    with invocation.deps.db() as session:
        contract = choose_contract(session, user=invocation.user, channel=invocation.channel, team=invocation.team,
                                   named=named, usage="reviews ics")
        language = contract.language
        with speaking(language):  # a file in the channel: the contract's language
            content = review_calendar(contract, reports.scheduled_reviews(session, contract))
    with speaking(language):
        invocation.client.files_upload_v2(
            channel=invocation.channel, content=content, filename=f"{contract.id}-reviews.ics",
            title=_("Review calendar of %(contract)s", contract=contract.id),
            initial_comment=_("The reviews and visits of %(contract)s as a calendar file. Import it again after a "
                              "change: events update in place.", contract=contract.id))


def register(router: Router) -> None:
    router.add("report", usage=USAGE,
               summary=N_("The quarter's support statistics and KPIs with a chart; `csv` for its incidents."))(
        report_command)
