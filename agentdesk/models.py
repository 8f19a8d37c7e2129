"""SQLModel tables for the whole domain of the desk.

Times are naive local wall-clock datetimes (see ``agentdesk.clock``). Small lists and
structured details (outage services, checklist ticks, audit details) are JSON text so the
same schema runs on SQLite and PostgreSQL. Columns a queue sorts or filters by are indexed.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from agentdesk.vocab import CallbackStatus, DelayStatus, WorkOrderStatus

ROLES = ("agent", "lead", "admin")  # admin: accounts only (IT), not the floor
AREA_CLASSES = ("city", "suburb", "rural")
TIERS = ("regular", "vip", "big", "private")


class Department(SQLModel, table=True):
    __tablename__ = "departments"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=32)


class Agent(SQLModel, table=True):
    __tablename__ = "agents"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=100)
    role: str = Field(default="agent", max_length=8)
    pin_hash: str = Field(max_length=200)
    team: str | None = Field(default=None, max_length=50)
    active: bool = True
    failed_logins: int = 0
    locked_until: NaiveDatetime | None = None
    created_at: NaiveDatetime
    extension: str | None = Field(default=None, max_length=16, unique=True, index=True)  # the seat's phone


class Shift(SQLModel, table=True):
    __tablename__ = "shifts"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    seat: str | None = Field(default=None, max_length=50)
    team: str | None = Field(default=None, max_length=50)
    started_at: NaiveDatetime = Field(index=True)
    ended_at: NaiveDatetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="agents.id")


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    # Full-pinyin prefix search (zhang → 张…); phone fragments and name substrings are
    # served by FTS5 tables (SQLite) or pg_trgm indexes (PostgreSQL), see migration 0004.
    __table_args__ = (Index("ix_customers_name_pinyin", "name_pinyin"),)
    id: int | None = Field(default=None, primary_key=True)
    user_code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100, index=True)
    # Pinyin initials ("zs" for 张三) and full pinyin, kept beside the name so the
    # caller search is an indexed prefix match rather than a conversion per row.
    name_initials: str = Field(default="", max_length=100, index=True)
    name_pinyin: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=300)
    area_name: str = Field(default="", max_length=100, index=True)
    area_class: str = Field(default="city", max_length=8)
    tier: str = Field(default="regular", max_length=8)
    created_at: NaiveDatetime


class CustomerPhone(SQLModel, table=True):
    __tablename__ = "customer_phones"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    phone: str = Field(max_length=32, index=True)
    kind: str = Field(default="mobile", max_length=8)


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    shift_id: int | None = Field(default=None, foreign_key="shifts.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    caller_name: str | None = Field(default=None, max_length=100)
    caller_phone: str | None = Field(default=None, max_length=32)
    caller_address: str | None = Field(default=None, max_length=300)
    started_at: NaiveDatetime = Field(index=True)
    ring_at: NaiveDatetime | None = None  # from the phone system: when it rang (None: taken by F2)
    answered_at: NaiveDatetime | None = None
    ended_at: NaiveDatetime | None = None
    request_type: str | None = Field(default=None, max_length=16)
    outcome: str | None = Field(default=None, max_length=32)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    request_text: str | None = Field(default=None, sa_column=Column(Text))
    checklist: str | None = Field(default=None, sa_column=Column(Text))
    phrase_flag: bool = False
    forward: bool = False
    status: str = Field(default="open", max_length=8)


class WorkOrder(SQLModel, table=True):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_status_resolve_by", "status", "resolve_by"),
        Index("ix_work_orders_status_warn_at", "status", "warn_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    call_id: int | None = Field(default=None, foreign_key="calls.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    kind: str = Field(max_length=16)
    severity: str = Field(default="general", max_length=16)
    area_class: str = Field(default="city", max_length=8)
    tier: str = Field(default="regular", max_length=8)
    department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    owner_agent_id: int | None = Field(default=None, foreign_key="agents.id", index=True)
    status: str = Field(default=WorkOrderStatus.NEW, max_length=16)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A description the desk wrote (not the agent), as a message rendered in the reader's
    # language (services.messages); ``description`` then keeps only the agent's own words.
    description_message: str | None = Field(default=None, sa_column=Column(Text))
    phrase_flag: bool = False
    created_at: NaiveDatetime
    dispatched_at: NaiveDatetime | None = None
    resolved_at: NaiveDatetime | None = None
    closed_at: NaiveDatetime | None = None
    respond_by: NaiveDatetime | None = None
    reply_by: NaiveDatetime | None = None
    resolve_by: NaiveDatetime | None = Field(default=None, index=True)
    callback_by: NaiveDatetime | None = None
    contact_by: NaiveDatetime | None = None
    warn_at: NaiveDatetime | None = Field(default=None, index=True)
    escalation_level: int = 0
    version: int = 1


class WorkOrderEvent(SQLModel, table=True):
    """Status history; pauses and resumes are rebuilt from it to recompute deadlines."""

    __tablename__ = "work_order_events"
    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_orders.id", index=True)
    at: NaiveDatetime
    kind: str = Field(max_length=24)
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    detail: str | None = Field(default=None, sa_column=Column(Text))


class DelayRequest(SQLModel, table=True):
    __tablename__ = "delay_requests"
    id: int | None = Field(default=None, primary_key=True)
    work_order_id: int = Field(foreign_key="work_orders.id", index=True)
    requested_by_id: int = Field(foreign_key="agents.id")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    proposed_deadline: NaiveDatetime
    status: str = Field(default=DelayStatus.PENDING, max_length=12, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="agents.id")
    decided_at: NaiveDatetime | None = None
    created_at: NaiveDatetime


class Complaint(SQLModel, table=True):
    __tablename__ = "complaints"
    id: int | None = Field(default=None, primary_key=True)
    call_id: int | None = Field(default=None, foreign_key="calls.id", index=True)
    work_order_id: int | None = Field(default=None, foreign_key="work_orders.id", index=True)
    complainant_name: str = Field(max_length=100)
    contact_phone: str = Field(max_length=32)
    target: str = Field(max_length=300)
    content: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(max_length=16)
    subcategory: str | None = Field(default=None, max_length=32)
    fee_dispute: bool = False
    phrase_flag: bool = False
    created_at: NaiveDatetime
    version: int = 1


class Callback(SQLModel, table=True):
    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_status_due_at", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    work_order_id: int | None = Field(default=None, foreign_key="work_orders.id", index=True)
    call_id: int | None = Field(default=None, foreign_key="calls.id", index=True)
    outage_id: int | None = Field(default=None, foreign_key="outages.id", index=True)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A reason the desk wrote, as a message (see WorkOrder.description_message).
    reason_message: str | None = Field(default=None, sa_column=Column(Text))
    due_at: NaiveDatetime
    status: str = Field(default=CallbackStatus.PENDING, max_length=12)
    owner_agent_id: int | None = Field(default=None, foreign_key="agents.id", index=True)
    claimed_by_id: int | None = Field(default=None, foreign_key="agents.id")
    claimed_at: NaiveDatetime | None = None
    attempts: int = 0
    outcome: str | None = Field(default=None, max_length=16)
    satisfaction: int | None = None
    sample_draw: str | None = Field(default=None, max_length=100)
    created_at: NaiveDatetime
    done_at: NaiveDatetime | None = None


class Outage(SQLModel, table=True):
    __tablename__ = "outages"
    id: int | None = Field(default=None, primary_key=True)
    services: str = Field(default="[]", max_length=200)
    cause: str = Field(default="", sa_column=Column(Text, nullable=False))
    eta: NaiveDatetime | None = None
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="active", max_length=8, index=True)
    declared_by_id: int = Field(foreign_key="agents.id")
    declared_at: NaiveDatetime
    updated_at: NaiveDatetime
    cleared_by_id: int | None = Field(default=None, foreign_key="agents.id")
    cleared_at: NaiveDatetime | None = None


class OutageArea(SQLModel, table=True):
    __tablename__ = "outage_areas"
    __table_args__ = (UniqueConstraint("outage_id", "area_name"),)
    id: int | None = Field(default=None, primary_key=True)
    outage_id: int = Field(foreign_key="outages.id", index=True)
    area_name: str = Field(max_length=100, index=True)


class OutageCall(SQLModel, table=True):
    __tablename__ = "outage_calls"
    __table_args__ = (UniqueConstraint("outage_id", "call_id"),)
    id: int | None = Field(default=None, primary_key=True)
    outage_id: int = Field(foreign_key="outages.id", index=True)
    call_id: int = Field(foreign_key="calls.id", index=True)
    linked_by_id: int = Field(foreign_key="agents.id")
    linked_at: NaiveDatetime


class HandoverNote(SQLModel, table=True):
    __tablename__ = "handover_notes"
    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shifts.id", index=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    seat: str | None = Field(default=None, max_length=50)
    team: str | None = Field(default=None, max_length=50)
    compiled_at: NaiveDatetime
    confirmed_at: NaiveDatetime | None = None
    body: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    phrase_flag: bool = False


class HandoverAck(SQLModel, table=True):
    __tablename__ = "handover_acks"
    __table_args__ = (UniqueConstraint("note_id", "agent_id"),)
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="handover_notes.id", index=True)
    agent_id: int = Field(foreign_key="agents.id")
    acked_at: NaiveDatetime


class KbArticle(SQLModel, table=True):
    __tablename__ = "kb_articles"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(default="", max_length=50)
    tags: str = Field(default="", max_length=300)
    updated_at: NaiveDatetime


class Draft(SQLModel, table=True):
    """A form's unsaved input, kept as the agent types so nothing is lost."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("agent_id", "form", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    form: str = Field(max_length=32)
    key: str = Field(default="", max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: NaiveDatetime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    # An order's history reads its audit rows by entity.
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    agent_id: int | None = Field(default=None, foreign_key="agents.id", index=True)
    action: str = Field(max_length=48, index=True)
    entity: str = Field(default="", max_length=32)
    entity_id: int | None = None
    detail: str | None = Field(default=None, sa_column=Column(Text))


class ChangeCounter(SQLModel, table=True):
    """Cheap cross-process change signal: desks poll one integer per topic."""

    __tablename__ = "change_counters"
    topic: str = Field(primary_key=True, max_length=32)
    value: int = 0


class ChangeEvent(SQLModel, table=True):
    """One committed change a desk may be showing: written in the changing transaction, read
    by the server's change feed (and an embedded desk) to tell desks what to reload."""

    __tablename__ = "change_events"
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=16)
    ref_id: int | None = None
    agent_id: int | None = None  # the agent it is addressed to (a forced logout), else everyone
    at: NaiveDatetime = Field(index=True)


class DeskSession(SQLModel, table=True):
    """A login through ``agentdesk serve``: the desk holds the token, the database its hash."""

    __tablename__ = "desk_sessions"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    agent_id: int = Field(foreign_key="agents.id", index=True)
    shift_id: int | None = Field(default=None, foreign_key="shifts.id")
    client: str = Field(default="", max_length=64)
    created_at: NaiveDatetime
    expires_at: NaiveDatetime
    revoked_at: NaiveDatetime | None = None


class IdempotentRequest(SQLModel, table=True):
    """A desk's write through the server, by the key the desk sent with it: a retry of a request
    whose answer was lost gets the first answer back instead of saving twice."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("agent_id", "key", name="uq_idempotent_requests_agent_key"),)
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id")
    key: str = Field(max_length=64)
    operation: str = Field(max_length=40)
    created_at: NaiveDatetime = Field(index=True)
    response: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class LoginThrottle(SQLModel, table=True):
    """Wrong PINs counted per client address, so one address cannot try number after number."""

    __tablename__ = "login_throttle"
    address: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    window_started_at: NaiveDatetime


class CtiSystem(SQLModel, table=True):
    """A phone system (PBX, ACD) allowed to post call events: its token is kept as a hash."""

    __tablename__ = "cti_systems"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: NaiveDatetime
    rotated_at: NaiveDatetime | None = None


class CallLeg(SQLModel, table=True):
    """One call as the phone system reported it (keyed by its own call id): who rang whom, on
    which extension, when it rang, was answered and ended — the facts the standards measure."""

    __tablename__ = "call_legs"
    __table_args__ = (
        UniqueConstraint("system_id", "pbx_call_id", name="uq_call_legs_system_call"),
        Index("ix_call_legs_agent_id_ring_at", "agent_id", "ring_at"),
        Index("ix_call_legs_from_number", "from_number"),
        Index("ix_call_legs_call_id", "call_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    system_id: int = Field(foreign_key="cti_systems.id")
    pbx_call_id: str = Field(max_length=100)
    direction: str = Field(max_length=3)  # in | out
    from_number: str | None = Field(default=None, max_length=32)
    to_number: str | None = Field(default=None, max_length=32)
    agent_id: int | None = Field(default=None, foreign_key="agents.id")
    extension: str | None = Field(default=None, max_length=16)
    queue: str | None = Field(default=None, max_length=50)
    state: str = Field(max_length=10)  # ringing | answered | ended | abandoned
    ring_at: NaiveDatetime | None = None
    answered_at: NaiveDatetime | None = None
    ended_at: NaiveDatetime | None = None
    cause: str | None = Field(default=None, max_length=32)
    answering_number: str | None = Field(default=None, max_length=32)
    call_id: int | None = Field(default=None, foreign_key="calls.id")
    updated_at: NaiveDatetime
