"""The lead's pressure on an open order: urging the department (催办) and escalating it one
level (window → branch → province → national). Both are lead only."""

from __future__ import annotations

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import Department
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidInput
from agentdesk.services.text import clean_field
from agentdesk.services.workorders.common import MAX_TEXT, add_audit, add_event, bump, lock, require_open
from agentdesk.vocab import ESCALATION_LEVELS, OrderEventKind


def urge(session: Session, order_id: int, *, actor: AgentInfo, note: str) -> None:
    """催办: the lead urges the department on an open order (lead only)."""
    require_lead(actor)
    note = clean_field(note, "note", limit=MAX_TEXT, required=False)
    order = lock(session, order_id)
    require_open(order)
    now = clock.now()
    department = session.get(Department, order.department_id) if order.department_id else None
    add_event(session, order, OrderEventKind.URGE, actor, now, note=note,
              department=department.code if department else None)
    add_audit(session, OrderEventKind.URGE, order, actor, note=note, department_id=order.department_id)


def escalate(session: Session, order_id: int, *, actor: AgentInfo, reason: str) -> str:
    """Raise the order one level (window → branch → province → national). Lead only."""
    require_lead(actor)
    reason = clean_field(reason, "reason", limit=MAX_TEXT, required=True)
    order = lock(session, order_id)
    require_open(order)
    if order.escalation_level >= len(ESCALATION_LEVELS) - 1:
        raise InvalidInput("workorder.escalation_max", number=order.number, level=ESCALATION_LEVELS[-1])
    old = ESCALATION_LEVELS[max(order.escalation_level, 0)]
    order.escalation_level = max(order.escalation_level, 0) + 1
    new = ESCALATION_LEVELS[order.escalation_level]
    now = clock.now()
    add_event(session, order, OrderEventKind.ESCALATE, actor, now, reason=reason, **{"from": old, "to": new})
    add_audit(session, OrderEventKind.ESCALATE, order, actor, reason=reason, **{"from": old, "to": new})
    bump(session, order)
    return new
