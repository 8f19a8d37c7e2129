"""What the handover services return, and the lookups and checks every step shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from agentdesk.models import Agent, Shift
from agentdesk.normalize import mask_phone
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import NotFound, PermissionDenied
from agentdesk.services.text import clean_field

ITEM_KINDS = ("work_order", "follow_up", "callback", "outage", "open_call")
EXPORT_FORMATS = ("md", "csv", "json", "xlsx")
NEXT_SHIFT_LENGTH = timedelta(hours=8)
UNACKNOWLEDGED_DAYS = 7
MAX_NOTES = 4000
BODY_VERSION = 1
DRAFT_FORM = "handover"
NONE = "none"  # the counts' key for a call with no request type / outcome yet


# -- returned data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverItem:
    kind: str  # one of ITEM_KINDS
    ref: str  # work-order number; callback, outage or call id (as text)
    title: str  # user text: order description, callback reason, outage cause, call request
    due_at: datetime | None  # nearest deadline / due time / expected restoration; None for calls
    status: str  # code: order status, callback status, "active" (outage), "open" (call)
    customer_name: str
    phone_masked: str  # 138****8000, "" when none
    detail: str  # data: order's department, callback's order number, outage areas (、), "" else
    phone: str = field(default="", repr=False)  # the full number; exports mask it unless told
    entity_id: int | None = None  # work_orders / callbacks / outages / calls id
    category: str = ""  # code: order kind, callback kind, outage services ("tv,broadband"), call type
    badge: str = ""  # work orders: on_time | warning | overdue | paused; callbacks: "overdue" or ""
    created_at: datetime | None = None  # created / declared / call started
    # The desk's own sentence behind the title (services.messages JSON), rendered in the reader's
    # language at display and export; ``title`` is its text as compiled, or the user's words.
    title_message: str | None = None


@dataclass(frozen=True)
class HandoverCounts:
    calls_by_type: dict[str, int]  # request type code ("none" when not set) → calls
    calls_by_outcome: dict[str, int]  # outcome code ("none" when not set) → calls
    total_calls: int
    left_off: dict[str, int] = field(default_factory=dict)  # item kind → items beyond MAX_ITEMS_PER_KIND


@dataclass(frozen=True)
class HandoverDraft:
    shift_id: int
    agent_number: str
    agent_name: str
    team: str | None
    seat: str | None
    started_at: datetime
    ended_at: datetime | None  # None while the shift runs
    items: tuple[HandoverItem, ...]
    counts: HandoverCounts
    notes: str  # the saved draft notes ("" when none)
    open_call_ids: tuple[int, ...]  # calls of the shift still open: finish or hand over


@dataclass(frozen=True)
class HandoverNoteInfo:
    id: int
    shift_id: int
    agent_number: str
    agent_name: str
    team: str | None
    seat: str | None
    compiled_at: datetime
    confirmed_at: datetime | None
    items: tuple[HandoverItem, ...]
    counts: HandoverCounts
    notes: str
    phrase_flag: bool
    acks: tuple[tuple[str, datetime], ...]  # (agent number, acked at), oldest first
    started_at: datetime | None = None  # the shift's start
    ended_at: datetime | None = None  # the shift's end
    ack_names: tuple[str, ...] = ()  # the acknowledging agents' names, in the order of ``acks``


# -- helpers ----------------------------------------------------------------------------------


def _shift(session: Session, shift_id: int, *, lock: bool = False) -> Shift:
    shift = session.get(Shift, shift_id, with_for_update=lock) if lock else session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("shift.not_found", id=shift_id)
    return shift


def _require_own_or_lead(shift: Shift, actor: AgentInfo) -> None:
    if actor is None or (shift.agent_id != actor.id and actor.role != "lead"):
        raise PermissionDenied("handover.not_yours", id=shift.id)


def _clean_notes(notes: str | None) -> str:
    return clean_field(notes, "notes", limit=MAX_NOTES)



def _masked(phone: str | None) -> str:
    return mask_phone(phone) if phone else ""


def _agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    assert agent is not None
    return agent

