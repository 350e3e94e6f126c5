"""Account management on real databases (issue 9): who a notice reaches, the acknowledgement reminder on each
contract's business calendar, stale documents, onboarding started once. Contracts: examples/contracts.yml."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.account import documents, notices, onboarding, rules
from domain.account.records import AccountDocument, NoticeDelivery, OnboardingItem
from domain.calendar import ServiceCalendar
from domain.contracts import service as contracts
from domain.contracts.records import Contract, ContractOption
from domain.contracts.spec import parse_contract_file
from domain.errors import NotAllowed
from domain.notifications.records import Notification
from scheduler.account_sweeps import sweep_account
from tests.e2e.harness import EXAMPLES, import_examples

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PATCH = notices.NewNotice(product="Operations Bridge", kind="critical_patch", severity="critical",
                          title="OpsB 24.2 patch 3", details="Fixes event loss under load.",
                          link="https://support.example.com/opsb-24-2-p3", data_loss_risk=True)


def option(kind: str, person: str, **scope: str) -> ContractOption:
    return ContractOption(position=0, type=kind, person=person, **scope)


@pytest.mark.parametrize(("options", "product", "covered"), [
    ([option("TAM", "U1", product_family="Operations Bridge")], "operations bridge", True),
    ([option("TAM", "U1", product_family="Operations Bridge")], "Data Protector", False),
    ([option("AGSM", "U1")], "Data Protector", True),  # FC-CON-4: every product solution under FlexCare
    ([option("ESM", "U1", product_solution="Data Protection")], "Data Protection", True),
    ([option("TAM", "U1", product_family="Operations Bridge")], " ", False),
])
def test_fc_inc_9_a_notice_covers_the_contracts_whose_options_name_the_product(
        options: list[ContractOption], product: str, covered: bool) -> None:
    assert rules.covers(options, product) is covered


def test_fc_inc_9_the_tam_of_the_product_plans_and_the_esm_or_else_the_agsm_notifies() -> None:
    options = [option("TAM", "T1", product_family="A"), option("TAM", "T2", product_family="B"),
               option("AGSM", "G1")]
    assert rules.notice_people(options, "B") == (["T2"], ["G1"])
    assert rules.notice_people(options, "C") == (["T1", "T2"], ["G1"])


@pytest.mark.parametrize(("zone_contract", "sent", "due"), [
    # London, Monday 09:00 -> Wednesday 09:00 (two business days of 08:00-17:00)
    ("ACME-FC-01", datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    # London, Wed 23 Dec 10:00: 7 h that day, 4 h on 24 Dec (closes at 12:00), 25 and 28 Dec are holidays, then
    # 7 h on Tue 29 Dec: business days are counted as service time, so a half day counts as half
    ("ACME-FC-01", datetime(2026, 12, 23, 10, 0, tzinfo=UTC), datetime(2026, 12, 29, 15, 0, tzinfo=UTC)),
    # Taipei, Saturday: counted from Monday's opening, due at Tuesday's close
    ("FORMOSA-FC-07", datetime(2026, 12, 5, 2, 0, tzinfo=UTC), datetime(2026, 12, 8, 9, 0, tzinfo=UTC)),
])
def test_fc_inc_9_acknowledgement_is_due_after_two_business_days_of_the_contracts_calendar(
        db: sessionmaker[Session], zone_contract: str, sent: datetime, due: datetime) -> None:
    import_examples(db, MONDAY)
    with db() as session:
        contract = session.get_one(Contract, zone_contract)
        span = timedelta(hours=9)
        assert rules.acknowledgement_due(ServiceCalendar.business_hours_for(contract), day_span=span,
                                         sent_at=sent) == due


def test_fc_inc_9_a_notice_reaches_every_covering_contract_and_no_other(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    with db.begin() as session:
        notice = notices.send_notice(session, new=PATCH, sent_by="U0ESM001", team_id=None, idempotency_key="v1",
                                     now=MONDAY)
        again = notices.send_notice(session, new=PATCH, sent_by="U0ESM001", team_id=None, idempotency_key="v1",
                                    now=MONDAY)
        assert again.id == notice.id
    with db() as session:
        reached = {(d.contract_id, d.channel, d.tams, d.esms) for d in session.scalars(select(NoticeDelivery))}
        cards = sorted(n.channel for n in session.scalars(select(Notification).where(
            Notification.kind == notices.CARD)))
    # HUDSON's AGSM covers every product solution (FC-CON-4); FORMOSA covers Data Protector only.
    assert reached == {("ACME-FC-01", "C0ALERT1", "U0TAM001", "U0ESM001"),
                       ("HUDSON-FC-03", "C0ALERT3", "U0TAM003", "U0AGSM03")}
    assert cards == ["C0ALERT1", "C0ALERT3"]


def test_a_customer_may_not_send_a_notice(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    with db.begin() as session, pytest.raises(NotAllowed, match="Only vendor staff"):
        notices.send_notice(session, new=PATCH, sent_by="U0MEMB01", team_id=None, idempotency_key="v1", now=MONDAY)


def test_fc_inc_9_the_reminder_is_written_once_when_two_business_days_passed(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    with db.begin() as session:
        notices.send_notice(session, new=PATCH, sent_by="U0ESM001", team_id=None, idempotency_key="v1", now=MONDAY)

    def reminders() -> list[str]:
        with db() as session:
            return sorted(n.channel for n in session.scalars(select(Notification).where(
                Notification.kind == notices.REMINDER)))

    # HUDSON got it at 04:00 in New York: its 2 business days run Monday 08:00 to Tuesday 17:00 (22:00 UTC).
    sweep_account(db, lambda: datetime(2026, 12, 1, 21, 59, tzinfo=UTC))
    assert reminders() == []
    sweep_account(db, lambda: datetime(2026, 12, 1, 22, 0, tzinfo=UTC))
    assert reminders() == ["C0ALERT3"]
    sweep_account(db, lambda: datetime(2026, 12, 2, 8, 59, tzinfo=UTC))
    assert reminders() == ["C0ALERT3"]
    sweep_account(db, lambda: datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # ACME: Monday 09:00 to Wednesday 09:00
    sweep_account(db, lambda: datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    assert reminders() == ["C0ALERT1", "C0ALERT3"]


def test_fc_rev_onboarding_starts_once_per_contract_and_not_on_re_import(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    assert sweep_account(db, lambda: MONDAY) == 3 + 4 + 3 + 3 + 2 + 3  # welcomes per channel, checklists per staff
    assert sweep_account(db, lambda: MONDAY) == 0
    changed = EXAMPLES.read_text(encoding="utf-8").replace("ACME Manufacturing", "ACME Manufacturing plc")
    specs = parse_contract_file(changed, source="changed.yml")
    with db.begin() as session:
        report = contracts.import_contracts(session, specs, source="changed.yml", now=MONDAY + timedelta(days=1))
    assert report.updated == ["ACME-FC-01"]
    assert sweep_account(db, lambda: MONDAY + timedelta(days=1)) == 0
    with db() as session:
        assert len(list(session.scalars(select(OnboardingItem)))) == 3 * 4
        kinds = {(d.contract_id, d.kind, d.owner) for d in session.scalars(select(AccountDocument))}
    assert ("ACME-FC-01", "support_plan", "U0ESM001") in kinds and ("HUDSON-FC-03", "support_plan", "U0AGSM03") in kinds
    assert ("FORMOSA-FC-07", "operational_profile", "U0TAM002") in kinds


def test_fc_rev_a_stale_document_is_reminded_once_per_stale_period(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    with db.begin() as session:
        acme = session.get_one(Contract, "ACME-FC-01")
        documents.update_link(session, contract=acme, kind="support_plan", link="https://docs.example.com/plan",
                              actor="U0ESM001", now=MONDAY)

    def stale() -> int:
        with db() as session:
            return len(list(session.scalars(select(Notification).where(Notification.kind == documents.STALE))))

    sweep_account(db, lambda: MONDAY + timedelta(days=89))
    assert stale() == 0
    sweep_account(db, lambda: MONDAY + timedelta(days=90))
    sweep_account(db, lambda: MONDAY + timedelta(days=120))
    assert stale() == 1
    reviewed = MONDAY + timedelta(days=121)
    with db.begin() as session:
        documents.mark_reviewed(session, contract=session.get_one(Contract, "ACME-FC-01"), kind="support_plan",
                                actor="U0ESM001", now=reviewed)
    sweep_account(db, lambda: reviewed + timedelta(days=1))
    assert stale() == 1
    changed = EXAMPLES.read_text(encoding="utf-8").replace("U0MEMB02]", "U0MEMB02, U0MEMB09]")
    with db.begin() as session:
        contracts.import_contracts(session, parse_contract_file(changed, source="c.yml"), source="c.yml",
                                   now=reviewed + timedelta(days=2))
    sweep_account(db, lambda: reviewed + timedelta(days=3))
    sweep_account(db, lambda: reviewed + timedelta(days=4))
    assert stale() == 2


def test_only_the_owner_roles_keep_a_document(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    with db.begin() as session, pytest.raises(NotAllowed, match=r"kept by <@U0TAM001>"):
        documents.update_link(session, contract=session.get_one(Contract, "ACME-FC-01"), kind="operational_profile",
                              link="https://x.example.com", actor="U0NASE01", now=MONDAY)


@pytest.mark.parametrize(("days", "week"), [(13, None), (14, 1), (20, 1), (21, 2)])
def test_fc_rev_open_onboarding_items_are_reminded_weekly_from_two_weeks(days: int, week: int | None) -> None:
    assert rules.onboarding_reminder_week(MONDAY, MONDAY + timedelta(days=days)) == week


def test_fc_rev_onboarding_reminder_once_a_week_while_items_stay_open(db: sessionmaker[Session]) -> None:
    import_examples(db, MONDAY)
    sweep_account(db, lambda: MONDAY)
    with db.begin() as session:
        formosa = session.get_one(Contract, "FORMOSA-FC-07")
        for item in ("welcome_call", "kickoff_date", "support_plan_linked", "operational_profile_linked"):
            onboarding.tick(session, contract=formosa, item=item, actor="U0TAM002", now=MONDAY)
    later = MONDAY + timedelta(days=14)
    assert sweep_account(db, lambda: later) == 4 + 3  # ACME's and HUDSON's vendor staff; FORMOSA is done
    assert sweep_account(db, lambda: later + timedelta(days=1)) == 0
