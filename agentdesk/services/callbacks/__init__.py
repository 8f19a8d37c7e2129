"""Callbacks (回访): the queue, the outcome of each call back, and the periodic calls.

docs/design.md "Callbacks (回访)". Callback statuses (``STATUSES``, :class:`agentdesk.vocab.CallbackStatus`):

* ``pending``   — in the queue; ``due_at`` is when it is due (for a retry after an
  unreachable attempt: not before then);
* ``claimed``   — an agent took it (:func:`take_next`) and is calling;
* ``done``      — an outcome was recorded (satisfied / unsatisfied);
* ``unreachable`` — closed after ``MAX_ATTEMPTS`` failed attempts;
* ``cancelled`` — the order was reopened before the callback was made.

One module per concern: :mod:`.rows` (rows, the queue, taking the next one),
:mod:`.outcomes` (recording how it went, releasing), :mod:`.periodic` (the month's
periodic calls) and :mod:`.after_order` (the callback owed after a resolved work order,
which the work-order life cycle calls).
"""

from __future__ import annotations

from agentdesk.services.callbacks.after_order import callback_due, sample_draw
from agentdesk.services.callbacks.outcomes import (
    MAX_ATTEMPTS,
    OUTCOMES,
    next_attempt_at,
    record_outcome,
    release,
)
from agentdesk.services.callbacks.periodic import generate_periodic
from agentdesk.services.callbacks.rows import MAX_PAGE, STATUSES, CallbackRow, get_callback, queue, take_next
from agentdesk.services.paging import Page

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_PAGE",
    "OUTCOMES",
    "STATUSES",
    "CallbackRow",
    "Page",
    "callback_due",
    "generate_periodic",
    "get_callback",
    "next_attempt_at",
    "queue",
    "record_outcome",
    "release",
    "sample_draw",
    "take_next",
]
