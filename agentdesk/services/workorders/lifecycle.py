"""The work order's life cycle: the status transitions and what each one sets off.

Status life cycle (``STATUSES``)::

    new ──► dispatched ──► in_progress ──► resolved ──► callback ──► closed
     └───────────────────────►┘  └──────────►┘  └──────────────────────►┘
    dispatched ──► resolved            resolved ──► closed (no callback owed)
    resolved / callback / closed ──► in_progress   (reopen, a reason is required)

Resolving applies the policy's callback rule (:mod:`agentdesk.services.callbacks.after_order`);
reopening cancels an owed callback and restarts the clocks from now; closing is refused while
a callback is owed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import WorkOrder
from agentdesk.policy import RESUME, UnknownNameError
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.callbacks.after_order import callback_decision, create_callback, open_callbacks
from agentdesk.services.deadlines import work_order_deadlines
from agentdesk.services.errors import InvalidInput
from agentdesk.services.messages import Message
from agentdesk.services.rows import row_id
from agentdesk.services.text import clean_field
from agentdesk.services.workorders.clocks import order_paused, recompute_deadlines
from agentdesk.services.workorders.common import (
    DONE_STATUSES,
    MAX_TEXT,
    STATUSES,
    BadTransition,
    OrderRow,
    add_audit,
    add_event,
    bump,
    check_version,
    lock,
)
from agentdesk.services.workorders.pausing import shift_after_resume
from agentdesk.services.workorders.rows import order_rows
from agentdesk.vocab import NEXT_ORDER_STATUSES, CallbackStatus, OrderEventKind, WorkOrderStatus

_S = WorkOrderStatus
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    (old, new) for old, nexts in NEXT_ORDER_STATUSES.items() for new in nexts)


def _apply_status(
    session: Session,
    order: WorkOrder,
    new_status: str,
    *,
    actor: AgentInfo,
    reason: str | Message,
    policy: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The transition itself (the order is already locked and version-checked). Returns audit detail."""
    old = order.status
    if (old, new_status) not in TRANSITIONS:
        raise BadTransition(old, new_status)
    reopen = old in DONE_STATUSES and new_status == _S.IN_PROGRESS
    detail: dict[str, Any] = {"from": old, "to": new_status}
    if isinstance(reason, Message):  # a sentence of the desk's own, kept by key for every reader
        detail["reason"] = ""
        detail["reason_message"] = reason.to_data()
    else:
        detail["reason"] = clean_field(reason, "reason", limit=MAX_TEXT, required=reopen)
    detail.update(extra or {})
    now = clock.now()

    if new_status == _S.CLOSED and open_callbacks(session, row_id(order)):
        raise InvalidInput("workorder.callback_owed", number=order.number)

    if reopen:
        for cb in open_callbacks(session, row_id(order)):
            cb.status = CallbackStatus.CANCELLED
            cb.done_at = now
            session.add(cb)
            audit.record(session, "callback.cancel", actor_id=actor.id, entity="callback", entity_id=cb.id,
                         work_order_id=order.id, reason="reopened")
        order.status = new_status
        order.resolved_at = None
        order.closed_at = None
        add_event(session, order, OrderEventKind.REOPEN, actor, now, **detail)
        session.flush()
        recompute_deadlines(session, order, policy)  # the clocks restart now
        add_audit(session, OrderEventKind.REOPEN, order, actor, **detail)
        bump(session, order)
        return detail

    if new_status == _S.DISPATCHED:
        order.dispatched_at = now
    if new_status == _S.RESOLVED:
        if order_paused(session, order):
            add_event(session, order, RESUME, actor, now, auto=True)
            session.flush()
            shift_after_resume(session, order, now)
        order.resolved_at = now
    if new_status == _S.CLOSED:
        order.closed_at = now
    order.status = new_status
    add_event(session, order, OrderEventKind.STATUS, actor, now, **detail)

    if new_status == _S.RESOLVED:
        try:
            order.callback_by = work_order_deadlines(policy, order.kind, order.severity, order.area_class,
                                                     order.tier, now, done_at=now).get("callback_by")
        except UnknownNameError:
            order.callback_by = None
        callback, draw, mode = callback_decision(session, order, policy, now, actor)
        detail["callback_rule"] = mode
        if draw is not None:
            detail["sample_draw"] = draw
        if callback is not None:
            detail["callback_id"] = callback.id
            detail["callback_due"] = callback.due_at
            order.callback_by = callback.due_at
            order.status = _S.CALLBACK
            add_event(session, order, OrderEventKind.STATUS, actor, now,
                      **{"from": _S.RESOLVED, "to": _S.CALLBACK, "auto": True, "callback_id": callback.id})
    elif new_status == _S.CALLBACK and old == _S.RESOLVED and not open_callbacks(session, row_id(order)):
        # Asked for by hand (e.g. not drawn in the sample): a callback is owed from now on.
        callback = create_callback(session, order, policy, None, now, actor, "requested")
        detail["callback_id"] = callback.id
        order.callback_by = callback.due_at

    add_audit(session, OrderEventKind.STATUS, order, actor, **detail)
    bump(session, order)
    return detail


def change_status(
    session: Session,
    order_id: int,
    new_status: str,
    *,
    actor: AgentInfo,
    reason: str = "",
    policy: str,
    expected_version: int | None = None,
) -> OrderRow:
    """Move an order along its life cycle (see the module docstring).

    Resolving applies the policy's callback rule: "always" creates a callback due by the
    policy's callback clock (measured from now) and the order goes on to "callback";
    "sampled" draws ``random.Random(f"{order.id}:{policy}")`` against the rate, the draw kept
    in ``Callback.sample_draw`` (or, when not drawn, in the audit row). Reopening
    (resolved/callback/closed → in_progress) needs a reason, cancels an owed callback and
    restarts the clocks from now. Closing is refused while a callback is owed.
    Raises ``BadTransition`` (an ``InvalidInput``, key ``workorder.bad_transition``),
    ``Conflict`` on a stale ``expected_version``, ``NotFound``.
    """
    if new_status not in STATUSES:
        raise InvalidInput("workorder.bad_status", field="status", value=new_status, valid=", ".join(STATUSES))
    order = lock(session, order_id)
    check_version(order, expected_version)
    _apply_status(session, order, new_status, actor=actor, reason=reason, policy=policy)
    session.flush()
    return order_rows(session, [order])[0]


# -- used by callbacks --------------------------------------------------------------------------


def apply_status(session: Session, order_id: int, new_status: str, *, actor: AgentInfo, reason: str | Message,
                 policy: str, extra: dict[str, Any] | None = None) -> OrderRow:
    """``change_status`` with extra audit detail, for other services (the callback outcomes). A
    :class:`Message` reason is the desk's own sentence, stored by key (``reason_message``)."""
    order = lock(session, order_id)
    _apply_status(session, order, new_status, actor=actor, reason=reason, policy=policy, extra=extra)
    session.flush()
    return order_rows(session, [order])[0]


def new_order_number(session: Session, order: WorkOrder, now: datetime) -> str:
    """The numbering calls.create_work_order uses: GDyyyymmdd-<id>, unique across desks."""
    session.flush()
    return f"GD{now:%Y%m%d}-{row_id(order):06d}"
