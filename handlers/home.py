"""App Home (`app_home_opened` -> `views.publish`): the viewer's contracts, sorted, within limits."""

import logging
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from domain import formats
from domain.access import contracts_of, roles_of
from domain.contracts.records import Contract
from domain.people import service as people
from domain.words import _, speaking
from handlers import incidents, notices, plan, points, reviews
from handlers.blocks import account as account_blocks
from handlers.blocks import home as blocks
from handlers.blocks import incidents as incident_blocks
from handlers.blocks import points as points_blocks
from handlers.blocks import reviews as review_blocks
from handlers.blocks.contract import BASE_SUPPORT
from handlers.deps import Deps
from handlers.language import forget, reader_language
from handlers.replies import error_sentence

log = logging.getLogger(__name__)


def publish_home(event: dict, context: dict, client: WebClient, deps: Deps) -> None:  # type: ignore[type-arg]
    if event.get("tab", "home") != "home":
        return
    _publish(event["user"], context.get("team_id"), client, deps)


def language_chosen(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient,  # type: ignore[type-arg]
                    deps: Deps) -> None:
    """App Home's language switch (issue 10): saved, then the tab is published again in the new language."""
    ack()
    user, team, value = body["user"]["id"], context.team_id, action["selected_option"]["value"]
    with deps.db.begin() as session:
        people.choose_language(session, team=team, user=user, language=None if value == blocks.FOLLOW_SLACK else value)
    forget(deps, team=team, user=user)
    with speaking(reader_language(deps, client, user=user, team=team, channel=None)):
        _publish(user, team, client, deps)


def _publish(user: str, team: str | None, client: WebClient, deps: Deps) -> None:
    try:
        now = deps.clock()
        with deps.db() as session:
            summaries = [_summary(c, user, now) for c in contracts_of(session, user, team_id=team)]
            open_incidents = incidents.home_lines(session, user=user, team=team, now=now)
            points_views = points.home_points(session, user=user, team=team, now=now, menu=deps.menu)
            upcoming = reviews.home_reviews(session, user=user, team=team, now=now)
            account = (notices.home_notices(session, user=user, team=team),
                       plan.home_onboarding(session, user=user, team=team))
            chosen = people.known_person(session, team=team, user=user).chosen_language
        view = points_blocks.with_points(incident_blocks.with_open_incidents(blocks.home_view(summaries),
                                                                             open_incidents), points_views)
        view = review_blocks.with_upcoming_reviews(view, upcoming)
        view = blocks.with_language_choice(account_blocks.with_account(view, *account), chosen)
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
        hours=_(BASE_SUPPORT[contract.base_support], opens=formats.clock(contract.service_opens),
                closes=formats.clock(contract.service_closes)),
        years=tuple(blocks.YearLine(y.number, y.starts_on, y.ends_on, y.points_tenths,
                                    y.starts_on <= today <= y.ends_on) for y in contract.years),
    )


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.action(blocks.LANGUAGE_CHOICE)(language_chosen)
