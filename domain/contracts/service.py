"""Contract use cases: import a file's contracts, find contracts and the people on them.

Services take a Session and never commit: the caller frames the transaction, so a refused
import writes nothing (STYLE 2.2).
"""

import hashlib
import json
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.account.onboarding import start_onboarding
from domain.contracts import rules
from domain.contracts.records import (
    CUSTOMER_ADMIN,
    CUSTOMER_MEMBER,
    Contract,
    ContractChannel,
    ContractEvent,
    ContractOption,
    ContractPerson,
    ContractYear,
)
from domain.contracts.spec import ContractFileError, ContractSpec, OptionSpec
from domain.errors import NotFound
from domain.points.purchases import sync_purchases
from domain.reviews.service import refresh_schedule

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_contracts(session: Session, specs: list[ContractSpec], *, source: str, now: datetime) -> ImportReport:
    """Create or update each contract in place; refuse the whole file on any rule broken against stored state."""
    stored = {c.id: c for c in session.scalars(
        select(Contract).where(Contract.id.in_([s.id for s in specs])).options(selectinload(Contract.options))
    )}
    errors = [msg for spec in specs if spec.id in stored for msg in _check_against_stored(spec, stored[spec.id],
                                                                                         session, source)]
    if errors:
        raise ContractFileError(errors)
    report = ImportReport()
    for spec in specs:
        print_ = fingerprint(spec)
        contract = stored.get(spec.id)
        if contract is not None and contract.fingerprint == print_:
            report.unchanged.append(spec.id)
            continue
        if contract is None:
            contract = Contract(id=spec.id)
            session.add(contract)
            report.created.append(spec.id)
            kind, detail = "imported", f"created from {source}"
        else:
            _record_scope_changes(session, contract, spec, now)
            report.updated.append(spec.id)
            kind, detail = "updated", f"updated from {source}"
        _apply(contract, spec, print_, now)
        session.flush()  # the contract row exists before the history rows that point at it
        _record(session, spec.id, now, kind, detail)
        _record_transfers(session, spec, now)
        sync_purchases(session, contract, now)  # FC-PTS-1: the file's bought points enter the ledger
        refresh_schedule(session, contract=contract, cadence=spec.reviews, now=now)  # FC-REV: the review calendar
        if kind == "imported":
            start_onboarding(session, contract=contract, now=now)  # FC-REV: welcome kit, kick-off checklist
    session.flush()
    return report


def fingerprint(spec: ContractSpec) -> str:
    """A digest of everything the file says about a contract: equal digests, nothing to write."""
    return hashlib.sha256(json.dumps(_plain(asdict(spec)), sort_keys=True).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _check_against_stored(spec: ContractSpec, contract: Contract, session: Session, source: str) -> list[str]:
    stored_esm = {o.product_solution for o in contract.options if o.type == "ESM" and o.product_solution}
    wanted_esm = {o.product_solution for o in spec.options if o.type == "ESM" and o.product_solution}
    if not rules.esm_scope_changed(stored_esm, wanted_esm):
        return []
    changes = session.scalar(select(ContractEvent.id).where(
        ContractEvent.contract_id == contract.id, ContractEvent.kind == "esm_scope_changed").limit(1))
    if changes is None:
        return []
    index = next(i for i, o in enumerate(spec.options) if o.type == "ESM" and o.product_solution not in stored_esm)
    return [f"{source}: {spec.id}: options[{index}].product_solution: "
            "ESM scope already changed once during the term (FC-CON-5)"]


def _record_scope_changes(session: Session, contract: Contract, spec: ContractSpec, now: datetime) -> None:
    stored_esm = {o.product_solution for o in contract.options if o.type == "ESM" and o.product_solution}
    wanted_esm = {o.product_solution for o in spec.options if o.type == "ESM" and o.product_solution}
    if rules.esm_scope_changed(stored_esm, wanted_esm):
        _record(session, contract.id, now, "esm_scope_changed",
                f"ESM scope {', '.join(sorted(stored_esm))} -> {', '.join(sorted(wanted_esm))} (FC-CON-5)")


def _record_transfers(session: Session, spec: ContractSpec, now: datetime) -> None:
    """FC-CON-7: a transfer to a migrated product is an explicit change in the history, recorded once."""
    known = set(session.scalars(select(ContractEvent.detail).where(
        ContractEvent.contract_id == spec.id, ContractEvent.kind == "transferred")))
    for option in spec.options:
        if option.transferred_from:
            detail = f"{option.type} transferred from {option.transferred_from} to {option.scope} (FC-CON-7)"
            if detail not in known:
                _record(session, spec.id, now, "transferred", detail)


def _apply(contract: Contract, spec: ContractSpec, print_: str, now: datetime) -> None:
    contract.team_id, contract.customer, contract.base_support = spec.team_id, spec.customer, spec.base_support
    contract.country, contract.subdivision, contract.timezone = spec.country, spec.subdivision, spec.timezone
    contract.starts_on, contract.ends_on = spec.starts_on, spec.ends_on
    contract.service_opens, contract.service_closes = spec.service_opens, spec.service_closes
    contract.ftc_clock, contract.language, contract.cashout_required = (
        spec.ftc_clock, spec.language, spec.cashout_required)
    contract.ftc_hours_json = {str(k): v for k, v in spec.ftc_hours.items()}
    contract.extra_holidays_json = sorted(d.isoformat() for d in spec.extra_holidays)
    contract.early_closings_json = {d.isoformat(): f"{t:%H:%M}" for d, t in sorted(spec.early_closings.items())}
    contract.fingerprint, contract.imported_at = print_, now
    contract.options = [_option(i, o) for i, o in enumerate(spec.options)]
    # Rows are reconciled, not replaced: a delete-then-insert of the same person or channel would
    # trip the unique constraints inside one flush.
    wanted_people = [(u, CUSTOMER_ADMIN) for u in spec.admins] + [(u, CUSTOMER_MEMBER) for u in spec.members]
    contract.people = _reconcile(contract.people, wanted_people, lambda p: (p.slack_user, p.role),
                                 lambda k: ContractPerson(slack_user=k[0], role=k[1]))
    wanted_channels = [(ch, p, "file") for p, ch in spec.channels.items()]
    wanted_channels += [(c.channel_id, c.purpose, "link") for c in contract.channels
                        if c.source == "link" and (c.channel_id, c.purpose, "file") not in wanted_channels]
    contract.channels = _reconcile(contract.channels, wanted_channels,
                                   lambda c: (c.channel_id, c.purpose, c.source),
                                   lambda k: ContractChannel(channel_id=k[0], purpose=k[1], source=k[2]))
    years = {y.number: y for y in contract.years}
    contract.years = []
    for span in rules.contract_years(spec.starts_on, spec.ends_on):
        year = years.get(span.number) or ContractYear(number=span.number)
        year.starts_on, year.ends_on = span.starts_on, span.ends_on
        year.points_tenths = spec.points_tenths.get(span.number, 0)
        contract.years.append(year)


def _reconcile(rows: list[R], wanted: list[K], key: Callable[[R], K], make: Callable[[K], R]) -> list[R]:
    """Keep the rows whose key is still wanted, make the missing ones; the rest become orphans."""
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) or make(k) for k in dict.fromkeys(wanted)]


def _option(position: int, spec: OptionSpec) -> ContractOption:
    return ContractOption(position=position, type=spec.type, product_family=spec.product_family,
                          product_solution=spec.product_solution, suite=spec.suite, person=spec.person,
                          licence=spec.licence, transferred_from=spec.transferred_from,
                          unavailable=spec.unavailable)


def _record(session: Session, contract_id: str, now: datetime, kind: str, detail: str) -> None:
    session.add(ContractEvent(contract_id=contract_id, at=now, kind=kind, detail=detail[:500]))


def get_contract(session: Session, contract_id: str) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(f"There is no contract {contract_id!r}; `flexcare contracts list` shows the ids.")
    return contract


def list_contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.id)))


def history(session: Session, contract_id: str) -> list[ContractEvent]:
    return list(session.scalars(select(ContractEvent).where(ContractEvent.contract_id == contract_id)
                                .order_by(ContractEvent.at, ContractEvent.id)))


def describe(contract: Contract) -> dict[str, Any]:
    """A plain, JSON-ready view of a contract, for `contracts show --json` and scripts."""
    return {
        "id": contract.id, "workspace": contract.team_id, "customer": contract.customer,
        "base_support": contract.base_support,
        "location": {"country": contract.country, "subdivision": contract.subdivision,
                     "timezone": contract.timezone},
        "term": {"start": contract.starts_on.isoformat(), "end": contract.ends_on.isoformat()},
        "years": [{"year": y.number, "start": y.starts_on.isoformat(), "end": y.ends_on.isoformat(),
                   "points": y.points_tenths / 10} for y in contract.years],
        "options": [{"type": o.type, "scope": o.scope, "person": o.person, "licence": o.licence,
                     "transferred_from": o.transferred_from, "unavailable": o.unavailable}
                    for o in contract.options],
        "customer_admins": contract.people_with(CUSTOMER_ADMIN),
        "customer_members": contract.people_with(CUSTOMER_MEMBER),
        "channels": [{"purpose": c.purpose, "channel": c.channel_id, "source": c.source}
                     for c in contract.channels],
        "ftc_hours": contract.ftc_hours, "language": contract.language,
        "service_hours": {"start": f"{contract.service_opens:%H:%M}", "end": f"{contract.service_closes:%H:%M}"},
    }
