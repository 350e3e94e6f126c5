"""What people hear about a points request, as outbox rows written in the same transaction as the change.

The request is posted once to the contract's alerts channel (vendor staff accept or decline it
there, the requester can cancel it) and then updated in place as it moves. Params are plain JSON
facts; handlers/blocks/points.py renders them.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.contracts.channels import channel_for
from domain.contracts.records import Contract
from domain.errors import FlexcareError
from domain.notifications.service import enqueue, enqueue_update
from domain.points.records import ServiceRequest
from domain.words import _

REQUEST_CARD = "points_request"


def card_key(request: ServiceRequest) -> str:
    return f"points-request:{request.id}"


def alerts_channel(contract: Contract) -> str:
    """Where vendor staff see requests; a request nobody can see would never be decided."""
    channel = channel_for(contract, "alerts") or channel_for(contract, "incidents")
    if channel is None:
        raise FlexcareError(_("Contract %(contract)s has no alerts channel for vendor staff to see requests in. "
                              "Link one with `/flexcare link %(contract)s alerts` in that channel, then try again.",
                              contract=contract.id))
    return channel


def request_facts(request: ServiceRequest, contract: Contract, *, extra_tenths: int = 0) -> dict[str, Any]:
    """Everything the card shows; amounts in tenths (FC-DEC-3)."""
    return {
        "request_id": request.id, "contract": contract.id, "customer": contract.customer,
        "timezone": contract.timezone, "language": contract.language, "contract_year": request.contract_year,
        "item_code": request.item_code, "item_name": request.item_name, "unit": request.unit,
        "service_on": request.service_on.isoformat(), "days": request.days, "delivery": request.delivery,
        "hours": request.hours, "notes": request.notes[:500], "notice_days": request.notice_days,
        "base_tenths": request.base_tenths, "surcharge_tenths": request.surcharge_tenths,
        "extra_tenths": extra_tenths, "status": request.status,
        "requested_by": request.requested_by, "requested_at": request.requested_at.isoformat(),
        "decided_by": request.decided_by, "closed_by": request.closed_by,
    }


def request_posted(session: Session, *, contract: Contract, request: ServiceRequest, now: datetime) -> None:
    enqueue(session, key=card_key(request), channel=alerts_channel(contract), kind=REQUEST_CARD,
            params=request_facts(request, contract), now=now)


def request_moved(session: Session, *, contract: Contract, request: ServiceRequest, step: str, extra_tenths: int,
                  now: datetime) -> None:
    """The card, updated in place; `step` makes each move's row unique (a status, or an extra-days entry)."""
    enqueue_update(session, target_key=card_key(request), kind=REQUEST_CARD, key=f"{card_key(request)}:{step}",
                   params=request_facts(request, contract, extra_tenths=extra_tenths), now=now)
