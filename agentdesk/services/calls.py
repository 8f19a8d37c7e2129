"""One call, from pick-up to goodbye: the rules of docs/design.md, "A call".

Every function takes a Session (one unit of work), checks the rules, writes the change and
its audit row together, and returns plain data. Screens and the CLI call these alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Call, Callback, Customer, Department, WorkOrder, WorkOrderEvent
from agentdesk.normalize import PhoneError, normalize_name, parse_phone
from agentdesk.policy import UnknownNameError
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.deadlines import policy_clocks, work_order_deadlines
from agentdesk.services.errors import InvalidFields, InvalidInput, PermissionDenied
from agentdesk.services.requests import REQUEST_TYPES
from agentdesk.services.rows import get_or_not_found
from agentdesk.services.text import clean_field

CHECKLIST_ITEMS = ("reason", "department", "order", "callback")
SEVERITIES = ("general", "major", "critical")
MAX_TEXT = 4000


@dataclass(frozen=True)
class CallInfo:
    id: int
    started_at: datetime


@dataclass(frozen=True)
class CallerInfo:
    """Who is on the line: a registered customer or what an unregistered caller left."""

    customer_id: int | None
    name: str
    phone: str
    address: str
    area_name: str
    area_class: str
    tier: str


@dataclass(frozen=True)
class FollowUpInfo:
    callback_id: int
    due_at: datetime
    phrase_flag: bool


@dataclass(frozen=True)
class WorkOrderInfo:
    id: int
    number: str
    kind: str
    department: str
    respond_by: datetime | None
    contact_by: datetime | None
    resolve_by: datetime | None
    phrase_flag: bool


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    code: str
    name: str


def has_forbidden_phrase(text: str) -> bool:
    from agentdesk.phrases import check

    return bool(check(text))


def _call(session: Session, call_id: int, actor: AgentInfo) -> Call:
    call = get_or_not_found(session, Call, call_id, "call.not_found")
    if call.agent_id != actor.id and actor.role != "lead":
        # 首问负责: the call belongs to whoever took it.
        raise PermissionDenied("call.not_yours")
    if call.status != "open":
        raise InvalidInput("call.closed")
    return call


def _text(value: str, field: str, *, required: bool = True) -> str:
    return clean_field(value, field, limit=MAX_TEXT, required=required)


def start_call(session: Session, *, actor: AgentInfo, shift_id: int | None) -> CallInfo:
    now = clock.now()
    # No switch integration: the desk answers when the agent takes the call.
    call = Call(agent_id=actor.id, shift_id=shift_id, started_at=now, answered_at=now, status="open")
    session.add(call)
    session.flush()
    assert call.id is not None
    audit.record(session, "call.start", actor_id=actor.id, entity="call", entity_id=call.id)
    return CallInfo(call.id, now)


def identify_customer(session: Session, call_id: int, customer_id: int, *, actor: AgentInfo) -> CallerInfo:
    call = _call(session, call_id, actor)
    customer = get_or_not_found(session, Customer, customer_id, "customer.not_found")
    call.customer_id = customer_id
    call.caller_name = customer.name
    session.add(call)
    audit.record(session, "call.identify", actor_id=actor.id, entity="call", entity_id=call_id, customer_id=customer_id)
    from agentdesk.models import CustomerPhone

    phone = session.execute(
        select(col(CustomerPhone.phone)).where(col(CustomerPhone.customer_id) == customer_id)
            .order_by(col(CustomerPhone.id)).limit(1)
    ).scalar_one_or_none()
    return CallerInfo(customer_id, customer.name, phone or "", customer.address, customer.area_name,
                      customer.area_class, customer.tier)


def register_unregistered(
    session: Session, call_id: int, *, name: str, address: str, phone: str, actor: AgentInfo
) -> CallerInfo:
    """An unregistered caller must leave name, address and contact number (DESIGN step 2)."""
    errors: dict[str, InvalidInput] = {}
    clean_name = normalize_name(name or "")
    if not clean_name:
        errors["name"] = InvalidInput("field.required", field="name")
    elif len(clean_name) > 100:
        errors["name"] = InvalidInput("field.too_long", field="name", limit=100)
    try:
        clean_address = _text(address, "address")
    except InvalidInput as exc:
        errors["address"] = exc
    try:
        parsed = parse_phone(phone or "")
    except PhoneError as exc:
        errors["phone"] = InvalidInput(exc.key, field="phone")
    if errors:
        raise InvalidFields(errors)
    call = _call(session, call_id, actor)
    call.customer_id = None
    call.caller_name = clean_name
    call.caller_address = clean_address[:300]
    call.caller_phone = parsed.number
    session.add(call)
    audit.record(session, "call.register_caller", actor_id=actor.id, entity="call", entity_id=call_id)
    return CallerInfo(None, clean_name, parsed.number, clean_address, "", "city", "regular")


def set_request_type(session: Session, call_id: int, request_type: str, *, actor: AgentInfo) -> None:
    if request_type not in REQUEST_TYPES:
        raise InvalidInput("call.bad_request_type", types=", ".join(REQUEST_TYPES))
    call = _call(session, call_id, actor)
    call.request_type = request_type
    session.add(call)


def consult_answered(session: Session, call_id: int, *, article_id: int | None, question: str,
                     actor: AgentInfo) -> None:
    call = _call(session, call_id, actor)
    call.request_type = "consult"
    call.outcome = "answered"
    call.request_text = _text(question, "question", required=False) or None
    session.add(call)
    audit.record(session, "call.consult_answered", actor_id=actor.id, entity="call", entity_id=call_id,
                 article_id=article_id)


def _caller_profile(session: Session, call: Call) -> tuple[str, str]:
    if call.customer_id:
        customer = session.get(Customer, call.customer_id)
        if customer:
            return customer.area_class, customer.tier
    return "city", "regular"


def follow_up_due(session: Session, call_id: int, policy: str) -> datetime:
    call = get_or_not_found(session, Call, call_id, "call.not_found")
    area, tier = _caller_profile(session, call)
    clocks = policy_clocks(policy, "consult", "general", area, tier, clock.now())
    due = clocks.get("reply_by") or clocks.get("resolve_by") or clocks.get("respond_by")
    if due is None:
        raise InvalidInput("policy.no_reply_clock", policy=policy)
    return due


def consult_follow_up(
    session: Session, call_id: int, *, question: str, contact_phone: str, policy: str, actor: AgentInfo
) -> FollowUpInfo:
    """"Can't answer now": a reply owed to the caller by the policy's reply deadline."""
    question = _text(question, "question")
    try:
        phone = parse_phone(contact_phone or "").number
    except PhoneError as exc:
        raise InvalidInput(exc.key, field="phone") from None
    call = _call(session, call_id, actor)
    due = follow_up_due(session, call_id, policy)
    flagged = has_forbidden_phrase(question)
    callback = Callback(
        kind="followup", customer_id=call.customer_id, call_id=call_id, contact_name=call.caller_name,
        contact_phone=phone, reason=question, due_at=due, owner_agent_id=actor.id, created_at=clock.now(),
    )
    session.add(callback)
    call.request_type = "consult"
    call.outcome = "followup"
    call.request_text = question
    call.phrase_flag = call.phrase_flag or flagged
    session.add(call)
    session.flush()
    assert callback.id is not None
    audit.record(session, "call.followup", actor_id=actor.id, entity="callback", entity_id=callback.id,
                 call_id=call_id, due_at=due)
    return FollowUpInfo(callback.id, due, flagged)


def list_departments(session: Session) -> list[DepartmentInfo]:
    return [DepartmentInfo(d.id, d.code, d.name) for d in
            session.execute(select(Department).order_by(col(Department.id))).scalars()]


def preview_deadlines(
    session: Session, call_id: int, kind: str, severity: str, policy: str
) -> dict[str, datetime | None]:
    """The deadlines a work order would get if saved now, to tell the caller before saving."""
    call = get_or_not_found(session, Call, call_id, "call.not_found")
    area, tier = _caller_profile(session, call)
    return _deadlines(policy, kind, severity, area, tier, clock.now())


def _deadlines(policy: str, kind: str, severity: str, area: str, tier: str,
               now: datetime) -> dict[str, datetime | None]:
    """The policy's deadlines; a kind or severity it does not know is the caller's input, refused as such."""
    try:
        return work_order_deadlines(policy, kind, severity, area, tier, now)
    except UnknownNameError as exc:
        if exc.field not in ("kind", "severity"):
            raise  # the caller's area or tier: the data, not the input
        raise InvalidInput(f"workorder.bad_{exc.field}", field=exc.field, valid=", ".join(exc.valid)) from None


def create_work_order(
    session: Session,
    call_id: int,
    *,
    kind: str,
    severity: str,
    description: str,
    department_id: int,
    policy: str,
    actor: AgentInfo,
    request_type: str | None = None,
    detail: dict | None = None,
) -> WorkOrderInfo:
    if severity not in SEVERITIES:
        raise InvalidInput("workorder.bad_severity", field="severity", valid=", ".join(SEVERITIES))
    description = _text(description, "description")
    department = session.get(Department, department_id)
    if department is None:
        raise InvalidInput("workorder.bad_department", field="department")
    call = _call(session, call_id, actor)
    now = clock.now()
    area, tier = _caller_profile(session, call)
    deadlines = _deadlines(policy, kind, severity, area, tier, now)
    flagged = has_forbidden_phrase(description)
    order = WorkOrder(
        number=f"tmp-{call_id}-{now.timestamp()}",
        call_id=call_id, customer_id=call.customer_id, kind=kind, severity=severity, area_class=area, tier=tier,
        department_id=department_id, owner_agent_id=actor.id, status="dispatched", description=description,
        phrase_flag=flagged, created_at=now, dispatched_at=now,
        respond_by=deadlines["respond_by"], reply_by=deadlines["reply_by"], resolve_by=deadlines["resolve_by"],
        callback_by=deadlines["callback_by"], contact_by=deadlines["contact_by"], warn_at=deadlines["warn_at"],
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    # The number carries the id, so desks on one database never hand out the same one.
    order.number = f"GD{now:%Y%m%d}-{order.id:06d}"
    session.add(order)
    session.add(WorkOrderEvent(work_order_id=order.id, at=now, kind="created", agent_id=actor.id,
                               detail=json.dumps(detail or {}, ensure_ascii=False)))
    call.request_type = request_type or ("business" if kind in ("install", "business") else "repair")
    call.outcome = "work_order"
    call.request_text = description
    call.phrase_flag = call.phrase_flag or flagged
    session.add(call)
    audit.record(session, "workorder.create", actor_id=actor.id, entity="work_order", entity_id=order.id,
                 call_id=call_id, kind=kind, severity=severity, **(detail or {}))
    return WorkOrderInfo(order.id, order.number, kind, department.name, deadlines.get("respond_by"),
                         deadlines.get("contact_by"), deadlines.get("resolve_by"), flagged)


def record_materials_missing(session: Session, call_id: int, *, business: str, missing: list[str],
                             actor: AgentInfo) -> None:
    """Business acceptance with materials missing: all of them told at once, no order yet.

    The time limit only starts once the materials are complete (seed 001), so no work
    order is opened; the call keeps what was told.
    """
    call = _call(session, call_id, actor)
    call.request_type = "business"
    call.outcome = "materials_missing"
    call.request_text = json.dumps({"business": business, "missing": missing}, ensure_ascii=False)
    session.add(call)
    audit.record(session, "call.materials_missing", actor_id=actor.id, entity="call", entity_id=call_id,
                 business=business, missing=missing)


def record_praise(session: Session, call_id: int, *, kind: str, content: str, forward: bool,
                  actor: AgentInfo) -> bool:
    """Praise or suggestion: recorded, read back, archived, marked for forwarding."""
    if kind not in ("praise", "suggestion"):
        raise InvalidInput("call.bad_praise_kind", field="kind")
    content = _text(content, "content")
    call = _call(session, call_id, actor)
    flagged = has_forbidden_phrase(content)
    call.request_type = "praise"
    call.outcome = kind
    call.request_text = content
    call.forward = forward
    call.phrase_flag = call.phrase_flag or flagged
    session.add(call)
    audit.record(session, "call.praise", actor_id=actor.id, entity="call", entity_id=call_id, kind=kind,
                 forward=forward)
    return flagged


def needs_checklist(session: Session, call_id: int) -> bool:
    """Something left unsolved: a work order or a promised reply came out of this call."""
    order = session.execute(select(col(WorkOrder.id)).where(col(WorkOrder.call_id) == call_id).limit(1)).first()
    followup = session.execute(
        select(col(Callback.id)).where(col(Callback.call_id) == call_id, col(Callback.kind) == "followup").limit(1)
    ).first()
    return bool(order or followup)


def close_call(
    session: Session, call_id: int, *, summary: str, checklist: dict[str, bool] | None, actor: AgentInfo
) -> bool:
    """End the call; refused while a first-contact item is unticked. Returns the phrase flag."""
    call = _call(session, call_id, actor)
    summary = _text(summary, "summary", required=False)
    if needs_checklist(session, call_id):
        ticks = checklist or {}
        missing = [item for item in CHECKLIST_ITEMS if not ticks.get(item)]
        if missing:
            raise InvalidInput("call.checklist_incomplete", field="checklist")
        call.checklist = json.dumps({item: True for item in CHECKLIST_ITEMS}, sort_keys=True)
    flagged = has_forbidden_phrase(summary)
    call.summary = summary or None
    call.phrase_flag = call.phrase_flag or flagged
    call.outcome = call.outcome or "answered"
    call.ended_at = clock.now()
    call.status = "closed"
    session.add(call)
    audit.record(session, "call.close", actor_id=actor.id, entity="call", entity_id=call_id,
                 outcome=call.outcome, phrase_flag=call.phrase_flag)
    return flagged


def resume_call(session: Session, call_id: int, *, actor: AgentInfo) -> tuple[CallInfo, CallerInfo | None, bool]:
    """Pick an open call up again (after a crash): the call, who was calling, and whether
    something is already owed (so the first-contact checklist still applies)."""
    call = _call(session, call_id, actor)
    caller: CallerInfo | None = None
    if call.customer_id is not None:
        customer = session.get(Customer, call.customer_id)
        if customer is not None:
            from agentdesk.models import CustomerPhone

            phone = session.execute(
                select(col(CustomerPhone.phone)).where(col(CustomerPhone.customer_id) == customer.id)
                .order_by(col(CustomerPhone.id)).limit(1)
            ).scalar_one_or_none()
            caller = CallerInfo(customer.id, customer.name, phone or "", customer.address, customer.area_name,
                                customer.area_class, customer.tier)
    elif call.caller_name:
        caller = CallerInfo(None, call.caller_name, call.caller_phone or "", call.caller_address or "", "",
                            "city", "regular")
    assert call.id is not None
    return CallInfo(call.id, call.started_at), caller, needs_checklist(session, call_id)
