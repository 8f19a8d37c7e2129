"""The order's clocks: read from its history, recomputed, and the badge the queues show.

The deadline columns of ``work_orders`` are the *effective* ones (pauses and approved delays
applied), so queues sort and filter by stored, indexed columns:

* the clock starts at ``created_at``, or at the latest reopen;
* ``pause`` (customer unreachable / not at home) stops every clock; while paused the stored
  deadlines are those of the moment the clock stopped, and the badge says "paused";
  ``resume`` moves them later by the paused time;
* an approved delay (``extend`` event) moves ``resolve_by`` to the approved moment — never
  earlier than it already was;
* ``warn_at`` is the moment 75 % of the allowed (unpaused) time of the final clock is used
  (``services.deadlines.WARN_RATIO``, the same rule the order was created with).

``pause`` / ``resume`` (:mod:`.pausing`) and ``decide_delay`` update the stored columns
incrementally from the history, so they need no policy; given ``policy=`` they rebuild
everything with :func:`recompute_deadlines` instead (both give the same result — a test checks).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.models import WorkOrder, WorkOrderEvent
from agentdesk.policy import EXTEND, PAUSE, RESUME, StatusEvent, evaluate
from agentdesk.services.deadlines import WARN_RATIO, work_order_deadlines
from agentdesk.services.rows import get_or_not_found, row_id
from agentdesk.services.workorders.common import DONE_STATUSES, trunc
from agentdesk.vocab import Badge, OrderEventKind

_CLOCK_COLUMNS = ("respond_by", "reply_by", "contact_by", "resolve_by")
_FINAL_CLOCKS = ("resolve_by", "reply_by", "respond_by")  # the warning follows the first present


def clock_start(session: Session, order: WorkOrder) -> datetime:
    """When the order's clocks started: the latest reopen, else its creation."""
    reopened = session.execute(
        select(WorkOrderEvent.at)
        .where(col(WorkOrderEvent.work_order_id) == order.id, col(WorkOrderEvent.kind) == OrderEventKind.REOPEN)
        .order_by(col(WorkOrderEvent.at).desc(), col(WorkOrderEvent.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    return reopened or order.created_at


def clock_events(session: Session, order_id: int, start: datetime) -> list[StatusEvent]:
    """pause / resume / extend since ``start``, oldest first, as policy StatusEvents."""
    rows = session.execute(
        select(WorkOrderEvent.at, WorkOrderEvent.kind, WorkOrderEvent.detail)
        .where(col(WorkOrderEvent.work_order_id) == order_id, col(WorkOrderEvent.kind).in_((PAUSE, RESUME, EXTEND)),
               col(WorkOrderEvent.at) >= start)
        .order_by(col(WorkOrderEvent.at), col(WorkOrderEvent.id))
    ).all()
    out: list[StatusEvent] = []
    for at, kind, detail in rows:
        if kind == EXTEND:
            data = json.loads(detail or "{}")
            raw = data.get("new_deadline")
            out.append(StatusEvent(at, EXTEND, new_deadline=datetime.fromisoformat(raw) if raw else None))
        else:
            out.append(StatusEvent(at, kind))
    return out


def running_pause(events: Sequence[StatusEvent]) -> datetime | None:
    """When the current pause began, or None when the clock runs."""
    since: datetime | None = None
    for ev in events:
        if ev.kind == PAUSE and since is None:
            since = ev.at
        elif ev.kind == RESUME:
            since = None
    return since


def order_paused(session: Session, order: WorkOrder) -> bool:
    return running_pause(clock_events(session, row_id(order), clock_start(session, order))) is not None


def _frozen(events: list[StatusEvent]) -> list[StatusEvent]:
    """While paused, stored deadlines are those of the moment the clock last stopped: close the
    running pause at the last event (the pause, or an extend approved during it)."""
    if running_pause(events) is None or not events:
        return events
    return [*events, StatusEvent(events[-1].at, RESUME)]


def is_paused(session: Session, order_id: int) -> bool:
    order = get_or_not_found(session, WorkOrder, order_id, "workorder.not_found")
    return order_paused(session, order)


def paused_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    rows = session.execute(
        select(WorkOrderEvent.work_order_id, WorkOrderEvent.kind)
        .where(col(WorkOrderEvent.work_order_id).in_(ids), col(WorkOrderEvent.kind).in_((PAUSE, RESUME)))
        .order_by(col(WorkOrderEvent.at), col(WorkOrderEvent.id))
    ).all()
    last: dict[int, str] = {}
    for order_id, kind in rows:
        last[order_id] = kind
    return {order_id for order_id, kind in last.items() if kind == PAUSE}


def paused_clause() -> ColumnElement[bool]:
    """SQL: the order has a pause with no later resume (used to keep paused orders out of the
    overdue and warning lists; their clock is stopped)."""
    pause_ev = aliased(WorkOrderEvent)
    resume_ev = aliased(WorkOrderEvent)
    later_resume = exists().where(col(resume_ev.work_order_id) == col(pause_ev.work_order_id),
                                  col(resume_ev.kind) == RESUME, col(resume_ev.id) > col(pause_ev.id))
    return exists().where(col(pause_ev.work_order_id) == col(WorkOrder.id), col(pause_ev.kind) == PAUSE,
                          ~later_resume)


def warn_at(start: datetime, paused_for: timedelta, allowed: timedelta) -> datetime:
    if allowed <= timedelta(0):
        return trunc(start + paused_for)
    return trunc(start + paused_for + allowed * WARN_RATIO)


def recompute_deadlines(session: Session, order: WorkOrder, policy: str) -> dict[str, datetime | None]:
    """Rebuild the stored deadline columns: the policy's clocks from the clock start, then the
    pauses and approved extensions replayed from the order's history. Returns the columns."""
    start = clock_start(session, order)
    done_at = order.resolved_at if order.status in DONE_STATUSES else None
    base = work_order_deadlines(policy, order.kind, order.severity, order.area_class, order.tier, start,
                                done_at=done_at)
    events = clock_events(session, row_id(order), start)
    no_extend = [e for e in events if e.kind != EXTEND]
    now = max(clock.now(), start)
    out: dict[str, datetime | None] = {}
    states = {}
    for column in _CLOCK_COLUMNS:
        deadline = base.get(column)
        if deadline is None:
            out[column] = None
            continue
        evs = _frozen(events if column == "resolve_by" else no_extend)
        state = evaluate(start, deadline, evs, now, WARN_RATIO)
        states[column] = state
        out[column] = state.deadline
    out["callback_by"] = base.get("callback_by") if done_at else None
    final = next((c for c in _FINAL_CLOCKS if c in states), None)
    out["warn_at"] = warn_at(start, states[final].paused_for, states[final].allowed) if final else None
    for column, value in out.items():
        setattr(order, column, value)
    session.add(order)
    return out


def badge(order: WorkOrder, now: datetime, paused: bool) -> Badge:
    if order.status in DONE_STATUSES:
        return Badge.DONE
    if paused:
        return Badge.PAUSED
    if order.resolve_by is not None:
        if now > order.resolve_by:
            return Badge.OVERDUE
        if order.warn_at is not None and order.warn_at <= now:
            return Badge.WARNING
        return Badge.ON_TIME
    if order.warn_at is not None and order.warn_at <= now:
        return Badge.WARNING
    return Badge.ON_TIME
