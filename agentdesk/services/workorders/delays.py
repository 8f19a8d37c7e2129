"""延时申请: an agent asks for a later deadline, a lead approves or rejects it.

An approval is an ``extend`` event in the order's history: ``resolve_by`` moves to the
approved moment, never earlier than it already was (see :mod:`.clocks`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.models import DelayRequest
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidInput
from agentdesk.services.rows import get_or_not_found
from agentdesk.services.text import clean_field
from agentdesk.services.workorders.clocks import clock_start, recompute_deadlines, warn_at
from agentdesk.services.workorders.common import (
    MAX_TEXT,
    DelayInfo,
    add_audit,
    add_event,
    bump,
    lock,
    require_open,
    trunc,
)
from agentdesk.services.workorders.rows import delay_infos
from agentdesk.vocab import DelayStatus, OrderEventKind


def request_delay(
    session: Session, order_id: int, *, actor: AgentInfo, reason: str, proposed_deadline: datetime
) -> DelayInfo:
    """延时申请: any agent; a reason, a deadline later than the current one, one pending per order."""
    reason = clean_field(reason, "reason", limit=MAX_TEXT, required=True)
    order = lock(session, order_id)
    require_open(order)
    if order.resolve_by is None:
        raise InvalidInput("workorder.no_deadline", number=order.number)
    proposed_deadline = trunc(proposed_deadline)
    if proposed_deadline <= order.resolve_by:
        raise InvalidInput("delay.not_later", field="proposed_deadline",
                           deadline=order.resolve_by.strftime("%Y-%m-%d %H:%M"))
    pending = session.execute(
        select(DelayRequest.id).where(col(DelayRequest.work_order_id) == order.id,
                                      col(DelayRequest.status) == DelayStatus.PENDING)
    ).first()
    if pending:
        raise InvalidInput("delay.pending_exists", number=order.number)
    assert order.id is not None and actor.id is not None
    now = clock.now()
    delay = DelayRequest(work_order_id=order.id, requested_by_id=actor.id, reason=reason,
                         proposed_deadline=proposed_deadline, status=DelayStatus.PENDING, created_at=now)
    session.add(delay)
    session.flush()
    add_event(session, order, OrderEventKind.DELAY_REQUEST, actor, now, request_id=delay.id, reason=reason,
              proposed_deadline=proposed_deadline)
    add_audit(session, OrderEventKind.DELAY_REQUEST, order, actor, request_id=delay.id, reason=reason,
              proposed_deadline=proposed_deadline)
    return delay_infos(session, [delay])[0]


def decide_delay(
    session: Session,
    request_id: int,
    *,
    actor: AgentInfo,
    approve: bool,
    note: str = "",
    policy: str | None = None,
) -> DelayInfo:
    """A lead approves or rejects a delay request; an approval moves ``resolve_by`` (never earlier).

    Anyone but a lead gets ``PermissionDenied``, before anything else is looked at.
    """
    require_lead(actor)
    note = clean_field(note, "note", limit=MAX_TEXT, required=False)
    delay = get_or_not_found(session, DelayRequest, request_id, "delay.not_found", with_for_update=True)
    if delay.status != DelayStatus.PENDING:
        raise InvalidInput("delay.already_decided", id=request_id, status=delay.status)
    order = lock(session, delay.work_order_id)
    now = clock.now()
    delay.status = DelayStatus.APPROVED if approve else DelayStatus.REJECTED
    delay.decided_by_id = actor.id
    delay.decided_at = now
    session.add(delay)
    if approve:
        current = order.resolve_by
        new_deadline = max(delay.proposed_deadline, current) if current else delay.proposed_deadline
        add_event(session, order, OrderEventKind.EXTEND, actor, now, new_deadline=new_deadline, request_id=delay.id,
                  note=note)
        session.flush()
        if policy:
            recompute_deadlines(session, order, policy)
        else:
            start = clock_start(session, order)
            order.resolve_by = new_deadline
            order.warn_at = warn_at(start, timedelta(0), new_deadline - start)
            session.add(order)
        add_audit(session, OrderEventKind.EXTEND, order, actor, request_id=delay.id, note=note,
                  resolve_by_before=current, resolve_by=order.resolve_by)
        bump(session, order)
    else:
        add_event(session, order, OrderEventKind.DELAY_REJECTED, actor, now, request_id=delay.id, note=note)
        add_audit(session, OrderEventKind.DELAY_REJECTED, order, actor, request_id=delay.id, note=note)
    session.flush()
    return delay_infos(session, [delay])[0]


def pending_delays(session: Session) -> list[DelayInfo]:
    """Delay requests waiting for a lead, oldest first."""
    delays = session.execute(
        select(DelayRequest).where(col(DelayRequest.status) == DelayStatus.PENDING)
        .order_by(col(DelayRequest.created_at), col(DelayRequest.id))
    ).scalars().all()
    return delay_infos(session, delays)
