"""The customer support plan and the account operational profile (FC-REV): a link per contract kept current by its
owner, who is reminded once per stale period: `stale_after` (90 days by default) since the last review, or the
contract's options or people changed since then (its history in domain.contracts).
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import Action, require
from domain.account import rules
from domain.account.records import DOCUMENT_KINDS, AccountDocument
from domain.contracts.channels import channel_for
from domain.contracts.records import Contract, ContractEvent
from domain.errors import FlexcareError, NotAllowed
from domain.notifications.service import by_key, enqueue
from domain.words import _

STALE = "account_document_stale"
# The history kinds that change the contract's options or people: an import that changed the file, an ESM scope
# change (FC-CON-5), a transfer to a migrated product (FC-CON-7).
CHANGE_KINDS = ("updated", "esm_scope_changed", "transferred")


def ensure_documents(session: Session, *, contract: Contract) -> list[AccountDocument]:
    """The contract's documents, one row per kind whose owner role it bought (FC-REV), created on first use."""
    stored = {d.kind: d for d in session.scalars(select(AccountDocument).where(
        AccountDocument.contract_id == contract.id))}
    for kind in DOCUMENT_KINDS:
        owner = rules.document_owner(contract.options, kind)
        if kind not in stored and owner is not None:
            stored[kind] = AccountDocument(contract_id=contract.id, kind=kind, owner=owner)
            session.add(stored[kind])
    session.flush()
    return [stored[k] for k in DOCUMENT_KINDS if k in stored]


def update_link(session: Session, *, contract: Contract, kind: str, link: str, actor: str,
                now: datetime) -> AccountDocument:
    """A new link; the first link also starts the first review period (a document just written is current)."""
    document = _owned(session, contract, kind, actor)
    link = link.strip()
    if not link.startswith(("https://", "http://")) or len(link) > rules.LINK_MAX:
        raise FlexcareError(_("Give the document's web address, starting with https://."))
    document.link, document.updated_by, document.updated_at = link, actor, now
    if document.reviewed_at is None:
        document.reviewed_by, document.reviewed_at = actor, now
    return document


def mark_reviewed(session: Session, *, contract: Contract, kind: str, actor: str, now: datetime) -> AccountDocument:
    """Reviewed today: a new review period starts, and with it a new stale reminder may follow one day."""
    document = _owned(session, contract, kind, actor)
    if document.link is None:
        raise FlexcareError(_("Link the document first: `/flexcare plan %(kind)s LINK`.", kind=_kind_word(kind)))
    document.reviewed_by, document.reviewed_at = actor, now
    return document


def last_change(session: Session, contract_id: str) -> datetime | None:
    return session.scalar(select(func.max(ContractEvent.at)).where(
        ContractEvent.contract_id == contract_id, ContractEvent.kind.in_(CHANGE_KINDS)))


def document_facts(document: AccountDocument, contract: Contract, *, changed_at: datetime | None, now: datetime,
                   stale_after: timedelta = rules.DEFAULT_STALE_AFTER) -> dict[str, Any]:
    reason = (rules.stale_reason(reviewed_at=document.reviewed_at, changed_at=changed_at, now=now,
                                 stale_after=stale_after) if document.reviewed_at is not None else None)
    return {"contract": contract.id, "kind": document.kind, "owner": document.owner, "link": document.link,
            "reviewed_by": document.reviewed_by, "timezone": contract.timezone, "language": contract.language,
            "reviewed_at": document.reviewed_at.isoformat() if document.reviewed_at else None,
            "stale": reason, "stale_after_days": stale_after.days}


def contracts_with_reviewed_documents(session: Session) -> list[str]:
    return list(session.scalars(select(AccountDocument.contract_id).where(
        AccountDocument.reviewed_at.is_not(None)).distinct().order_by(AccountDocument.contract_id)))


def stale_key(document: AccountDocument) -> str:
    # The stale period is identified by the review that began it, so there is one reminder per period.
    reviewed = document.reviewed_at.timestamp() if document.reviewed_at is not None else 0
    return f"account-doc:{document.id}:stale:{int(reviewed)}"


def enqueue_stale_reminders(session: Session, *, contract: Contract, now: datetime,
                            stale_after: timedelta = rules.DEFAULT_STALE_AFTER) -> int:
    """One reminder to the owner, in the reviews channel (else by direct message), per stale period (FC-REV)."""
    changed_at = last_change(session, contract.id)
    written = 0
    for document in session.scalars(select(AccountDocument).where(AccountDocument.contract_id == contract.id,
                                                                  AccountDocument.reviewed_at.is_not(None))):
        facts = document_facts(document, contract, changed_at=changed_at, now=now, stale_after=stale_after)
        if facts["stale"] is None or by_key(session, stale_key(document)) is not None:
            continue
        enqueue(session, key=stale_key(document), channel=channel_for(contract, "reviews") or document.owner,
                kind=STALE, params=facts, now=now)
        written += 1
    return written


def _owned(session: Session, contract: Contract, kind: str, actor: str) -> AccountDocument:
    require(contract, actor, Action.KEEP_DOCUMENTS)
    document = next((d for d in ensure_documents(session, contract=contract) if d.kind == kind), None)
    if document is None:
        raise FlexcareError(_("Contract %(contract)s has no %(document)s: it bought no option that delivers it "
                              "(FC-REV).", contract=contract.id, document=_kind_word(kind)))
    holders = {o.person for o in contract.options if o.type in rules.DOCUMENT_OWNERS[kind]}
    if actor != document.owner and actor not in holders:
        raise NotAllowed(_("The %(document)s of %(contract)s is kept by <@%(owner)s>. Ask them.",
                           document=_kind_word(kind), contract=contract.id, owner=document.owner))
    return document


def _kind_word(kind: str) -> str:
    return {"support_plan": _("support plan"), "operational_profile": _("operational profile")}.get(kind, kind)
