"""Full phone numbers, shown only when the job needs them (calling a customer back), audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk.models import Callback, CustomerPhone
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import PermissionDenied
from agentdesk.services.rows import get_or_not_found


def reveal_callback_phone(session: Session, callback_id: int, *, actor: AgentInfo) -> str:
    """The number to dial for a callback the agent holds (or any, for a lead); written to the audit log."""
    cb = get_or_not_found(session, Callback, callback_id, "callback.not_found")
    if actor.role != "lead" and cb.claimed_by_id != actor.id:
        raise PermissionDenied("callback.not_yours", id=callback_id)
    number = cb.contact_phone
    if not number and cb.customer_id is not None:
        number = session.execute(
            select(col(CustomerPhone.phone)).where(col(CustomerPhone.customer_id) == cb.customer_id)
                .order_by(col(CustomerPhone.id))
            .limit(1)
        ).scalar_one_or_none()
    audit.record(session, "phone.unmask", actor_id=actor.id, entity="callback", entity_id=callback_id)
    return number or ""
