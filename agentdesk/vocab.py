"""The words the records are written in: statuses, kinds, levels, badges.

One place for every stored vocabulary, so a status is spelled once. They are ``StrEnum``s:
a member equals its string (``WorkOrderStatus.NEW == "new"``) and is stored as that string,
so rows written before these existed read the same. Catalog labels follow the values
(``status.<value>``, ``callback_status.<value>``, ``escalation.<value>`` …).
"""

from __future__ import annotations

from enum import StrEnum


class WorkOrderStatus(StrEnum):
    NEW = "new"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CALLBACK = "callback"
    CLOSED = "closed"


#: The clock runs.
OPEN_ORDER_STATUSES: tuple[WorkOrderStatus, ...] = (
    WorkOrderStatus.NEW, WorkOrderStatus.DISPATCHED, WorkOrderStatus.IN_PROGRESS)
#: Work is done; the order may still wait for its callback, or be reopened.
DONE_ORDER_STATUSES: tuple[WorkOrderStatus, ...] = (
    WorkOrderStatus.RESOLVED, WorkOrderStatus.CALLBACK, WorkOrderStatus.CLOSED)
#: Done but not closed: waiting on a callback (closing it is the callback's outcome).
AWAITING_CALLBACK_STATUSES: tuple[WorkOrderStatus, ...] = (WorkOrderStatus.RESOLVED, WorkOrderStatus.CALLBACK)
#: Not closed yet: what a customer's card lists as still going on.
UNCLOSED_ORDER_STATUSES: tuple[WorkOrderStatus, ...] = OPEN_ORDER_STATUSES + AWAITING_CALLBACK_STATUSES

_W = WorkOrderStatus
#: The life cycle: where an order may go from each status, in the order a person is offered
#: them. Back to in progress from a done status is a reopening (a reason is required).
NEXT_ORDER_STATUSES: dict[str, tuple[WorkOrderStatus, ...]] = {
    _W.NEW: (_W.DISPATCHED, _W.IN_PROGRESS),
    _W.DISPATCHED: (_W.IN_PROGRESS, _W.RESOLVED),
    _W.IN_PROGRESS: (_W.RESOLVED,),
    _W.RESOLVED: (_W.CALLBACK, _W.CLOSED, _W.IN_PROGRESS),
    _W.CALLBACK: (_W.CLOSED, _W.IN_PROGRESS),
    _W.CLOSED: (_W.IN_PROGRESS,),
}


def is_reopening(old: str, new: str) -> bool:
    """Whether moving an order from ``old`` to ``new`` reopens it."""
    return new == WorkOrderStatus.IN_PROGRESS and old in DONE_ORDER_STATUSES


class OrderEventKind(StrEnum):
    """``WorkOrderEvent.kind``: what happened to an order."""

    CREATED = "created"
    STATUS = "status"
    REOPEN = "reopen"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    DELAY_REQUEST = "delay_request"
    DELAY_REJECTED = "delay_rejected"
    URGE = "urge"
    ESCALATE = "escalate"


class EscalationLevel(StrEnum):
    """In order: ``WorkOrder.escalation_level`` is the index into this enum."""

    WINDOW = "window"
    BRANCH = "branch"
    PROVINCE = "province"
    NATIONAL = "national"


ESCALATION_LEVELS: tuple[EscalationLevel, ...] = tuple(EscalationLevel)


class Badge(StrEnum):
    """How an order stands against its deadline, as the queues show it."""

    ON_TIME = "on_time"
    WARNING = "warning"
    OVERDUE = "overdue"
    PAUSED = "paused"
    DONE = "done"


class DelayStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CallbackStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


#: Still owed: not done, not given up, not cancelled.
OPEN_CALLBACK_STATUSES: tuple[CallbackStatus, ...] = (CallbackStatus.PENDING, CallbackStatus.CLAIMED)


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"


class CallbackKind(StrEnum):
    """``Callback.kind``. Callbacks after an order are ``after_<base kind>`` (see
    :func:`after_order_kind`), so the work-order kinds of a policy need no member here."""

    FOLLOWUP = "followup"
    PERIODIC = "periodic"
    RESTORATION = "restoration"
    AFTER_REPAIR = "after_repair"
    AFTER_INSTALL = "after_install"
    AFTER_COMPLAINT = "after_complaint"


def after_order_kind(base_kind: str) -> str:
    """The callback kind owed after an order of ``base_kind`` (the column holds 16 characters)."""
    return f"after_{base_kind}"[:16]


__all__ = [
    "AWAITING_CALLBACK_STATUSES",
    "DONE_ORDER_STATUSES",
    "ESCALATION_LEVELS",
    "NEXT_ORDER_STATUSES",
    "OPEN_CALLBACK_STATUSES",
    "OPEN_ORDER_STATUSES",
    "UNCLOSED_ORDER_STATUSES",
    "Badge",
    "CallbackKind",
    "CallbackOutcome",
    "CallbackStatus",
    "DelayStatus",
    "EscalationLevel",
    "OrderEventKind",
    "WorkOrderStatus",
    "after_order_kind",
    "is_reopening",
]
