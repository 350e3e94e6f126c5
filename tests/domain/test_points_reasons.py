"""The ledger's reasons in the contract's language (issue 10), on a real database (SQLite and PostgreSQL).

The ledger is the contract's shared record: a zh-TW contract's entries read in Chinese whoever wrote them (here
people speaking English), with what people typed kept verbatim; an English contract's read exactly as they always
have (FC-PTS-1, FC-PTS-4, FC-PTS-5, FC-DEC-1, FC-DEC-4).
"""

import copy
from datetime import date, timedelta
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from domain.contracts import service as contracts
from domain.contracts.records import Contract
from domain.contracts.spec import parse_contract_file
from domain.points import history, ledger
from domain.points import service as points
from domain.points.records import PointsEntry
from domain.words import speaking
from handlers.blocks.points import entry_line
from tests.domain.points_setup import ACME, ADMIN, MENU, NOW, VENDOR, coaching, entries, service_days

IN_20_DAYS = date(2026, 12, 19)  # short notice: 50% more (FC-PTS-4)
IN_22_DAYS = date(2026, 12, 21)
AFTER_YEAR_1 = NOW + timedelta(days=40)  # 2027-01-08
# Like FORMOSA-FC-07 in examples/contracts.yml: a Taiwanese customer whose contract speaks zh-TW.
FORMOSA: dict[str, Any] = copy.deepcopy(ACME) | {
    "id": "FORMOSA-FC-07", "customer": "Formosa Semiconductor", "language": "zh-TW",
    "location": {"country": "TW", "timezone": "Asia/Taipei"},
    "channels": {"incidents": "C0INCID2", "alerts": "C0ALERT2"},
}


def import_contract(db: sessionmaker[Session], spec: dict[str, Any], **changes: Any) -> None:
    text = yaml.safe_dump({"contracts": [copy.deepcopy(spec) | changes]}, sort_keys=False)
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(text, source="contracts.yml"),
                                   source="contracts.yml", now=NOW)


def a_year_of_requests(db: sessionmaker[Session], contract_id: str) -> tuple[int, int]:
    """Book two requests, add extra days, cancel one, let the year end, then decline the other (FC-DEC-1)."""
    with speaking("en"), db.begin() as session:  # the people acting read English; the ledger follows the contract
        contract = session.get_one(Contract, contract_id)
        short = points.request_service(session, contract=contract, menu=MENU, form=coaching(IN_20_DAYS), by=ADMIN,
                                       now=NOW, key="k1").id
        days = points.request_service(session, contract=contract, menu=MENU, form=service_days(IN_22_DAYS, 2),
                                      by=ADMIN, now=NOW, key="k2").id
        points.charge_extra_days(session, request_id=days, menu=MENU, days=2, reason=" 400 managed nodes ",
                                 by=VENDOR, now=NOW, key="x1")
        points.cancel_request(session, request_id=short, by=ADMIN, now=NOW)
    with speaking("en"), db.begin() as session:
        ledger.expire_year(session, contract=session.get_one(Contract, contract_id), number=1, now=AFTER_YEAR_1)
        points.decline_request(session, request_id=days, by=VENDOR, now=AFTER_YEAR_1)
    return short, days


def written(db: sessionmaker[Session]) -> list[tuple[str, str]]:
    return [(e.kind, e.reason) for e in entries(db)]


def test_a_zh_tw_contracts_ledger_reasons_are_chinese_whoever_wrote_them(db: sessionmaker[Session]) -> None:
    import_contract(db, FORMOSA)
    short, days = a_year_of_requests(db, "FORMOSA-FC-07")
    assert written(db) == [
        ("purchase", "合約年度 1 購買點數 120 點"),
        ("purchase", "合約年度 2 購買點數 100 點"),
        ("reservation", "2026年12月19日 的 New-feature usage and configuration coaching（1 次，遠端，標準服務時間）："
                        "點數 3 點，另因未提前三週通知加收 1.5 點（提前 20 天通知，FC-PTS-4）"),
        ("reservation", "2026年12月21日 的 Technical service day（2 天，遠端，標準服務時間）：點數 14 點"),
        ("extra_days", f"申請 {days} 新增額外工作天數 2 天（FC-PTS-5）：400 managed nodes"),
        ("release", f"申請 {short} 已取消"),
        ("expiry", "合約年度 1 已於 2026年12月31日 結束，未使用點數到期（FC-PTS-1）"),
        ("release", f"申請 {days} 已遭拒絕"),
        ("expiry", f"申請 {days} 在合約年度 1 結束後遭拒絕（FC-DEC-1）"),
    ]


def test_an_english_contracts_ledger_reasons_are_unchanged(db: sessionmaker[Session]) -> None:
    import_contract(db, ACME)
    short, days = a_year_of_requests(db, "ACME-FC-01")
    assert written(db) == [
        ("purchase", "120 points bought for contract year 1"),
        ("purchase", "100 points bought for contract year 2"),
        ("reservation", "New-feature usage and configuration coaching on 2026-12-19 (1 x request, remote, standard "
                        "hours): 3 + 1.5 short-notice surcharge (20 days' notice, FC-PTS-4)"),
        ("reservation", "Technical service day on 2026-12-21 (2 x day, remote, standard hours): 14"),
        ("extra_days", f"2 extra day(s) on request {days} (FC-PTS-5): 400 managed nodes"),
        ("release", f"request {short} cancelled"),
        ("expiry", "contract year 1 ended on 2026-12-31 (FC-PTS-1)"),
        ("release", f"request {days} declined"),
        ("expiry", f"request {days} declined after contract year 1 ended (FC-DEC-1)"),
    ]


def test_fc_dec_4_corrections_and_cash_out_read_in_the_contracts_language(db: sessionmaker[Session]) -> None:
    bought = [{"year": 1, "points": 150.5}, {"year": 2, "points": 100}]
    import_contract(db, FORMOSA)
    import_contract(db, FORMOSA, points=bought, cashout_required=True)  # local law: unused points are owed
    with speaking("en"), db.begin() as session:
        ledger.cash_out(session, contract=session.get_one(Contract, "FORMOSA-FC-07"), number=2,
                        approval_reference="LAW-1", operator="ops", now=AFTER_YEAR_1, tenths=100)
    import_contract(db, FORMOSA, points=bought)
    purchase = entries(db)[0]
    with speaking("en"), db.begin() as session:
        formosa = session.get_one(Contract, "FORMOSA-FC-07")
        ledger.expire_year(session, contract=formosa, number=1, now=AFTER_YEAR_1)
        correction = ledger.correct(session, contract=formosa, corrects_id=purchase.id, tenths=50,
                                    reason="late top-up", by="ops", now=AFTER_YEAR_1, key="c2")
    assert written(db)[2:] == [
        ("correction", "合約檔案將合約年度 1 的點數由 120 點改為 150.5 點"),
        ("cashout", "兌現未使用點數，核准編號 LAW-1（FC-DEC-4）"),
        ("expiry", "合約年度 1 已於 2026年12月31日 結束，未使用點數到期（FC-PTS-1）"),
        ("correction", "late top-up"),  # typed by the operator: kept as written
        ("expiry", f"更正 {correction.id} 為合約年度 1 增加了點數，但該合約年度已結束"),
    ]


def test_history_lines_name_the_contract_file_and_flexcare_in_the_readers_words(db: sessionmaker[Session]) -> None:
    import_contract(db, FORMOSA)
    import_contract(db, ACME)
    with db.begin() as session:
        ledger.expire_year(session, contract=session.get_one(Contract, "FORMOSA-FC-07"), number=1, now=AFTER_YEAR_1)
    with db() as session:
        formosa = history.history(session, session.get_one(Contract, "FORMOSA-FC-07"), year=1).entries
        acme = history.history(session, session.get_one(Contract, "ACME-FC-01"), year=1).entries
        csv = history.ledger_csv(history.year_entries(session, session.get_one(Contract, "FORMOSA-FC-07"), 1))
    with speaking("zh-TW"):
        zh = [line(e, "Asia/Taipei") for e in formosa]
    with speaking("en"):
        en = [line(e, "Europe/London") for e in acme]
    assert zh == ["到期 · 點數 -120 · 合約年度 1 · FlexCare · "
                  "合約年度 1 已於 2026年12月31日 結束，未使用點數到期（FC-PTS-1）",
                  "購買 · 點數 +120 · 合約年度 1 · 合約檔案 · 合約年度 1 購買點數 120 點"]
    assert en == ["Purchase · +120 points · year 1 · contract file · 120 points bought for contract year 1"]
    assert "合約年度 1 購買點數 120 點" in csv  # the CSV carries the ledger's own words


def line(entry: PointsEntry, zone: str) -> str:
    """A history line without its time (the clock's format is tested with the formats)."""
    return entry_line(entry, zone).split(" · ", 1)[1]


def test_a_zh_tw_reason_stays_chinese_for_a_reader_of_another_language(db: sessionmaker[Session]) -> None:
    import_contract(db, FORMOSA)
    [purchase, _] = entries(db)
    with speaking("en"):
        shown = entry_line(purchase, "Asia/Taipei")
    assert shown.endswith("· contract file · 合約年度 1 購買點數 120 點")  # the shared record, as written
