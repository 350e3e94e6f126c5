"""The service menu (FC-PTS-3, FC-PTS-5): what points buy, at what price, read from a YAML file.

A deployment points `FLEXCARE_SERVICE_MENU` at its own file; otherwise the shipped `menu.yml`
applies, whose prices are examples. Every problem in a file is reported at once, each naming the
item and the field, so a bad menu stops the bot at start-up with a list the operator can fix.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from domain.errors import FlexcareError
from domain.words import N_

SHIPPED_MENU = Path(__file__).resolve().parent / "menu.yml"
UNITS = ("request", "day")  # per request, or per day of service
DELIVERIES = ("onsite", "remote")
HOURS = ("standard", "outside")  # within FlexCare service hours, or outside them (FC-CAL-1)
DELIVERY_WORDS = {"onsite": N_("onsite"), "remote": N_("remote")}  # as people read them, translated
HOURS_WORDS = {"standard": N_("standard"), "outside": N_("outside")}
MAX_DAYS = 30  # more than a month of days in one request is a typo, not a booking
ITEM_KEYS = {"code", "name", "unit", "prices"}
PRICE_KEYS = {"delivery", "hours", "points"}


class MenuError(FlexcareError):
    """The menu file is unusable; `errors` names each item and field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class MenuItem:
    code: str
    name: str
    unit: str  # "request" or "day"
    prices: dict[tuple[str, str], int]  # (delivery, hours) -> tenths of a point per unit

    @property
    def per_day(self) -> bool:
        return self.unit == "day"

    def offers(self, delivery: str, hours: str) -> bool:
        return (delivery, hours) in self.prices

    def unit_tenths(self, delivery: str, hours: str) -> int:
        return self.prices[(delivery, hours)]


@dataclass(frozen=True)
class ServiceMenu:
    items: tuple[MenuItem, ...]
    extra_day_tenths: int  # FC-PTS-5 / FC-TRM-2: work beyond the package, per day
    example_prices: bool  # the shipped menu says its prices are examples; shown to people

    def item(self, code: str) -> MenuItem | None:
        return next((i for i in self.items if i.code == code), None)


def parse_menu(text: str, *, source: str) -> ServiceMenu:
    """Parse and check a whole menu; raise MenuError listing every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MenuError([f"{source}: not valid YAML: {exc}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list) or not document["items"]:
        raise MenuError([f"{source}: expected a top-level 'items:' list with at least one service"])
    errors: list[str] = []
    extra_day = _points(document.get("extra_day_points"), f"{source}: extra_day_points", errors)
    items: list[MenuItem] = []
    for index, raw in enumerate(document["items"]):
        item = _item(raw, index, source, errors)
        if item is not None and any(i.code == item.code for i in items):
            errors.append(f"{source}: {item.code}: code: appears twice; give each service its own code")
        elif item is not None:
            items.append(item)
    if errors:
        raise MenuError(errors)
    return ServiceMenu(items=tuple(items), extra_day_tenths=extra_day or 0,
                       example_prices=document.get("example_prices") is True)


def _item(raw: Any, index: int, source: str, errors: list[str]) -> MenuItem | None:
    name = f"items[{index}]"
    if not isinstance(raw, dict):
        errors.append(f"{source}: {name}: expected a mapping with code, name, unit and prices")
        return None
    if isinstance(raw.get("code"), str) and raw["code"].strip():
        name = raw["code"].strip()
    where = f"{source}: {name}"
    before = len(errors)
    for key in sorted(set(raw) - ITEM_KEYS):
        errors.append(f"{where}: {key}: is not a menu field; use {', '.join(sorted(ITEM_KEYS))}")
    for key in sorted(ITEM_KEYS - set(raw)):
        errors.append(f"{where}: {key}: is missing")
    if "name" in raw and not (isinstance(raw["name"], str) and raw["name"].strip()):
        errors.append(f"{where}: name: must be the service's name as people read it")
    if "unit" in raw and raw["unit"] not in UNITS:
        errors.append(f"{where}: unit: {raw['unit']!r} is not a unit; use request or day")
    prices = _prices(raw.get("prices"), where, errors) if "prices" in raw else {}
    if len(errors) > before:
        return None
    return MenuItem(code=name, name=raw["name"].strip(), unit=raw["unit"], prices=prices)


def _prices(raw: Any, where: str, errors: list[str]) -> dict[tuple[str, str], int]:
    if not isinstance(raw, list) or not raw:
        errors.append(f"{where}: prices: expected a list of {{delivery, hours, points}}")
        return {}
    prices: dict[tuple[str, str], int] = {}
    for index, row in enumerate(raw):
        at = f"{where}: prices[{index}]"
        if not isinstance(row, dict) or set(row) != PRICE_KEYS:
            errors.append(f"{at}: expected {{delivery: onsite|remote, hours: standard|outside, points: N}}")
            continue
        if row["delivery"] not in DELIVERIES:
            errors.append(f"{at}.delivery: {row['delivery']!r} is not onsite or remote")
        if row["hours"] not in HOURS:
            errors.append(f"{at}.hours: {row['hours']!r} is not standard or outside")
        tenths = _points(row["points"], f"{at}.points", errors)
        key = (str(row["delivery"]), str(row["hours"]))
        if key in prices:
            errors.append(f"{at}: {key[0]}, {key[1]} hours is priced twice")
        elif tenths is not None:
            prices[key] = tenths
    return prices


def _points(raw: Any, where: str, errors: list[str]) -> int | None:
    """A price in whole points, as tenths: whole points keep the 50% surcharge exact in tenths (FC-DEC-3)."""
    try:
        value = None if isinstance(raw, bool) or raw is None else Decimal(str(raw))
    except InvalidOperation:
        value = None
    if value is None or value <= 0 or value % 1:
        errors.append(f"{where}: {raw!r} must be a whole number of points above 0, so that the 50% short-notice "
                      "surcharge stays exact in tenths (FC-DEC-3)")
        return None
    return int(value) * 10


def load_menu(path: Path | None = None) -> ServiceMenu:
    """The menu at `path` (FLEXCARE_SERVICE_MENU), or the shipped example menu."""
    chosen = path or SHIPPED_MENU
    return _load(str(chosen.resolve()), chosen.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _modified: int) -> ServiceMenu:
    # Cached per file and modification time: every `/flexcare points` reads the menu, the disk only once.
    return parse_menu(Path(path).read_text(encoding="utf-8"), source=Path(path).name)
