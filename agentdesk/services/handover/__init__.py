"""Shift handover (交接班): what a shift leaves open, confirmed at logout, read at login.

docs/design.md "Shift handover". Functions over a Session like the other services: roles are
checked here, every change writes its audit row in the caller's transaction, and frozen
dataclasses come back.

What a shift leaves open (:func:`compile_handover`), item kinds (``ITEM_KINDS``):

``work_order``
    work orders the shift's agent owns that are still open (new / dispatched /
    in_progress), each with its *nearest* deadline: the earliest of respond_by,
    contact_by, reply_by and resolve_by still ahead; when all have passed, the latest of
    them (the order is overdue on that one). ``badge`` is the queue's badge (on_time,
    warning, overdue, paused).
``follow_up``
    replies the agent owes (``Callback`` kind ``followup`` owned by the agent, pending or
    claimed), with their due time.
``callback``
    other callbacks still to make: every one **claimed by this agent** (whatever its due
    time: it is in the agent's hands and must be finished or released), and the
    **pending** ones — owned by this agent or by nobody (the shared queue) — **due before
    the end of the next shift**, taken as the end of this shift plus
    ``NEXT_SHIFT_LENGTH`` (8 h); overdue ones are included. Pending callbacks owned by
    another agent belong to that agent's handover.
``outage``
    every active outage (``due_at`` is the expected restoration).
``open_call``
    only in a confirmed note: calls of the shift still open when the agent chose to hand
    them over (:func:`confirm_handover` with ``hand_over_open_calls=True``). The calls
    themselves stay as they are (open, the agent's); the note and the audit log say so.

At most ``MAX_ITEMS_PER_KIND`` items of a kind are listed (nearest due first); how many
were left off is in ``HandoverCounts.left_off``.

A confirmed note (``HandoverNote``) keeps the compiled items and counts in ``body`` as
JSON (keys sorted; datetimes ISO 8601; phone numbers in full, like the rest of the
database — every front end shows ``phone_masked`` and the export masks unless a lead asks
otherwise). A note is addressed to its shift's team; a note without a team goes to
everyone. The notes of the last ``UNACKNOWLEDGED_DAYS`` days are what a login shows.
"""

from agentdesk.services.handover.body import note_info
from agentdesk.services.handover.compiling import MAX_ITEMS_PER_KIND, compile_handover, save_draft_notes
from agentdesk.services.handover.confirming import confirm_handover
from agentdesk.services.handover.reading import (
    acknowledge,
    find_notes,
    record_export,
    unacknowledged_for,
    unacknowledged_overview,
)
from agentdesk.services.handover.records import (
    BODY_VERSION,
    DRAFT_FORM,
    EXPORT_FORMATS,
    ITEM_KINDS,
    MAX_NOTES,
    NEXT_SHIFT_LENGTH,
    UNACKNOWLEDGED_DAYS,
    HandoverCounts,
    HandoverDraft,
    HandoverItem,
    HandoverNoteInfo,
)
from agentdesk.vocab import OPEN_CALLBACK_STATUSES

__all__ = [
    "BODY_VERSION",
    "DRAFT_FORM",
    "EXPORT_FORMATS",
    "ITEM_KINDS",
    "MAX_ITEMS_PER_KIND",
    "MAX_NOTES",
    "NEXT_SHIFT_LENGTH",
    "OPEN_CALLBACK_STATUSES",
    "UNACKNOWLEDGED_DAYS",
    "HandoverCounts",
    "HandoverDraft",
    "HandoverItem",
    "HandoverNoteInfo",
    "acknowledge",
    "compile_handover",
    "confirm_handover",
    "find_notes",
    "note_info",
    "record_export",
    "save_draft_notes",
    "unacknowledged_for",
    "unacknowledged_overview",
]
