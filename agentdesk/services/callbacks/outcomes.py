"""Recording how a callback went, and giving a claimed one back.

Outcomes (:func:`record_outcome`):

* ``satisfied`` — satisfaction 1–5 kept; the linked order is closed;
* ``unsatisfied`` — with ``reopen=True`` the linked order is reopened (back to in_progress,
  clocks restart); when there is no linked order, it is not in a reopenable state, or
  ``reopen=False``, a **new** work order is opened (same customer, kind and department; a
  complaint when the callback had no order) and the old order, if any, is closed pointing
  at it;
* ``unreachable`` — one more attempt; retried +2 h, then the next working day 10:00, then
  +1 day each time; after ``MAX_ATTEMPTS`` (3) failed attempts the callback is closed as
  unreachable and the linked order closed with that reason.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import Callback, Customer, WorkOrder, WorkOrderEvent
from agentdesk.policy import load_policy
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.callbacks.rows import CallbackRow, callback_rows
from agentdesk.services.deadlines import work_order_deadlines
from agentdesk.services.errors import InvalidInput, PermissionDenied
from agentdesk.services.messages import Message, loads, message
from agentdesk.services.rows import get_or_not_found
from agentdesk.services.text import clean_field

# A module, not its names: the life cycle imports callbacks.after_order, so this package can be
# loading while lifecycle is still half-way through its own imports.
from agentdesk.services.workorders import lifecycle
from agentdesk.vocab import (
    AWAITING_CALLBACK_STATUSES,
    DONE_ORDER_STATUSES,
    OPEN_CALLBACK_STATUSES,
    OPEN_ORDER_STATUSES,
    CallbackOutcome,
    CallbackStatus,
    OrderEventKind,
    WorkOrderStatus,
)

OUTCOMES: tuple[CallbackOutcome, ...] = tuple(CallbackOutcome)
MAX_ATTEMPTS = 3
RETRY_FIRST = timedelta(hours=2)
RETRY_NEXT_DAY_AT = (10, 0)
RETRY_LATER = timedelta(days=1)
MAX_TEXT = 4000


def _lock(session: Session, callback_id: int) -> Callback:
    cb = get_or_not_found(session, Callback, callback_id, "callback.not_found", with_for_update=True)
    return cb


def _require_holder(cb: Callback, actor: AgentInfo) -> None:
    """Only the agent who claimed it, or a lead, may act on a callback."""
    if cb.status not in OPEN_CALLBACK_STATUSES:
        raise InvalidInput("callback.not_open", id=cb.id, status=cb.status)
    if actor.role == "lead":
        return
    if cb.status != CallbackStatus.CLAIMED or cb.claimed_by_id != actor.id:
        raise PermissionDenied("callback.not_yours", id=cb.id)


def next_attempt_at(attempts: int, now: datetime, policy: str) -> datetime:
    """When to try again after ``attempts`` failed attempts: +2 h, then the next working
    day at 10:00, then +1 day."""
    if attempts <= 1:
        return now + RETRY_FIRST
    if attempts == 2:
        calendar = load_policy(policy).calendar
        day = calendar.next_working_day(now.date())
        return datetime(day.year, day.month, day.day, *RETRY_NEXT_DAY_AT)
    return now + RETRY_LATER


def _close_order(session: Session, order: WorkOrder, actor: AgentInfo, reason: str | Message, policy: str,
                 extra: dict[str, Any]) -> str:
    """Close the linked order when it waits on this callback; returns its status afterwards."""
    if order.status in AWAITING_CALLBACK_STATUSES:
        assert order.id is not None
        return lifecycle.apply_status(session, order.id, WorkOrderStatus.CLOSED, actor=actor, reason=reason,
                                      policy=policy, extra=extra).status
    return order.status


def _follow_up_order(session: Session, cb: Callback, old: WorkOrder | None, actor: AgentInfo, note: str,
                     policy: str, now: datetime) -> WorkOrder:
    """A new work order for a dissatisfied customer whose old order cannot (or shall not) reopen."""
    if old is not None:
        kind, severity, area, tier = old.kind, old.severity, old.area_class, old.tier
        department_id, customer_id, call_id = old.department_id, old.customer_id, old.call_id
    else:
        customer = session.get(Customer, cb.customer_id) if cb.customer_id else None
        kind, severity = "complaint", "general"
        area = customer.area_class if customer else "city"
        tier = customer.tier if customer else "regular"
        department_id, customer_id, call_id = None, cb.customer_id, cb.call_id
    deadlines = work_order_deadlines(policy, kind, severity, area, tier, now)
    # The agent's note is the new order's own text; the sentence around it is the desk's.
    description = message("callback.follow_up_description", reason=loads(cb.reason_message) or cb.reason,
                          note=note or "-")
    order = WorkOrder(
        number=f"tmp-cb-{cb.id}-{now.timestamp()}", call_id=call_id, customer_id=customer_id, kind=kind,
        severity=severity, area_class=area, tier=tier, department_id=department_id, owner_agent_id=actor.id,
        status=WorkOrderStatus.DISPATCHED if department_id else WorkOrderStatus.NEW,
        description=note, description_message=description.dumps(), created_at=now,
        dispatched_at=now if department_id else None,
    )
    order.sqlmodel_update(deadlines)
    session.add(order)
    session.flush()
    assert order.id is not None
    order.number = lifecycle.new_order_number(session, order, now)
    session.add(order)
    detail = {"from_callback": cb.id, "from_order": old.number if old else None}
    session.add(WorkOrderEvent(work_order_id=order.id, at=now, kind=OrderEventKind.CREATED, agent_id=actor.id,
                               detail=json.dumps(detail, ensure_ascii=False)))
    audit.record(session, "workorder.create", actor_id=actor.id, entity="work_order", entity_id=order.id,
                 number=order.number, kind=kind, severity=severity, **detail)
    return order


def record_outcome(
    session: Session,
    callback_id: int,
    *,
    actor: AgentInfo,
    outcome: str,
    satisfaction: int | None = None,
    note: str = "",
    reopen: bool = True,
    policy: str,
) -> dict[str, Any]:
    """Record how the callback went (see the module docstring for each outcome).

    Returns ``{"callback_id", "outcome", "status", "attempts", "next_due", "order_number",
    "order_status", "reopened", "new_order_number"}`` — ``next_due`` the retry time after an
    unreachable attempt (None otherwise), ``order_status`` the linked order's status after
    the outcome, ``reopened`` whether it was reopened, ``new_order_number`` the follow-up
    order opened for a dissatisfied customer.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput("callback.bad_outcome", field="outcome", valid=", ".join(OUTCOMES))
    if satisfaction is not None and (isinstance(satisfaction, bool) or not isinstance(satisfaction, int)
                                     or not 1 <= satisfaction <= 5):
        raise InvalidInput("callback.bad_satisfaction", field="satisfaction")
    note = clean_field(note, "note", limit=MAX_TEXT)
    cb = _lock(session, callback_id)
    _require_holder(cb, actor)
    now = clock.now()
    order = session.get(WorkOrder, cb.work_order_id) if cb.work_order_id else None
    result: dict[str, Any] = {
        "callback_id": cb.id, "outcome": outcome, "status": cb.status, "attempts": cb.attempts,
        "next_due": None, "order_number": order.number if order else None,
        "order_status": order.status if order else None, "reopened": False, "new_order_number": None,
    }
    extra: dict[str, Any] = {"callback_id": cb.id, "outcome": outcome}

    if outcome == CallbackOutcome.UNREACHABLE:
        cb.attempts += 1
        if cb.attempts >= MAX_ATTEMPTS:
            cb.status = CallbackStatus.UNREACHABLE
            cb.outcome = CallbackOutcome.UNREACHABLE
            cb.done_at = now
            session.add(cb)
            session.flush()
            if order is not None:
                result["order_status"] = _close_order(
                    session, order, actor, note or message("callback.closed_unreachable", attempts=cb.attempts), policy,
                    extra)
        else:
            cb.status = CallbackStatus.PENDING
            cb.claimed_by_id = None
            cb.claimed_at = None
            cb.due_at = next_attempt_at(cb.attempts, now, policy)
            result["next_due"] = cb.due_at
            session.add(cb)
    else:
        cb.status = CallbackStatus.DONE
        cb.outcome = outcome
        cb.satisfaction = satisfaction
        cb.done_at = now
        session.add(cb)
        session.flush()
        if outcome == CallbackOutcome.SATISFIED:
            if order is not None:
                result["order_status"] = _close_order(
                    session, order, actor, note or message("callback.closed_satisfied"), policy, extra)
        else:
            reason: str | Message = note or message("callback.reopen_reason", id=cb.id)
            if order is not None and reopen and order.status in DONE_ORDER_STATUSES:
                assert order.id is not None
                row = lifecycle.apply_status(session, order.id, WorkOrderStatus.IN_PROGRESS, actor=actor,
                                             reason=reason, policy=policy, extra=extra)
                result["reopened"] = True
                result["order_status"] = row.status
            elif order is not None and order.status in OPEN_ORDER_STATUSES:
                pass  # still being worked on: nothing to reopen, nothing new needed
            else:
                new = _follow_up_order(session, cb, order, actor, note, policy, now)
                result["new_order_number"] = new.number
                if order is not None:
                    result["order_status"] = _close_order(
                        session, order, actor, message("callback.closed_follow_up", number=new.number), policy,
                        {**extra, "follow_up": new.number})
    result["status"] = cb.status
    result["attempts"] = cb.attempts
    audit.record(session, "callback.outcome", actor_id=actor.id, entity="callback", entity_id=cb.id,
                 outcome=outcome, satisfaction=satisfaction, note=note, attempts=cb.attempts,
                 next_due=result["next_due"], order=result["order_number"], reopened=result["reopened"],
                 new_order=result["new_order_number"])
    session.flush()
    return result


def release(session: Session, callback_id: int, *, actor: AgentInfo) -> CallbackRow:
    """Give a claimed callback back to the queue (the claimer, or a lead)."""
    cb = _lock(session, callback_id)
    if cb.status != CallbackStatus.CLAIMED:
        raise InvalidInput("callback.not_claimed", id=callback_id)
    _require_holder(cb, actor)
    cb.status = CallbackStatus.PENDING
    cb.claimed_by_id = None
    cb.claimed_at = None
    session.add(cb)
    audit.record(session, "callback.release", actor_id=actor.id, entity="callback", entity_id=cb.id)
    session.flush()
    return callback_rows(session, [cb])[0]
