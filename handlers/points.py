"""`/flexcare points`, its history and CSV export, the request modal and the request card's buttons (issue 6).

Commands and buttons acknowledge at once and work in lazy listeners (`guarded`: a refusal is one
ephemeral sentence). The modal submission books inside the 3 seconds, in one transaction, so every
problem is shown beside its field. What vendor staff see goes through the outbox; it is kicked after
each commit.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.access import Action, contracts_of, may
from domain.contracts.channels import contract_of_channel
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.points import history, ledger, notices, rules
from domain.points import service as points
from domain.points.menu import ServiceMenu, load_menu
from domain.words import N_, _, speaking
from handlers import points_card
from handlers.blocks import points as blocks
from handlers.blocks import points_forms as forms
from handlers.context import choose_contract
from handlers.deps import Deps
from handlers.replies import error_sentence, guarded
from handlers.router import Invocation, Router

USAGE = "points [history [YEAR] | export [YEAR]] [CONTRACT-ID]"
CHOOSE_FIRST = N_("Choose a service and a date to see the price.")


def service_menu(deps: Deps) -> ServiceMenu:
    """The deployment's menu, loaded once at start by bot.wiring (FLEXCARE_SERVICE_MENU), or the shipped one."""
    return deps.menu or load_menu()


def acknowledge(ack: Ack) -> None:
    ack()


def contract_points(session: Session, contract: Contract, *, user: str, now: datetime,
                    menu: ServiceMenu) -> blocks.ContractPoints:
    return blocks.ContractPoints(
        contract_id=contract.id, customer=contract.customer, timezone=contract.timezone,
        today=rules.local_day(now, contract.timezone),
        years=tuple(b for b in ledger.balances(session, contract, now=now) if not b.ended),
        latest=tuple(history.latest(session, contract)), may_request=may(contract, user, Action.SPEND_POINTS),
        example_prices=menu.example_prices)


def home_points(session: Session, *, user: str, team: str | None, now: datetime,
                menu: ServiceMenu | None = None) -> list[blocks.ContractPoints]:
    """App Home's points section: each of the person's contracts (`menu`: the deployment's, see service_menu)."""
    menu = menu or load_menu()
    return [contract_points(session, contract, user=user, now=now, menu=menu)
            for contract in contracts_of(session, user, team_id=team)]


def points_command(invocation: Invocation) -> None:
    words = list(invocation.args)
    verb = words.pop(0).lower() if words and words[0].lower() in ("history", "export") else None
    # A contract year: "²" is a digit to isdigit() but not to int(), and a 20-digit number fits no column.
    numbers = [w for w in words if w.isascii() and w.isdigit() and len(w) <= 4]
    year = int(numbers[0]) if numbers else None
    named = next((w for w in words if w not in numbers), None)
    deps, now = invocation.deps, invocation.deps.clock()
    with deps.db() as session:
        if verb is None:
            chosen = _contracts(session, invocation, named)
            message = blocks.points_summary([contract_points(session, c, user=invocation.user, now=now,
                                                             menu=service_menu(deps)) for c in chosen])
        else:
            contract = choose_contract(session, user=invocation.user, channel=invocation.channel,
                                       team=invocation.team, named=named, usage=f"points {verb}")
            if verb == "export":
                upload = _ledger_file(session, contract, year, now)
            else:
                message = _history(session, contract, year, offset=0)
    if verb == "export":
        upload.upload(invocation.client, invocation.channel)
        return
    invocation.respond(response_type="ephemeral", **message.as_kwargs())


def _contracts(session: Session, invocation: Invocation, named: str | None) -> list[Contract]:
    """The channel's contract (or the one named); in a DM or an unlinked channel, each of the person's."""
    if named or contract_of_channel(session, invocation.channel, team_id=invocation.team) is not None:
        return [choose_contract(session, user=invocation.user, channel=invocation.channel, team=invocation.team,
                                named=named)]
    mine = contracts_of(session, invocation.user, team_id=invocation.team)
    if not mine:  # choose_contract says whom to ask
        choose_contract(session, user=invocation.user, channel=None, team=invocation.team)
    return mine


def _history(session: Session, contract: Contract, year: int | None, *, offset: int) -> Any:
    page = history.history(session, contract, year=year, offset=offset)
    return blocks.history_page(contract.id, contract.timezone, year, page.entries, total=page.total,
                               offset=page.offset, next_offset=page.next_offset)


@dataclass(frozen=True)
class LedgerFile:
    content: str
    filename: str
    title: str
    comment: str

    def upload(self, client: WebClient, channel: str) -> None:
        client.files_upload_v2(channel=channel, content=self.content, filename=self.filename, title=self.title,
                               initial_comment=self.comment)


def _ledger_file(session: Session, contract: Contract, year: int | None, now: datetime) -> LedgerFile:
    """One year's ledger as a CSV upload (`files_upload_v2` arguments); the current year unless one is named."""
    number = year or next((b.contract_year for b in ledger.balances(session, contract, now=now) if not b.ended),
                          contract.years[-1].number)
    ledger.year_balance(session, contract, number, now=now)  # an unknown year is refused with a sentence
    with speaking(contract.language):  # a file posted in the channel: the contract's language
        return _ledger_file_in_language(session, contract, number)


def _ledger_file_in_language(session: Session, contract: Contract, number: int) -> LedgerFile:
    return LedgerFile(
        content=history.ledger_csv(history.year_entries(session, contract, number)),
        filename=f"{contract.id}-year-{number}-points.csv",
        title=_("Points ledger of %(contract)s, contract year %(year)s", contract=contract.id, year=number),
        comment=_("The points ledger of %(contract)s for contract year %(year)s, oldest first, amounts in points.",
                  contract=contract.id, year=number))


@guarded
def open_request(body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    """"Request a service": the modal, opened from the trigger_id at once (it lapses after about 3 s)."""
    menu = service_menu(deps)
    with deps.db() as session:
        contract = choose_contract(session, user=body["user"]["id"], channel=None, team=_team(body),
                                   named=body["actions"][0]["value"], action=Action.SPEND_POINTS)
        state = forms.ModalState(contract.id, contract.customer, menu.example_prices)
    view = forms.request_modal(state, menu, forms.Draft(), price_text=_(CHOOSE_FIRST),
                               channel=(body.get("channel") or {}).get("id"))
    client.views_open(trigger_id=body["trigger_id"], view=view)


@guarded
def redraw_price(body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Any field changed: the price, surcharge and balance after, drawn again (`views.update`)."""
    view, menu = body["view"], service_menu(deps)
    meta, draft = forms.metadata(view), forms.read_draft(view)
    form, _missing = forms.form_of(draft)
    with deps.db() as session:
        # The metadata names the contract; whether this person may spend its points is asked again (issue 11).
        contract = choose_contract(session, user=body["user"]["id"], channel=None, team=_team(body),
                                   named=meta["contract"], action=Action.SPEND_POINTS)
        state = forms.ModalState(contract.id, contract.customer, menu.example_prices)
        try:
            text = (forms.price_sentence(points.quote(session, contract=contract, menu=menu, form=form,
                                                      now=deps.clock()))
                    if form is not None else _(CHOOSE_FIRST))
        except FlexcareError as exc:
            text = str(exc)
    client.views_update(view_id=view["id"], hash=view.get("hash"),
                        view=forms.request_modal(state, menu, draft, price_text=text, channel=meta.get("channel")))


def request_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    form, errors = forms.form_of(forms.read_draft(view))
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    user, menu = body["user"]["id"], service_menu(deps)
    item = menu.item(form.item_code)
    try:
        with deps.db.begin() as session:
            contract = choose_contract(session, user=user, channel=None, team=_team(body),
                                       named=forms.metadata(view)["contract"], action=Action.SPEND_POINTS)
            # The view id is the same for a double submit and for Slack's retry: one request.
            request = points.request_service(session, contract=contract, menu=menu, form=form, by=user,
                                             now=deps.clock(), key=f"view:{view['id']}")
            done = forms.requested_modal(request.id, request.item_name, request.service_on, request.total_tenths,
                                         notices.alerts_channel(contract))
    except points.RequestFormError as exc:
        ack(response_action="errors", errors={forms.FIELD_BLOCK[exc.field]: str(exc)})
        return
    except rules.NotEnoughPoints as exc:
        ack(response_action="errors", errors={forms.DAYS if item and item.per_day else forms.SERVICE: str(exc)})
        return
    except Exception as exc:  # the form stays open with one sentence; error_sentence logs anything unexpected
        ack(response_action="errors", errors={forms.SERVICE: error_sentence(exc)})
        return
    ack(response_action="update", view=done)
    deps.kick_outbox()


@guarded
def history_button(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    _show_history(body, respond, deps, json.dumps({"contract": body["actions"][0]["value"], "offset": 0}),
                  replace=False)


@guarded
def more_history(body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    _show_history(body, respond, deps, body["actions"][0]["value"], replace=True)


def _show_history(body: dict[str, Any], respond: Respond, deps: Deps, value: str, *, replace: bool) -> None:
    wanted = json.loads(value)
    with deps.db() as session:
        contract = choose_contract(session, user=body["user"]["id"], channel=None, team=_team(body),
                                   named=wanted["contract"])
        message = _history(session, contract, wanted.get("year"), offset=int(wanted.get("offset") or 0))
    respond(response_type="ephemeral", replace_original=replace, **message.as_kwargs())


@guarded
def export_button(body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    contract_id, _sep, year = body["actions"][0]["value"].rpartition(":")
    channel = (body.get("channel") or {}).get("id") or body["user"]["id"]
    with deps.db() as session:
        contract = choose_contract(session, user=body["user"]["id"], channel=None, team=_team(body),
                                   named=contract_id)
        upload = _ledger_file(session, contract, int(year), deps.clock())
    upload.upload(client, channel)


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    return team.get("id") if isinstance(team, dict) else None


def register(app: App, router: Router) -> None:
    router.add("points", usage=USAGE, summary=N_("Points per contract year, the service menu, history and CSV."))(
        points_command)
    app.action(forms.OPEN_REQUEST)(ack=acknowledge, lazy=[open_request])
    app.action(re.compile("^" + re.escape(forms.FIELD_PREFIX)))(ack=acknowledge, lazy=[redraw_price])
    app.view(forms.REQUEST_MODAL)(request_submitted)
    points_card.register(app)
    app.action(forms.SHOW_HISTORY)(ack=acknowledge, lazy=[history_button])
    app.action(forms.MORE_HISTORY)(ack=acknowledge, lazy=[more_history])
    app.action(forms.EXPORT_CSV)(ack=acknowledge, lazy=[export_button])
