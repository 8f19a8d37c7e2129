"""Work orders after the call: status, deadlines, pauses, delays, urging and escalation.

docs/design.md "Work orders". Functions over a Session like the other
services: rules and roles are enforced here, every change writes its ``WorkOrderEvent`` and
its audit row in the caller's transaction, and plain frozen dataclasses come back.

One module per concern:

* :mod:`.lifecycle` — the status transitions (``change_status``) and what they set off;
* :mod:`.clocks` — the effective deadlines, rebuilt from the history, and the badge;
  :mod:`.pausing` — stopping and restarting the clock;
* :mod:`.rows` — the queue rows, one keyset page at a time, and one order with its history;
* :mod:`.delays` — delay requests and a lead's decision;
* :mod:`.escalation` — urging and escalating (lead only);
* :mod:`.history` — one history entry in people's words, in the reader's language;
* :mod:`.common` — the returned dataclasses, errors and shared helpers.

The callbacks owed after a resolved order are made by
:mod:`agentdesk.services.callbacks.after_order`.

"Open" below means the clock runs: new, dispatched, in_progress (``OPEN_STATUSES``).
"""

from __future__ import annotations

from agentdesk.services.paging import Page
from agentdesk.services.workorders.clocks import is_paused, recompute_deadlines
from agentdesk.services.workorders.common import (
    BADGES,
    DONE_STATUSES,
    OPEN_STATUSES,
    STATUSES,
    BadTransition,
    Conflict,
    DelayInfo,
    OrderDetail,
    OrderEvent,
    OrderRow,
)
from agentdesk.services.workorders.delays import decide_delay, pending_delays, request_delay
from agentdesk.services.workorders.escalation import escalate, urge
from agentdesk.services.workorders.history import describe_event
from agentdesk.services.workorders.lifecycle import TRANSITIONS, apply_status, change_status, new_order_number
from agentdesk.services.workorders.pausing import pause, resume
from agentdesk.services.workorders.rows import get_order, list_orders, order_row, order_rows, warning_and_overdue
from agentdesk.vocab import ESCALATION_LEVELS

__all__ = [
    "BADGES",
    "DONE_STATUSES",
    "ESCALATION_LEVELS",
    "OPEN_STATUSES",
    "STATUSES",
    "TRANSITIONS",
    "BadTransition",
    "Conflict",
    "DelayInfo",
    "OrderDetail",
    "OrderEvent",
    "OrderRow",
    "Page",
    "apply_status",
    "change_status",
    "decide_delay",
    "describe_event",
    "escalate",
    "get_order",
    "is_paused",
    "list_orders",
    "new_order_number",
    "order_row",
    "pause",
    "pending_delays",
    "recompute_deadlines",
    "request_delay",
    "resume",
    "order_rows",
    "urge",
    "warning_and_overdue",
]
