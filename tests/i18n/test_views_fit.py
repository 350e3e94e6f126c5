"""Every message and view fits Block Kit in every language the bot speaks (issue 10, part 5).

Each builder in handlers/blocks is called with the longest realistic facts (tests/i18n/view_facts.py), inside
`speaking(language)` for English and zh-TW, and what it returns goes through slack_sdk's models and through the
limits they do not check (tests/i18n/blockkit.py): 50 blocks a message, 100 a modal or the App Home, ids unique,
text within each element's limit. Channel posts come from the renderer registry, so a new notification kind
fails here until it has facts; a new builder fails `test_every_builder_is_covered` until it is called below.
"""

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from unittest.mock import MagicMock

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

import handlers.blocks
from domain.contracts.records import (
    CUSTOMER_ADMIN,
    CUSTOMER_MEMBER,
    Contract,
    ContractChannel,
    ContractOption,
    ContractPerson,
    ContractYear,
)
from domain.points import rules
from domain.points.ledger import YearBalance
from domain.points.menu import MenuItem, ServiceMenu
from domain.points.records import PointsEntry
from domain.points.service import Quote
from domain.reports.facts import report_facts
from domain.reports.kpis import quarter_report
from domain.reviews.service import KindUse, YearUse
from domain.words import LANGUAGES, _, speaking
from handlers import register_all
from handlers.blocks import (
    account,
    account_forms,
    command,
    contract,
    home,
    incident_forms,
    incidents,
    points,
    points_forms,
    reports,
    reviews,
)
from handlers.blocks.message import SlackMessage
from handlers.blocks.notifications import known_kinds, render_notification
from handlers.points import CHOOSE_FIRST
from tests.domain.test_report_kpis import report_input
from tests.i18n.blockkit import message_problems, view_problems
from tests.i18n.view_facts import (
    CHANNEL_POSTS,
    CONTRACT,
    CUSTOMER,
    DOCUMENT,
    INCIDENT,
    NOTICE,
    PLANNED,
    PRODUCT,
    RESOLVED,
    REVIEW,
    TERM,
    USERS,
    WARNINGS,
    ZONE,
    typed,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
Screen = SlackMessage | View


def _import_every_builder() -> list[str]:
    """Every builder module, imported (so every renderer is registered); their names."""
    modules = [m.name for m in pkgutil.iter_modules(handlers.blocks.__path__, "handlers.blocks.")]
    for name in modules:
        importlib.import_module(name)
    return modules


MODULES = _import_every_builder()


def problems(screen: Screen) -> list[str]:
    return message_problems(screen) if isinstance(screen, SlackMessage) else view_problems(screen)


def report_params() -> list[dict[str, typing.Any]]:
    report = quarter_report(report_input())
    long = replace(report, top_products=[(typed(150, f"{PRODUCT} {n} "), 9999) for n in range(3)])
    return [{"report": report_facts(r), "review_kind": k, "review_on": "2026-12-24"}
            for r, k in ((report, "technical_review"), (long, "support_statistics"))]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(known_kinds()))
def test_every_channel_post_fits_block_kit(kind: str, language: str) -> None:
    variants = report_params() if kind == reports.QUARTERLY_REPORT else CHANNEL_POSTS.get(kind)
    assert variants, f"notification kind {kind!r} has no facts: add its longest ones to tests/i18n/view_facts.py"
    for params in variants:
        message = render_notification(kind, params | {"language": language})
        assert problems(message) == [], f"{kind} in {language}"
        if language != "en" and kind != "text":  # each post speaks its contract's language, not English
            assert message.text != render_notification(kind, params | {"language": "en"}).text


# Builders called directly (replies, modals, App Home), each covering the builder names it lists.
SCREENS: dict[str, Callable[[], list[Screen]]] = {}
RENDERED_FOR = {  # builders a registered renderer calls: covered by the test above
    "account.notice_card": "account_notice", "account.ack_reminder": "account_notice_reminder",
    "account.stale_document": "account_document_stale", "account_onboarding.welcome": "onboarding_welcome",
    "account_onboarding.checklist": "onboarding_checklist", "account_onboarding.reminder": "onboarding_reminder",
    "incidents.incident_card": "incident_card", "incidents.timeline_line": "incident_timeline",
    "incidents.escalation_dm": "incident_escalation_dm", "reminders.ftc_stage_message": "ftc_stage",
    "reminders.points_expiry_message": "points_expiry_reminder", "reviews.reminder": "review_reminder",
    "reviews.changed": "review_changed", "reports.report_message": "quarterly_report",
}


def screen(*covers: str) -> Callable[[Callable[[], list[Screen]]], Callable[[], list[Screen]]]:
    def register(fn: Callable[[], list[Screen]]) -> Callable[[], list[Screen]]:
        SCREENS[" ".join(covers)] = fn
        return fn
    return register


def balance(number: int) -> YearBalance:
    return YearBalance(number, TERM[0], TERM[1], False, 1_234_565, 99_990, 61_725, 0, 0, 1_072_850)


ENTRIES = tuple(PointsEntry(id=n, contract_id=CONTRACT, contract_year=3, kind=k, tenths=-61_725, held_tenths=61_725,
                            actor=USERS[n % 5] if n % 3 else "import:contracts.yml", recorded_at=NOW,
                            reason=typed(500), reference=None)
                for n, k in enumerate(["purchase", "reservation", "spend", "expiry", "cashout"] * 4))


def contract_points(n: int) -> points.ContractPoints:
    return points.ContractPoints(f"{CONTRACT[:60]}-{n:03d}", CUSTOMER, ZONE, TERM[0] + timedelta(days=300),
                                 tuple(balance(y) for y in (1, 2, 3)), ENTRIES[:5], True, True)


@screen("points.points_summary", "points.history_page")
def points_replies() -> list[Screen]:
    views = [contract_points(n) for n in range(12)]
    return [points.points_summary(views), points.points_summary(views[:1]),
            points.history_page(CONTRACT, ZONE, 3, ENTRIES, total=99_999, offset=99_960, next_offset=99_980),
            points.history_page(CONTRACT, ZONE, None, (), total=0, offset=0, next_offset=None)]


MENU = ServiceMenu(items=tuple(MenuItem(f"service-{n:03d}", typed(120, "Onsite technical service day & check "),
                                        "day", {(d, h): 10_000 for d in ("onsite", "remote")
                                                for h in ("standard", "outside")}) for n in range(30)),
                   extra_day_tenths=10_005, example_prices=True)


@screen("points_forms.request_modal", "points_forms.requested_modal", "points_forms.extra_days_modal")
def points_forms_() -> list[Screen]:
    state = points_forms.ModalState(CONTRACT, CUSTOMER, True)
    draft = points_forms.Draft(MENU.items[7].code, "2026-12-24", 30, "onsite", "outside", typed(3000))
    screens: list[Screen] = []
    for days_away, available in ((20, 10), (21, 9_999_990)):
        price = rules.price(unit_tenths=10_000, units=30, requested_at=NOW, service_on=NOW.date() + timedelta(
            days=days_away), zone=ZONE)
        quote = Quote(item=MENU.items[7], units=30, price=price, contract_year=3, available=available)
        screens.append(points_forms.request_modal(state, MENU, draft, price_text=points_forms.price_sentence(quote),
                                                  channel="C0ALERTS001"))
    headline = f"*{typed(200)}*"
    return [*screens, points_forms.request_modal(state, MENU, points_forms.Draft(), price_text=_(CHOOSE_FIRST),
                                      channel=None),
            points_forms.requested_modal(4321, MENU.items[0].name, TERM[1], 1_234_565, "C0ALERTS001"),
            points_forms.extra_days_modal(4321, headline, 10_005, 1_234_565)]


CHOICE = incident_forms.ContractChoice(CONTRACT, CUSTOMER, tuple(typed(150, f"{PRODUCT} {n} ") for n in range(150)),
                                       True, {1: timedelta(hours=1), 2: timedelta(hours=4), 3: timedelta(days=3),
                                              4: None}, False)


@screen(*(f"incident_forms.{n}" for n in ("new_incident_modal", "opened_modal", "message_modal", "escalate_modal",
                                          "impact_modal", "update_modal", "resolve_modal")))
def incident_forms_() -> list[Screen]:
    choices = [replace(CHOICE, id=f"{CONTRACT[:60]}-{n:03d}") for n in range(120)] + [CHOICE]
    key, who = INCIDENT["key"], f"<@{USERS[0]}>"
    return [incident_forms.new_incident_modal(choices, CHOICE, summary=typed(200), description=typed(3000),
                                              metadata={"channel": "C0TALK0001", "ts": "1796032800.000100",
                                                        "link": INCIDENT["source_link"]}),
            incident_forms.opened_modal(key, USERS[0], "C0INCIDENTS1"),
            incident_forms.message_modal(typed(60), typed(4000)),
            incident_forms.escalate_modal(key, technical=who, business=who),
            incident_forms.impact_modal(key, CHOICE, 4), incident_forms.update_modal(key),
            incident_forms.resolve_modal(key)]


@screen("incidents.open_incidents")
def incident_lists() -> list[Screen]:
    lines = [INCIDENT, RESOLVED | {"status": "open"}, INCIDENT | {"time_left_seconds": -99_999}] * 15
    return [incidents.open_incidents(lines, scope=CONTRACT), incidents.open_incidents([], scope=CONTRACT)]


@screen("account.notices_list", "account.plan_view", "account_forms.notice_modal", "account_forms.plan_modal")
def account_screens() -> list[Screen]:
    docs = [DOCUMENT, DOCUMENT | {"kind": "operational_profile", "link": None, "reviewed_at": None, "stale": None},
            DOCUMENT | {"stale": "age"}]
    products = [typed(150, f"{PRODUCT} {n} ") for n in range(200)]
    return [account.notices_list([NOTICE, PLANNED] * 20, scope=CONTRACT), account.notices_list([], scope=CONTRACT),
            account.plan_view(CONTRACT, docs), account_forms.notice_modal(products),
            account_forms.notice_modal([]), account_forms.plan_modal(123_456, "CP-2026-0042", CONTRACT)]


@screen("command.help_message")
def help_screen() -> list[Screen]:
    router = register_all(MagicMock())  # the real subcommands, on an App that is never run
    return [command.help_message("/flexcare", router.subcommands)]


def big_contract() -> Contract:
    options = [ContractOption(position=n, type=t, product_family=typed(150, f"{PRODUCT} {n} "), person=USERS[n % 30],
                              transferred_from=typed(150) if n % 5 == 0 else None, unavailable=n % 7 == 0)
               for n, t in enumerate(["NASE", "TAM", "ESM", "AGSM", "Suite"] * 8)]
    people = [ContractPerson(slack_user=f"U0{n:09d}", role=CUSTOMER_MEMBER if n % 10 else CUSTOMER_ADMIN)
              for n in range(200)]
    channels = [ContractChannel(channel_id=f"C0{n:09d}", purpose=p, source="file")
                for n, p in enumerate(["incidents", "alerts", "reviews"] * 5)]
    years = [ContractYear(number=n, starts_on=TERM[0].replace(year=2025 + n - 1),
                          ends_on=TERM[0].replace(year=2025 + n) - timedelta(days=1), points_tenths=1_234_565)
             for n in (1, 2, 3)]
    return Contract(id=CONTRACT, customer=CUSTOMER, base_support="basic", country="AR", subdivision="AR-C",
                    timezone=ZONE, starts_on=TERM[0], ends_on=TERM[1], service_opens=time(8, 30),
                    service_closes=time(17, 45), options=options, people=people, channels=channels, years=years)


@screen("contract.contract_card")
def contract_screen() -> list[Screen]:
    return [contract.contract_card(big_contract(), now=NOW, open_now=False, next_opening=NOW + timedelta(hours=3))]


def contract_reviews(n: int, count: int) -> reviews.ContractReviews:
    kinds = [KindUse(k, 9, 12, 9, 52) for k in reviews.PLURAL]
    return reviews.ContractReviews(f"{CONTRACT[:60]}-{n:03d}", CUSTOMER, [REVIEW] * count, [REVIEW] * count,
                                   YearUse(3, TERM[0], TERM[1], kinds), True)


@screen("reviews.reviews_message", "reviews.reschedule_modal", "reviews.rescheduled_view")
def review_screens() -> list[Screen]:
    quiet = replace(contract_reviews(0, 0), use=None, may_act=False)
    return [reviews.reviews_message(contract_reviews(0, 30)), reviews.reviews_message(quiet),
            reviews.reschedule_modal(REVIEW), reviews.rescheduled_view(REVIEW, WARNINGS)]


def app_home(contracts: int, lines: int) -> View:
    """As handlers/home.py composes it: contracts, open incidents, points, reviews, account, the language switch."""
    year = home.YearLine(3, TERM[0], TERM[1], 1_234_565, True)
    summaries = [home.ContractSummary(f"{CONTRACT[:60]}-{n:03d}", CUSTOMER, ("customer admin", "customer member"),
                                      typed(300), (year, replace(year, number=4, current=False)))
                 for n in range(contracts)]
    view = incidents.with_open_incidents(home.home_view(summaries), [INCIDENT] * lines)
    view = points.with_points(view, [contract_points(n) for n in range(contracts)])
    view = reviews.with_upcoming_reviews(view, [contract_reviews(n, 5) for n in range(contracts)])
    notices = [NOTICE] * lines
    view = account.with_account(view, notices, [f"{CONTRACT} · {typed(100)}"] * lines)
    return home.with_language_choice(view, "zh-TW")


@screen("home.home_view", "home.with_language_choice", "incidents.home_section", "incidents.with_open_incidents",
        "points.home_section", "points.with_points", "reviews.home_section", "reviews.with_upcoming_reviews",
        "account.home_section", "account.with_account")
def app_homes() -> list[Screen]:
    return [app_home(0, 0), app_home(1, 3), app_home(3, 30), app_home(150, 40)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("covers", sorted(SCREENS))
def test_every_reply_modal_and_home_tab_fits_block_kit(covers: str, language: str) -> None:
    with speaking(language):
        screens = SCREENS[covers]()
    for number, built in enumerate(screens):
        assert problems(built) == [], f"{covers} #{number} in {language}"


def test_the_app_home_keeps_every_section_while_there_is_room_and_stops_at_100_blocks() -> None:
    with speaking("zh-TW"):
        small, full = app_home(1, 3).to_dict()["blocks"], app_home(150, 40).to_dict()["blocks"]
        parts = [_("Open incidents"), _("Points"), _("Upcoming reviews"), _("*Open notices*"), "home_language"]
    assert [part for part in parts if part not in str(small)] == []
    assert len(small) < 100 and len(full) == 100


def builders() -> set[str]:
    """`module.function` of every public function in handlers/blocks that returns a message, a view or blocks."""
    found = set()
    for name in MODULES:
        module = importlib.import_module(name)
        for function_name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != name or function_name.startswith("_"):
                continue
            returns = typing.get_type_hints(fn).get("return")
            if returns in (SlackMessage, View) or "Block]" in str(returns):
                found.add(f"{name.rsplit('.', 1)[1]}.{function_name}")
    return found


def test_every_builder_is_covered() -> None:
    renderers = {f"{m}.{f}" for m, f in (("notifications", "render_notification"), ("notifications", "text_notice"))}
    for name in builders():
        module, function = name.split(".")
        fn = getattr(importlib.import_module(f"handlers.blocks.{module}"), function)
        if getattr(fn, "__name__", "").startswith("render_") or name == "points.request_card":
            renderers.add(name)  # a registered renderer: the channel-post test renders it
    covered = {name for covers in SCREENS for name in covers.split()} | set(RENDERED_FOR) | renderers
    assert set(RENDERED_FOR.values()) <= known_kinds() | {reports.QUARTERLY_REPORT}
    assert builders() - covered == set(), "call these builders in tests/i18n/test_views_fit.py"


def test_the_limits_catch_what_slack_would_refuse() -> None:
    """The checker itself: each limit the SDK lets through is caught here."""
    button = ButtonElement(action_id="same", text="x", value="1")
    select = StaticSelectElement(action_id="pick", options=[Option(value="a", text="a")],
                                 initial_option=Option(value="b", text="b"))
    message = SlackMessage(text="t", blocks=[
        *(SectionBlock(block_id="twice", text="x") for _n in range(2)), ActionsBlock(elements=[button, button]),
        ContextBlock(elements=[MarkdownTextObject(text="x" * 2001)]), SectionBlock(text="x", accessory=select),
        *(SectionBlock(text="x") for _n in range(46))])
    found = "\n".join(problems(message))
    for expected in ("51 blocks", "block_id 'twice' is used twice", "action_id 'same' is used twice",
                     "context element text has 2001", "initial option 'b'"):
        assert expected in found
    assert problems(SlackMessage(text="")) == ["the fallback text is empty"]
