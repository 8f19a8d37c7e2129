"""Stopping and restarting an order's clock: customer unreachable or not at home, then back.

Pausing stops every clock; resuming moves the stored deadlines later by the paused time,
from the history alone, unless a policy is given to recompute them (see :mod:`.clocks`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import WorkOrder
from agentdesk.policy import EXTEND, PAUSE, RESUME
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput
from agentdesk.services.rows import row_id
from agentdesk.services.text import clean_field
from agentdesk.services.workorders.clocks import clock_events, clock_start, order_paused, recompute_deadlines
from agentdesk.services.workorders.common import (
    MAX_TEXT,
    OrderRow,
    add_audit,
    add_event,
    bump,
    lock,
    require_open,
)
from agentdesk.services.workorders.rows import order_rows


def shift_after_resume(session: Session, order: WorkOrder, now: datetime) -> None:
    """Move the stored deadlines later by the pause that just ended (no policy needed)."""
    start = clock_start(session, order)
    events = clock_events(session, row_id(order), start)
    # The history now ends with the resume; the pause it closes is the last one before it.
    pause_at: datetime | None = None
    extend_at: datetime | None = None
    for ev in events[:-1] if events and events[-1].kind == RESUME else events:
        if ev.kind == PAUSE and pause_at is None:
            pause_at, extend_at = ev.at, None
        elif ev.kind == RESUME:
            pause_at, extend_at = None, None
        elif ev.kind == EXTEND and pause_at is not None and ev.new_deadline is not None:
            extend_at = ev.at
    if pause_at is None:
        return
    gap_other = now - max(pause_at, start)
    gap_resolve = now - max(extend_at or pause_at, start)
    for column in ("respond_by", "reply_by", "contact_by"):
        value = getattr(order, column)
        if value is not None:
            setattr(order, column, value + gap_other)
    if order.resolve_by is not None:
        order.resolve_by = order.resolve_by + gap_resolve
    if order.warn_at is not None:
        order.warn_at = order.warn_at + (gap_resolve if order.resolve_by is not None else gap_other)
    session.add(order)


def pause(session: Session, order_id: int, *, actor: AgentInfo, reason: str, policy: str | None = None) -> OrderRow:
    """Stop the clock: customer unreachable or not at home (seed 003 rule 5; seed 000 on-site rule 2)."""
    reason = clean_field(reason, "reason", limit=MAX_TEXT, required=True)
    order = lock(session, order_id)
    require_open(order)
    if order_paused(session, order):
        raise InvalidInput("workorder.already_paused", number=order.number)
    now = clock.now()
    add_event(session, order, PAUSE, actor, now, reason=reason)
    session.flush()
    if policy:
        recompute_deadlines(session, order, policy)
    add_audit(session, PAUSE, order, actor, reason=reason)
    bump(session, order)
    session.flush()
    return order_rows(session, [order])[0]


def resume(session: Session, order_id: int, *, actor: AgentInfo, policy: str | None = None) -> OrderRow:
    """Run the clock again; the deadlines move later by the paused time."""
    order = lock(session, order_id)
    require_open(order)
    if not order_paused(session, order):
        raise InvalidInput("workorder.not_paused", number=order.number)
    now = clock.now()
    before = order.resolve_by
    add_event(session, order, RESUME, actor, now)
    session.flush()
    if policy:
        recompute_deadlines(session, order, policy)
    else:
        shift_after_resume(session, order, now)
    add_audit(session, RESUME, order, actor, resolve_by_before=before, resolve_by=order.resolve_by)
    bump(session, order)
    session.flush()
    return order_rows(session, [order])[0]
