"""What every part of the work-order service shares: the returned rows, the errors, the
vocabularies, and the helpers that lock an order and write its history and audit rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from agentdesk.i18n import t
from agentdesk.models import WorkOrder, WorkOrderEvent
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput, ServiceError
from agentdesk.services.rows import get_or_not_found, row_id
from agentdesk.vocab import (
    DONE_ORDER_STATUSES,
    ESCALATION_LEVELS,
    OPEN_ORDER_STATUSES,
    Badge,
    EscalationLevel,
    WorkOrderStatus,
)

STATUSES: tuple[WorkOrderStatus, ...] = tuple(WorkOrderStatus)
OPEN_STATUSES = OPEN_ORDER_STATUSES
DONE_STATUSES = DONE_ORDER_STATUSES
BADGES: tuple[Badge, ...] = tuple(Badge)
MAX_TEXT = 4000
MAX_PAGE = 500


class Conflict(ServiceError):
    """Someone else changed the work order since it was read (stale ``expected_version``)."""

    key = "workorder.conflict"


class BadTransition(InvalidInput):
    """``InvalidInput("workorder.bad_transition", from_=…, to=…)``, worded with status labels."""

    def __init__(self, from_: str, to: str) -> None:
        super().__init__("workorder.bad_transition", field="status", from_=from_, to=to)

    def message(self, lang: str | None = None) -> str:
        def label(code: object) -> str:
            return t(f"status.{code}", lang=lang) if f"{code}" in STATUSES else str(code)

        return t(self.key, lang=lang, from_=label(self.params["from_"]), to=label(self.params["to"]))


# -- returned data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    kind: str
    severity: str
    status: str
    department: str  # the department's name, "" when none
    customer_name: str  # the customer's name, else the caller's, else ""
    phone_masked: str  # 138****8000; the customer's first phone, else the caller's number
    created_at: datetime
    resolve_by: datetime | None
    badge: str  # a Badge
    escalation_level: str  # an EscalationLevel
    owner_number: str | None  # the owning agent's number


@dataclass(frozen=True)
class OrderEvent:
    at: datetime
    kind: str  # WorkOrderEvent kind ("created", "status", "pause", …) or audit action
    agent_number: str | None
    agent_name: str | None
    detail: str  # the entry in people's words, in the language it was read in (history.describe_event)
    source: str = "event"  # "event" (WorkOrderEvent) or "audit" (AuditEvent)
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class DelayInfo:
    id: int
    work_order_id: int
    order_number: str
    reason: str
    proposed_deadline: datetime
    status: str  # a DelayStatus
    requested_by: str  # agent number
    decided_by: str | None  # agent number
    created_at: datetime
    decided_at: datetime | None = None


@dataclass(frozen=True)
class OrderDetail:
    row: OrderRow
    description: str
    area_class: str
    tier: str
    deadlines: dict[str, datetime | None]  # respond_by, reply_by, contact_by, resolve_by, callback_by, warn_at
    events: tuple[OrderEvent, ...]
    delays: tuple[DelayInfo, ...]
    version: int


# -- small helpers ---------------------------------------------------------------------------


def level_name(level: int) -> EscalationLevel:
    return ESCALATION_LEVELS[min(max(level, 0), len(ESCALATION_LEVELS) - 1)]


def lock(session: Session, order_id: int) -> WorkOrder:
    """The order, row-locked on PostgreSQL (SQLite write transactions are already exclusive)."""
    order = get_or_not_found(session, WorkOrder, order_id, "workorder.not_found", with_for_update=True)
    return order


def check_version(order: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise Conflict(number=order.number, expected=expected_version, actual=order.version)


def add_event(session: Session, order: WorkOrder, kind: str, actor: AgentInfo | None, at: datetime,
              **detail: object) -> None:
    session.add(WorkOrderEvent(
        work_order_id=row_id(order), at=at, kind=kind, agent_id=actor.id if actor else None,
        detail=json.dumps(detail, ensure_ascii=False, default=_json_default, sort_keys=True) if detail else None,
    ))


def _json_default(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def add_audit(session: Session, action: str, order: WorkOrder, actor: AgentInfo | None, **detail: object) -> None:
    audit.record(session, f"workorder.{action}", actor_id=actor.id if actor else None, entity="work_order",
                 entity_id=order.id, number=order.number, **detail)


def bump(session: Session, order: WorkOrder) -> None:
    order.version += 1
    session.add(order)


def require_open(order: WorkOrder) -> None:
    if order.status not in OPEN_STATUSES:
        raise InvalidInput("workorder.not_open", number=order.number, status=order.status)


def trunc(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)

