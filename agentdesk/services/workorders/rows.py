"""Reading orders: the rows the queues show, one keyset page at a time, and one order in full
with its history merged from its own events and its audit rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.models import (
    Agent,
    AuditEvent,
    Call,
    Customer,
    DelayRequest,
    Department,
    WorkOrder,
    WorkOrderEvent,
)
from agentdesk.normalize import mask_phone
from agentdesk.services.errors import InvalidInput
from agentdesk.services.messages import stored_text
from agentdesk.services.paging import Page
from agentdesk.services.phones import first_phones
from agentdesk.services.rows import get_or_not_found, row_id
from agentdesk.services.workorders.clocks import badge, paused_clause, paused_ids
from agentdesk.services.workorders.common import (
    MAX_PAGE,
    OPEN_STATUSES,
    STATUSES,
    DelayInfo,
    OrderDetail,
    OrderEvent,
    OrderRow,
    level_name,
)
from agentdesk.services.workorders.history import describe


def agent_numbers(session: Session, ids: set[int | None]) -> dict[int, tuple[str, str]]:
    """(number, name) by agent id."""
    known = {i for i in ids if i is not None}
    if not known:
        return {}
    return {aid: (number, name) for aid, number, name in
            session.execute(select(Agent.id, Agent.number, Agent.name).where(col(Agent.id).in_(known))).all()
            if aid is not None}


#: What a queue row needs of an order, read as columns: a page used to load up to
#: ``page_size + 1`` whole WorkOrder objects per status (153 for a page of 50), and building
#: them was the most of a busy server's time spent in any one operation (py-spy, 500 desks).
ROW_COLUMNS = tuple(col(getattr(WorkOrder, name)) for name in (
    "id", "number", "kind", "severity", "status", "department_id", "customer_id", "call_id", "owner_agent_id",
    "created_at", "resolve_by", "warn_at", "escalation_level"))


def order_rows(session: Session, orders: Sequence[Any]) -> list[OrderRow]:
    """OrderRows for a page of orders (WorkOrder objects, or rows of :data:`ROW_COLUMNS`):
    related names fetched in one query per table."""
    if not orders:
        return []
    now = clock.now()
    dept_ids = {o.department_id for o in orders if o.department_id is not None}
    cust_ids = {o.customer_id for o in orders if o.customer_id is not None}
    call_ids = {o.call_id for o in orders if o.call_id is not None and o.customer_id is None}
    depts: dict[int | None, str] = dict(session.execute(
        select(Department.id, Department.name).where(col(Department.id).in_(dept_ids))).all()) \
        if dept_ids else {}
    names: dict[int | None, str] = dict(session.execute(
        select(Customer.id, Customer.name).where(col(Customer.id).in_(cust_ids))).all()) \
        if cust_ids else {}
    phones = first_phones(session, cust_ids)
    callers = {cid: (name, phone) for cid, name, phone in session.execute(
        select(Call.id, Call.caller_name, Call.caller_phone).where(col(Call.id).in_(call_ids))).all()} \
        if call_ids else {}
    owners = agent_numbers(session, {o.owner_agent_id for o in orders})
    paused = paused_ids(session, [row_id(o) for o in orders if o.status in OPEN_STATUSES])
    out = []
    for o in orders:
        if o.customer_id is not None:
            name, phone = names.get(o.customer_id, ""), phones.get(o.customer_id, "")
        else:
            caller = callers.get(o.call_id, (None, None))
            name, phone = caller[0] or "", caller[1] or ""
        out.append(OrderRow(
            id=row_id(o), number=o.number, kind=o.kind, severity=o.severity, status=o.status,
            department=depts.get(o.department_id, ""), customer_name=name,
            phone_masked=mask_phone(phone) if phone else "", created_at=o.created_at, resolve_by=o.resolve_by,
            badge=badge(o, now, o.id in paused), escalation_level=level_name(o.escalation_level),
            owner_number=owners[o.owner_agent_id][0] if o.owner_agent_id in owners else None,
        ))
    return out


def order_row(session: Session, order_id: int) -> OrderRow:
    order = get_or_not_found(session, WorkOrder, order_id, "workorder.not_found")
    return order_rows(session, [order])[0]


# -- listing ------------------------------------------------------------------------------------


def _statuses(status: str | Sequence[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if status is None:
        return default
    chosen = (status,) if isinstance(status, str) else tuple(status)
    for s in chosen:
        if s not in STATUSES:
            raise InvalidInput("workorder.bad_status", field="status", value=s, valid=", ".join(STATUSES))
    return tuple(dict.fromkeys(chosen))


def _sort_key(order: Any) -> tuple[bool, datetime, int]:
    return (order.resolve_by is None, order.resolve_by or datetime.min, row_id(order))


def list_orders(
    session: Session,
    *,
    status: str | Sequence[str] | None = None,
    department_id: int | None = None,
    kind: str | None = None,
    overdue: bool = False,
    warning: bool = False,
    owner_id: int | None = None,
    page_size: int = 50,
    cursor: tuple[Any, ...] | None = None,
) -> Page:
    """Work orders by nearest deadline (``resolve_by``, then id; no deadline last), one page.

    ``status`` — one status or several; default the open ones (new, dispatched, in_progress).
    ``overdue`` — ``resolve_by < now``; ``warning`` — ``warn_at <= now <= resolve_by``; both
    only for open, running (not paused) orders. ``cursor`` is the previous page's
    ``next_cursor``: ``(resolve_by, id)`` of its last row.

    Keyset paging, one indexed range per status (``ix_work_orders_status_resolve_by``: the
    rows come out of the index already in order, ``LIMIT page_size + 1`` each), merged here.
    """
    statuses = _statuses(status, OPEN_STATUSES)
    if overdue or warning:
        statuses = tuple(s for s in statuses if s in OPEN_STATUSES)
    page_size = max(1, min(int(page_size), MAX_PAGE))
    now = clock.now()
    after_deadline, after_id = (cursor[0], int(cursor[1])) if cursor else (None, None)
    in_null_phase = cursor is not None and after_deadline is None
    resolve_by, order_id = col(WorkOrder.resolve_by), col(WorkOrder.id)

    filters: list[ColumnElement[bool]] = []
    if department_id is not None:
        filters.append(col(WorkOrder.department_id) == department_id)
    if kind is not None:
        filters.append(col(WorkOrder.kind) == kind)
    if owner_id is not None:
        filters.append(col(WorkOrder.owner_agent_id) == owner_id)
    if overdue:
        filters += [resolve_by < now, ~paused_clause()]
    if warning:
        filters += [resolve_by >= now, col(WorkOrder.warn_at) <= now, ~paused_clause()]

    fetched: list[Any] = []
    want = page_size + 1
    for st in statuses:
        got: list[Any] = []
        if not in_null_phase:
            q = select(*ROW_COLUMNS).where(col(WorkOrder.status) == st, resolve_by.is_not(None), *filters)
            if after_deadline is not None:
                q = q.where(resolve_by >= after_deadline, or_(resolve_by > after_deadline, order_id > after_id))
            got = list(session.execute(q.order_by(resolve_by, order_id).limit(want)).all())
        if len(got) < want and not (overdue or warning):
            q = select(*ROW_COLUMNS).where(col(WorkOrder.status) == st, resolve_by.is_(None), *filters)
            if in_null_phase:
                q = q.where(order_id > after_id)
            got += list(session.execute(q.order_by(order_id).limit(want - len(got))).all())
        fetched.extend(got)
    fetched.sort(key=_sort_key)
    page = fetched[:page_size]
    more = len(fetched) > page_size
    next_cursor = (page[-1].resolve_by, page[-1].id) if more and page else None
    return Page(tuple(order_rows(session, page)), next_cursor)


def warning_and_overdue(session: Session, limit: int = 50) -> tuple[list[OrderRow], list[OrderRow]]:
    """(orders in warning, orders overdue), nearest deadline first, at most ``limit`` each."""
    warn = list_orders(session, warning=True, page_size=limit).rows
    late = list_orders(session, overdue=True, page_size=limit).rows
    return list(warn), list(late)


# -- delays and one order -----------------------------------------------------------------------


def delay_infos(session: Session, delays: Sequence[DelayRequest]) -> list[DelayInfo]:
    if not delays:
        return []
    numbers: dict[int | None, str] = dict(session.execute(
        select(WorkOrder.id, WorkOrder.number).where(col(WorkOrder.id).in_({d.work_order_id for d in delays}))
    ).all())
    people: set[int | None] = {*(d.requested_by_id for d in delays), *(d.decided_by_id for d in delays)}
    agents = agent_numbers(session, people)
    out = []
    for d in delays:
        assert d.id is not None
        out.append(DelayInfo(
            id=d.id, work_order_id=d.work_order_id, order_number=numbers.get(d.work_order_id, ""), reason=d.reason,
            proposed_deadline=d.proposed_deadline, status=d.status,
            requested_by=agents.get(d.requested_by_id, ("", ""))[0],
            decided_by=agents[d.decided_by_id][0] if d.decided_by_id in agents else None,
            created_at=d.created_at, decided_at=d.decided_at,
        ))
    return out


def _department_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return {code: name for code, name in session.execute(
        select(Department.code, Department.name).where(col(Department.code).in_(codes))).all()}


_AUDIT_TO_EVENT = {"create": "created"}


def get_order(session: Session, order_id: int) -> OrderDetail:
    order = get_or_not_found(session, WorkOrder, order_id, "workorder.not_found")
    row = order_rows(session, [order])[0]
    events = session.execute(
        select(WorkOrderEvent).where(col(WorkOrderEvent.work_order_id) == order_id)
        .order_by(col(WorkOrderEvent.at), col(WorkOrderEvent.id))
    ).scalars().all()
    audits = session.execute(
        # No audit row predates the order: the range keeps this on ix_audit_events_at (there is
        # no (entity, entity_id) index yet).
        select(AuditEvent).where(col(AuditEvent.at) >= order.created_at, col(AuditEvent.entity) == "work_order",
                                 col(AuditEvent.entity_id) == order_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).scalars().all()
    agents = agent_numbers(session, {e.agent_id for e in events} | {a.agent_id for a in audits})
    seen = {(e.at, e.agent_id, e.kind) for e in events}
    kinds = {e.kind for e in events}
    merged: list[tuple[datetime, int, int, OrderEvent]] = []
    none: tuple[str | None, str | None] = (None, None)
    details = [(e, json.loads(e.detail) if e.detail else {}) for e in events]
    departments = _department_names(session, {str(d["department"]) for _, d in details if d.get("department")})
    for e, data in details:
        if data.get("department") in departments:
            data["department_name"] = departments[data["department"]]
        who = agents.get(e.agent_id, none) if e.agent_id is not None else none
        merged.append((e.at, 0, e.id or 0,
                       OrderEvent(e.at, e.kind, who[0], who[1], describe(e.kind, data), "event", data)))
    for a in audits:
        short = a.action.split(".", 1)[1] if a.action.startswith("workorder.") else a.action
        if (a.at, a.agent_id, short) in seen or _AUDIT_TO_EVENT.get(short) in kinds:
            continue  # the same change, already in the order's own history (one creation per order)
        data = json.loads(a.detail) if a.detail else {}
        data.pop("number", None)
        who = agents.get(a.agent_id, none) if a.agent_id is not None else none
        merged.append((a.at, 1, a.id or 0,
                       OrderEvent(a.at, a.action, who[0], who[1], describe(a.action, data), "audit", data)))
    merged.sort(key=lambda m: (m[0], m[1], m[2]))
    delays = session.execute(
        select(DelayRequest).where(col(DelayRequest.work_order_id) == order_id)
        .order_by(col(DelayRequest.created_at), col(DelayRequest.id))
    ).scalars().all()
    deadlines = {c: getattr(order, c) for c in ("respond_by", "reply_by", "contact_by", "resolve_by",
                                                 "callback_by", "warn_at")}
    return OrderDetail(
        row=row, description=stored_text(order.description_message, order.description),
        area_class=order.area_class, tier=order.tier,
        deadlines=deadlines, events=tuple(m[3] for m in merged), delays=tuple(delay_infos(session, delays)),
        version=order.version,
    )
