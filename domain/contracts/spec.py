"""Reading a contract file: YAML in, validated `ContractSpec`s out, or every error at once.

Each error names the file, the contract, the field and the rule, so the person editing the
file can fix them all in one pass (e.g. `contracts.yml: ACME-FC-01: term.end: ... (FC-CON-2)`).
"""

import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from domain.calendar import validate_location
from domain.contracts import rules
from domain.errors import InvalidContract
from domain.reviews import rules as review_rules
from domain.words import LANGUAGES

CONTRACT_KEYS = {"id", "customer", "base_support", "location", "term", "points", "options", "people",
                 "channels", "ftc_hours", "service_hours", "extra_holidays", "early_closings", "ftc_clock",
                 "language", "cashout_required", "workspace", "reviews"}
OPTION_KEYS = {"type", "product_family", "product_solution", "suite", "person", "licence",
               "transferred_from", "unavailable"}
CONTRACT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class OptionSpec:
    type: str
    person: str
    product_family: str | None = None
    product_solution: str | None = None
    suite: str | None = None
    licence: str = "existing"
    transferred_from: str | None = None
    unavailable: bool = False

    @property
    def scope(self) -> str | None:
        name = rules.SCOPE_FIELD[self.type]
        return getattr(self, name) if name else None


@dataclass(frozen=True)
class ContractSpec:
    id: str
    customer: str
    base_support: str
    country: str
    subdivision: str | None
    timezone: str
    starts_on: date
    ends_on: date
    points_tenths: dict[int, int] = field(default_factory=dict)
    options: tuple[OptionSpec, ...] = ()
    admins: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    channels: dict[str, str] = field(default_factory=dict)
    ftc_hours: dict[int, float] = field(default_factory=dict)
    service_opens: time = time(8)
    service_closes: time = time(17)
    extra_holidays: tuple[date, ...] = ()
    early_closings: dict[date, time] = field(default_factory=dict)
    ftc_clock: str | None = None
    language: str = "en"
    cashout_required: bool = False
    team_id: str | None = None  # the Slack workspace, for multi-workspace installs
    reviews: review_rules.ReviewCadence = field(default_factory=review_rules.ReviewCadence)  # FC-DEC-5


class ContractFileError(InvalidContract):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Errors:
    """Collects `file: contract: field: message` lines."""

    def __init__(self, source: str) -> None:
        self.source, self.contract = source, ""
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        prefix = f"{self.source}: {self.contract}: " if self.contract else f"{self.source}: "
        self.lines.append(f"{prefix}{where}: {message}" if where else f"{prefix}{message}")


def parse_contract_file(text: str, *, source: str) -> list[ContractSpec]:
    """Parse and check a whole file; raise ContractFileError listing every problem."""
    errors = _Errors(source)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContractFileError([f"{source}: not valid YAML: {exc}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("contracts"), list):
        raise ContractFileError([f"{source}: expected a top-level 'contracts:' list"])
    specs, seen = [], set()
    for index, raw in enumerate(document["contracts"]):
        errors.contract = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"contracts[{index}]"
        if not isinstance(raw, dict):
            errors.add("", "expected a mapping of contract fields")
            continue
        before = len(errors.lines)
        spec = _contract(raw, errors)
        if spec and spec.id in seen:
            errors.add("id", "appears twice in this file; each contract once")
        elif spec and len(errors.lines) == before:
            seen.add(spec.id)
            specs.append(spec)
    if errors.lines:
        raise ContractFileError(errors.lines)
    return specs


def _contract(raw: dict[str, Any], e: _Errors) -> ContractSpec | None:
    for key in sorted(set(raw) - CONTRACT_KEYS, key=str):
        e.add(str(key), f"unknown field; known fields are {', '.join(sorted(CONTRACT_KEYS))}")
    cid, customer = raw.get("id"), raw.get("customer")
    if not isinstance(cid, str) or not CONTRACT_ID.match(cid):
        e.add("id", "required: letters, digits, '-' or '_', at most 64 characters")
    if not isinstance(customer, str) or not customer.strip():
        e.add("customer", "required: the customer's name")
    base = raw.get("base_support")
    if base not in rules.BASE_SUPPORT_LEVELS:
        e.add("base_support", "must be 'standard' (24x7 base contract) or 'basic' (business hours); "
                              "FlexCare needs a valid base support contract (FC-CON-1)")
    location = _mapping(raw, "location", e) or {}
    country, subdivision, zone = location.get("country"), location.get("subdivision"), location.get("timezone")
    try:
        validate_location(str(country or ""), str(subdivision) if subdivision else None, str(zone or ""))
    except ValueError as exc:
        e.add("location", f"{exc} (FC-CON-3)")
    term = _mapping(raw, "term", e) or {}
    starts_on, ends_on = _date(term.get("start"), "term.start", e), _date(term.get("end"), "term.end", e)
    if starts_on and ends_on and ends_on <= starts_on:
        e.add("term.end", f"{ends_on} must come after the start {starts_on} (FC-CON-2)")
    years = rules.contract_years(starts_on, ends_on) if starts_on and ends_on and ends_on > starts_on else []
    opens, closes = _service_hours(raw.get("service_hours"), e)
    spec_fields: dict[str, Any] = {
        "points_tenths": _points(raw.get("points"), len(years), e),
        "options": tuple(_options(raw.get("options"), e)),
        "channels": _channels(raw.get("channels"), e),
        "ftc_hours": _ftc_hours(raw.get("ftc_hours"), e),
        "extra_holidays": tuple(d for d in (_date(v, "extra_holidays", e) for v in raw.get("extra_holidays") or [])
                                if d),
        "early_closings": _early_closings(raw.get("early_closings"), opens, e),
        "service_opens": opens, "service_closes": closes,
    }
    people = _mapping(raw, "people", e) or {}
    for key in sorted(set(people) - {"customer_admins", "customer_members"}, key=str):
        e.add(f"people.{key}", "unknown; use customer_admins and customer_members")
    spec_fields["admins"] = tuple(_users(people.get("customer_admins"), "people.customer_admins", e))
    spec_fields["members"] = tuple(_users(people.get("customer_members"), "people.customer_members", e))
    ftc_clock = raw.get("ftc_clock")
    if ftc_clock not in (None, "service_hours"):
        e.add("ftc_clock", "may only be 'service_hours' (count a 24x7 contract's FTC in service hours, FC-DEC-6)")
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        e.add("language", f"must be one of {', '.join(LANGUAGES)}")
    cashout = raw.get("cashout_required", False)
    if not isinstance(cashout, bool):
        e.add("cashout_required", "must be true or false (FC-DEC-4)")
    workspace = raw.get("workspace")
    if workspace is not None and not (isinstance(workspace, str) and SLACK_TEAM.match(workspace)):
        e.add("workspace", f"{workspace!r} is not a Slack workspace id such as T0123ABCD")
    spec_fields["reviews"], problems = review_rules.read_cadence(raw.get("reviews"))
    for where, message in problems:
        e.add(where, message)
    if not (isinstance(cid, str) and customer and base in rules.BASE_SUPPORT_LEVELS and starts_on and ends_on):
        return None
    spec = ContractSpec(id=cid, customer=str(customer).strip(), base_support=str(base), country=str(country),
                        subdivision=str(subdivision) if subdivision else None, timezone=str(zone),
                        starts_on=starts_on, ends_on=ends_on, ftc_clock=ftc_clock, language=str(language),
                        cashout_required=bool(cashout), team_id=workspace, **spec_fields)
    for message in review_rules.import_problems(spec):
        e.add("reviews.remote_every_weeks", message)
    return spec


def _mapping(raw: dict[str, Any], key: str, e: _Errors) -> dict[str, Any] | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, dict):
        e.add(key, "expected a mapping")
        return None
    return value


def _date(value: Any, where: str, e: _Errors) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        e.add(where, f"{value!r} is not a date; write it as YYYY-MM-DD")
        return None


def _clock(value: Any, where: str, e: _Errors) -> time | None:
    if isinstance(value, int) and 0 <= value < 24 * 60:  # YAML 1.1 reads an unquoted 12:00 as 720 minutes
        return time(value // 60, value % 60)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        e.add(where, f"{value!r} is not a time of day; write it as \"HH:MM\"")
        return None


def _service_hours(raw: Any, e: _Errors) -> tuple[time, time]:
    if raw is None:
        return time(8), time(17)  # FC-CAL-1
    if not isinstance(raw, dict):
        e.add("service_hours", "expected {start: \"08:00\", end: \"17:00\"}")
        return time(8), time(17)
    opens = _clock(raw.get("start", "08:00"), "service_hours.start", e) or time(8)
    closes = _clock(raw.get("end", "17:00"), "service_hours.end", e) or time(17)
    if closes <= opens:
        e.add("service_hours.end", f"{closes:%H:%M} must be after the start {opens:%H:%M} (FC-CAL-1)")
    return opens, closes


def _points(raw: Any, year_count: int, e: _Errors) -> dict[int, int]:
    tenths: dict[int, int] = {}
    for i, row in enumerate(raw or []):
        where = f"points[{i}]"
        if not isinstance(row, dict) or set(row) != {"year", "points"}:
            e.add(where, "expected {year: N, points: AMOUNT}")
            continue
        year, amount = row["year"], _decimal(row["points"])
        if year_count and (not isinstance(year, int) or not 1 <= year <= year_count):
            e.add(f"{where}.year", f"{year!r} is not a year of this term (1 to {year_count}) (FC-CON-2)")
        elif not isinstance(year, int) or year in tenths:
            e.add(f"{where}.year", f"year {year!r} is listed twice" if year in tenths else "must be a whole number")
        elif amount is None or amount < 0 or (amount * 10) % 1:
            e.add(f"{where}.points", "must be a non-negative number with at most one decimal (FC-DEC-3)")
        else:
            tenths[year] = int(amount * 10)
    return tenths


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _options(raw: Any, e: _Errors) -> list[OptionSpec]:
    if not isinstance(raw, list):
        e.add("options", "expected a list of options (NASE, TAM, ESM, AGSM, Suite) (FC-CON-4)")
        return []
    options = []
    for i, row in enumerate(raw):
        option = _option(row, f"options[{i}]", e)
        if option:
            options.append(option)
    return options


def _option(row: Any, where: str, e: _Errors) -> OptionSpec | None:
    if not isinstance(row, dict):
        e.add(where, "expected a mapping")
        return None
    before = len(e.lines)
    for key in sorted(set(row) - OPTION_KEYS, key=str):
        e.add(f"{where}.{key}", f"unknown field; known fields are {', '.join(sorted(OPTION_KEYS))}")
    kind, person = row.get("type"), row.get("person")
    if kind not in rules.OPTION_TYPES:
        e.add(f"{where}.type", f"{kind!r} is not one of {', '.join(rules.OPTION_TYPES)} (FC-CON-4)")
        return None
    scope_field = rules.SCOPE_FIELD[kind]
    for name in ("product_family", "product_solution", "suite"):
        given = row.get(name)
        if name == scope_field and not (isinstance(given, str) and given.strip()):
            e.add(f"{where}.{name}", f"required: a {kind} option is bought per {name.replace('_', ' ')} (FC-CON-4)")
        elif name != scope_field and given is not None:
            rule = "AGSM covers every product solution" if kind == "AGSM" else \
                f"a {kind} option is scoped by {scope_field}"
            e.add(f"{where}.{name}", f"not allowed: {rule} (FC-CON-4)")
    if not isinstance(person, str) or not SLACK_USER.match(person):
        e.add(f"{where}.person", "required: the Slack user id (e.g. U0123ABCD) of who fills the role")
    licence = row.get("licence", "existing")
    scope = row.get(scope_field) if scope_field else None
    if licence not in ("existing", "new"):
        e.add(f"{where}.licence", "must be 'existing' or 'new'")
    elif licence == "new" and (product := rules.excluded_new_licence_product(scope)):
        e.add(f"{where}.{scope_field}", f"FlexCare is not sold for new licences of {product} (FC-CON-6)")
    transferred = row.get("transferred_from")
    if transferred is not None and (not scope_field or transferred == scope):
        e.add(f"{where}.transferred_from", "names the product this option moved from, which must differ "
                                           "from its current scope (FC-CON-7)")
    unavailable = row.get("unavailable", False)
    if not isinstance(unavailable, bool):
        e.add(f"{where}.unavailable", "must be true or false (FC-CON-8)")
    if len(e.lines) > before:
        return None
    return OptionSpec(type=kind, person=str(person), licence=licence, transferred_from=transferred,
                      unavailable=unavailable,
                      **{n: row.get(n) for n in ("product_family", "product_solution", "suite")})


def _users(raw: Any, where: str, e: _Errors) -> list[str]:
    return _ids(raw, where, e, SLACK_USER, "a Slack user id such as U0123ABCD")


def _ids(raw: Any, where: str, e: _Errors, pattern: re.Pattern[str], what: str) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        e.add(where, f"expected a list of {what}")
        return []
    bad = [v for v in raw if not (isinstance(v, str) and pattern.match(v))]
    for value in bad:
        e.add(where, f"{value!r} is not {what}")
    return list(dict.fromkeys(v for v in raw if v not in bad))


def _channels(raw: Any, e: _Errors) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        e.add("channels", "expected {incidents: C..., alerts: C..., reviews: C...}")
        return {}
    out = {}
    for purpose, channel in raw.items():
        if purpose not in ("incidents", "alerts", "reviews"):
            e.add(f"channels.{purpose}", "unknown purpose; use incidents, alerts or reviews")
        elif not (isinstance(channel, str) and SLACK_CHANNEL.match(channel)):
            e.add(f"channels.{purpose}", f"{channel!r} is not a Slack channel id such as C0123ABCD")
        else:
            out[purpose] = channel
    return out


def _ftc_hours(raw: Any, e: _Errors) -> dict[int, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        e.add("ftc_hours", "expected {3: HOURS, 4: HOURS}")
        return {}
    out = {}
    for level, hours in raw.items():
        if level not in (3, 4):
            e.add(f"ftc_hours.{level}", "only impact levels 3 and 4 take a contract target; "
                                        "1 and 2 are fixed at 1 and 4 hours (FC-INC-2)")
        elif isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            e.add(f"ftc_hours.{level}", "must be a positive number of service hours (FC-INC-2)")
        else:
            out[level] = float(hours)
    return out


def _early_closings(raw: Any, opens: time, e: _Errors) -> dict[date, time]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        e.add("early_closings", "expected {YYYY-MM-DD: \"HH:MM\"}")
        return {}
    out: dict[date, time] = {}
    for day, closes in raw.items():
        when, at = _date(day, f"early_closings.{day}", e), _clock(closes, f"early_closings.{day}", e)
        if when and at:
            if at <= opens:
                e.add(f"early_closings.{day}", f"{at:%H:%M} is not after opening {opens:%H:%M}; "
                                               "list a whole closed day under extra_holidays")
            else:
                out[when] = at
    return out
