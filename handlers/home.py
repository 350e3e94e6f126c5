"""App Home (`app_home_opened` -> `views.publish`): the viewer's contracts, sorted, within limits."""

import logging
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient

from domain.access import contracts_of, roles_of
from domain.contracts.records import Contract
from domain.words import _
from handlers import incidents, notices, plan, points, reviews
from handlers.blocks import account as account_blocks
from handlers.blocks import home as blocks
from handlers.blocks import incidents as incident_blocks
from handlers.blocks import points as points_blocks
from handlers.blocks import reviews as review_blocks
from handlers.blocks.contract import BASE_SUPPORT
from handlers.deps import Deps
from handlers.replies import error_sentence

log = logging.getLogger(__name__)


def publish_home(event: dict, context: dict, client: WebClient, deps: Deps) -> None:  # type: ignore[type-arg]
    if event.get("tab", "home") != "home":
        return
    user = event["user"]
    try:
        now = deps.clock()
        with deps.db() as session:
            summaries = [_summary(c, user, now) for c in contracts_of(session, user, team_id=context.get("team_id"))]
            open_incidents = incidents.home_lines(session, user=user, team=context.get("team_id"), now=now)
            points_views = points.home_points(session, user=user, team=context.get("team_id"), now=now,
                                              menu=deps.menu)
            upcoming = reviews.home_reviews(session, user=user, team=context.get("team_id"), now=now)
            account = (notices.home_notices(session, user=user, team=context.get("team_id")),
                       plan.home_onboarding(session, user=user, team=context.get("team_id")))
        view = points_blocks.with_points(incident_blocks.with_open_incidents(blocks.home_view(summaries),
                                                                             open_incidents), points_views)
        view = review_blocks.with_upcoming_reviews(view, upcoming)
        view = account_blocks.with_account(view, *account)
    except Exception as exc:  # the home tab still opens, with the sentence instead of the contracts
        from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
        from slack_sdk.models.views import View

        view = View(type="home", blocks=[SectionBlock(text=MarkdownTextObject(text=error_sentence(exc)))])
    client.views_publish(user_id=user, view=view)


def _summary(contract: Contract, user: str, now) -> blocks.ContractSummary:  # type: ignore[no-untyped-def]
    today = now.astimezone(ZoneInfo(contract.timezone)).date()
    return blocks.ContractSummary(
        id=contract.id, customer=contract.customer,
        roles=tuple(sorted(r.value for r in roles_of(contract, user))),
        hours=_(BASE_SUPPORT[contract.base_support], opens=f"{contract.service_opens:%H:%M}",
                closes=f"{contract.service_closes:%H:%M}"),
        years=tuple(blocks.YearLine(y.number, y.starts_on, y.ends_on, y.points_tenths,
                                    y.starts_on <= today <= y.ends_on) for y in contract.years),
    )


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
