"""Work orders after the call: status, deadlines, pauses, delays, urging and escalation.

DESIGN.md "Work orders, deadlines, escalation". Functions over a Session like the other
services: rules and roles are enforced here, every change writes its ``WorkOrderEvent`` and
its audit row in the caller's transaction, and plain frozen dataclasses come back.

Status life cycle (``STATUSES``)::

    new ──► dispatched ──► in_progress ──► resolved ──► callback ──► closed
     └───────────────────────►┘  └──────────►┘  └──────────────────────►┘
    dispatched ──► resolved            resolved ──► closed (no callback owed)
    resolved / callback / closed ──► in_progress   (reopen, a reason is required)

Deadlines. The deadline columns of ``work_orders`` are the *effective* ones (pauses and
approved delays applied), so queues sort and filter by stored, indexed columns:

* the clock starts at ``created_at``, or at the latest reopen;
* ``pause`` (customer unreachable / not at home) stops every clock; while paused the stored
  deadlines are those of the moment the clock stopped, and the badge says "paused";
  ``resume`` moves them later by the paused time;
* an approved delay (``extend`` event) moves ``resolve_by`` to the approved moment — never
  earlier than it already was;
* ``warn_at`` is the moment 75 % of the allowed (unpaused) time of the final clock is used
  (``services.deadlines.WARN_RATIO``, the same rule the order was created with).

``pause`` / ``resume`` / ``decide_delay`` update the stored columns incrementally from the
history, so they need no policy; given ``policy=`` they rebuild everything with
:func:`recompute_deadlines` instead (both give the same result — a test checks).

"Open" below means the clock runs: new, dispatched, in_progress (``OPEN_STATUSES``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from agentdesk import clock
from agentdesk.i18n import t
from agentdesk.models import (
    Agent,
    AuditEvent,
    Call,
    Callback,
    Customer,
    CustomerPhone,
    DelayRequest,
    Department,
    WorkOrder,
    WorkOrderEvent,
)
from agentdesk.normalize import clean_text, mask_phone
from agentdesk.policy import EXTEND, PAUSE, RESUME, CallbackRule, Policy, StatusEvent, UnknownNameError, evaluate
from agentdesk.policy import load_policy as _load_policy
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.deadlines import WARN_RATIO, work_order_deadlines
from agentdesk.services.errors import InvalidInput, NotFound, ServiceError

STATUSES = ("new", "dispatched", "in_progress", "resolved", "callback", "closed")
OPEN_STATUSES = ("new", "dispatched", "in_progress")
DONE_STATUSES = ("resolved", "callback", "closed")
ESCALATION_LEVELS = ("window", "branch", "province", "national")
BADGES = ("on_time", "warning", "overdue", "paused", "done")

TRANSITIONS: frozenset[tuple[str, str]] = frozenset({
    ("new", "dispatched"),
    ("new", "in_progress"),
    ("dispatched", "in_progress"),
    ("dispatched", "resolved"),
    ("in_progress", "resolved"),
    ("resolved", "callback"),
    ("resolved", "closed"),
    ("callback", "closed"),
    # reopen (reason required)
    ("resolved", "in_progress"),
    ("callback", "in_progress"),
    ("closed", "in_progress"),
})

#: Callbacks that are still owed (not done, not given up, not cancelled).
OPEN_CALLBACK_STATUSES = ("pending", "claimed")
#: When an "always" callback rule states no window: call back within this long.
DEFAULT_CALLBACK_WITHIN = timedelta(hours=24)
MAX_TEXT = 4000
MAX_PAGE = 500
_CLOCK_COLUMNS = ("respond_by", "reply_by", "contact_by", "resolve_by")
_FINAL_CLOCKS = ("resolve_by", "reply_by", "respond_by")  # the warning follows the first present


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
    badge: str  # on_time | warning | overdue | paused | done
    escalation_level: str  # a name from ESCALATION_LEVELS
    owner_number: str | None  # the owning agent's number


@dataclass(frozen=True)
class OrderEvent:
    at: datetime
    kind: str  # WorkOrderEvent kind ("created", "status", "pause", …) or audit action
    agent_number: str | None
    agent_name: str | None
    detail: str  # "key: value; …" of the recorded detail (user text included as data)
    source: str = "event"  # "event" (WorkOrderEvent) or "audit" (AuditEvent)
    data: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class DelayInfo:
    id: int
    work_order_id: int
    order_number: str
    reason: str
    proposed_deadline: datetime
    status: str  # pending | approved | rejected
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


@dataclass(frozen=True)
class Page:
    rows: tuple
    next_cursor: tuple | None  # pass back as ``cursor=`` for the next page; None on the last page


# -- small helpers ---------------------------------------------------------------------------


def _policy(name: str) -> Policy:
    return _load_policy(name)


def _text(value: str | None, field_name: str, *, required: bool) -> str:
    value = clean_text(value or "").strip()
    if required and not value:
        raise InvalidInput("field.required", field=field_name)
    if len(value) > MAX_TEXT:
        raise InvalidInput("field.too_long", field=field_name, limit=MAX_TEXT)
    return value


def _lock(session: Session, order_id: int) -> WorkOrder:
    """The order, row-locked on PostgreSQL (SQLite write transactions are already exclusive)."""
    order = session.get(WorkOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound("workorder.not_found", id=order_id)
    return order


def _check_version(order: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise Conflict(number=order.number, expected=expected_version, actual=order.version)


def _event(session: Session, order: WorkOrder, kind: str, actor: AgentInfo | None, at: datetime,
           **detail: object) -> None:
    session.add(WorkOrderEvent(
        work_order_id=order.id, at=at, kind=kind, agent_id=actor.id if actor else None,
        detail=json.dumps(detail, ensure_ascii=False, default=_json_default, sort_keys=True) if detail else None,
    ))


def _json_default(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _audit(session: Session, action: str, order: WorkOrder, actor: AgentInfo | None, **detail: object) -> None:
    audit.record(session, f"workorder.{action}", actor_id=actor.id if actor else None, entity="work_order",
                 entity_id=order.id, number=order.number, **detail)


def _bump(session: Session, order: WorkOrder) -> None:
    order.version += 1
    session.add(order)


def _require_open(order: WorkOrder) -> None:
    if order.status not in OPEN_STATUSES:
        raise InvalidInput("workorder.not_open", number=order.number, status=order.status)


def _trunc(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


# -- the clock history -------------------------------------------------------------------------


def _clock_start(session: Session, order: WorkOrder) -> datetime:
    """When the order's clocks started: the latest reopen, else its creation."""
    reopened = session.execute(
        select(WorkOrderEvent.at)
        .where(WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.kind == "reopen")
        .order_by(WorkOrderEvent.at.desc(), WorkOrderEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return reopened or order.created_at


def _clock_events(session: Session, order_id: int, start: datetime) -> list[StatusEvent]:
    """pause / resume / extend since ``start``, oldest first, as policy StatusEvents."""
    rows = session.execute(
        select(WorkOrderEvent.at, WorkOrderEvent.kind, WorkOrderEvent.detail)
        .where(WorkOrderEvent.work_order_id == order_id, WorkOrderEvent.kind.in_((PAUSE, RESUME, EXTEND)),
               WorkOrderEvent.at >= start)
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    ).all()
    out: list[StatusEvent] = []
    for at, kind, detail in rows:
        if kind == EXTEND:
            data = json.loads(detail or "{}")
            raw = data.get("new_deadline")
            out.append(StatusEvent(at, EXTEND, new_deadline=datetime.fromisoformat(raw) if raw else None))
        else:
            out.append(StatusEvent(at, kind))
    return out


def _running_pause(events: Sequence[StatusEvent]) -> datetime | None:
    """When the current pause began, or None when the clock runs."""
    since: datetime | None = None
    for ev in events:
        if ev.kind == PAUSE and since is None:
            since = ev.at
        elif ev.kind == RESUME:
            since = None
    return since


def _frozen(events: list[StatusEvent]) -> list[StatusEvent]:
    """While paused, stored deadlines are those of the moment the clock last stopped: close the
    running pause at the last event (the pause, or an extend approved during it)."""
    if _running_pause(events) is None or not events:
        return events
    return [*events, StatusEvent(events[-1].at, RESUME)]


def is_paused(session: Session, order_id: int) -> bool:
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise NotFound("workorder.not_found", id=order_id)
    return _running_pause(_clock_events(session, order_id, _clock_start(session, order))) is not None


def _paused_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    rows = session.execute(
        select(WorkOrderEvent.work_order_id, WorkOrderEvent.kind)
        .where(WorkOrderEvent.work_order_id.in_(ids), WorkOrderEvent.kind.in_((PAUSE, RESUME)))
        .order_by(WorkOrderEvent.at, WorkOrderEvent.id)
    ).all()
    last: dict[int, str] = {}
    for oid, kind in rows:
        last[oid] = kind
    return {oid for oid, kind in last.items() if kind == PAUSE}


def _paused_clause():  # type: ignore[no-untyped-def]
    """SQL: the order has a pause with no later resume (used to keep paused orders out of the
    overdue and warning lists; their clock is stopped)."""
    pause = aliased(WorkOrderEvent)
    resume = aliased(WorkOrderEvent)
    later_resume = exists().where(resume.work_order_id == pause.work_order_id, resume.kind == RESUME, resume.id > pause.id)
    return exists().where(pause.work_order_id == WorkOrder.id, pause.kind == PAUSE, ~later_resume)


def _warn_at(start: datetime, paused_for: timedelta, allowed: timedelta) -> datetime:
    if allowed <= timedelta(0):
        return _trunc(start + paused_for)
    return _trunc(start + paused_for + allowed * WARN_RATIO)


def recompute_deadlines(session: Session, order: WorkOrder, policy: str) -> dict[str, datetime | None]:
    """Rebuild the stored deadline columns: the policy's clocks from the clock start, then the
    pauses and approved extensions replayed from the order's history. Returns the columns."""
    start = _clock_start(session, order)
    done_at = order.resolved_at if order.status in DONE_STATUSES else None
    base = work_order_deadlines(policy, order.kind, order.severity, order.area_class, order.tier, start,
                                done_at=done_at)
    events = _clock_events(session, order.id, start)
    no_extend = [e for e in events if e.kind != EXTEND]
    now = max(clock.now(), start)
    out: dict[str, datetime | None] = {}
    states = {}
    for col in _CLOCK_COLUMNS:
        deadline = base.get(col)
        if deadline is None:
            out[col] = None
            continue
        evs = _frozen(events if col == "resolve_by" else no_extend)
        state = evaluate(start, deadline, evs, now, WARN_RATIO)
        states[col] = state
        out[col] = state.deadline
    out["callback_by"] = base.get("callback_by") if done_at else None
    final = next((c for c in _FINAL_CLOCKS if c in states), None)
    out["warn_at"] = _warn_at(start, states[final].paused_for, states[final].allowed) if final else None
    for col, value in out.items():
        setattr(order, col, value)
    session.add(order)
    return out


# -- rows ---------------------------------------------------------------------------------------


def _badge(order: WorkOrder, now: datetime, paused: bool) -> str:
    if order.status in DONE_STATUSES:
        return "done"
    if paused:
        return "paused"
    if order.resolve_by is not None:
        if now > order.resolve_by:
            return "overdue"
        if order.warn_at is not None and order.warn_at <= now:
            return "warning"
        return "on_time"
    if order.warn_at is not None and order.warn_at <= now:
        return "warning"
    return "on_time"


def _first_phones(session: Session, customer_ids: set[int]) -> dict[int, str]:
    if not customer_ids:
        return {}
    phones: dict[int, str] = {}
    for cid, phone in session.execute(
        select(CustomerPhone.customer_id, CustomerPhone.phone)
        .where(CustomerPhone.customer_id.in_(customer_ids))
        .order_by(CustomerPhone.customer_id, CustomerPhone.id)
    ).all():
        phones.setdefault(cid, phone)
    return phones


def _agent_numbers(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {aid: (number, name) for aid, number, name in
            session.execute(select(Agent.id, Agent.number, Agent.name).where(Agent.id.in_(ids))).all()}


def _rows(session: Session, orders: Sequence[WorkOrder]) -> list[OrderRow]:
    """OrderRows for a page of orders: related names fetched in one query per table."""
    if not orders:
        return []
    now = clock.now()
    dept_ids = {o.department_id for o in orders if o.department_id is not None}
    cust_ids = {o.customer_id for o in orders if o.customer_id is not None}
    call_ids = {o.call_id for o in orders if o.call_id is not None and o.customer_id is None}
    depts = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(dept_ids))).all()) \
        if dept_ids else {}
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(cust_ids))).all()) \
        if cust_ids else {}
    phones = _first_phones(session, cust_ids)
    callers = {cid: (name, phone) for cid, name, phone in session.execute(
        select(Call.id, Call.caller_name, Call.caller_phone).where(Call.id.in_(call_ids))).all()} if call_ids else {}
    owners = _agent_numbers(session, {o.owner_agent_id for o in orders if o.owner_agent_id is not None})
    paused = _paused_ids(session, [o.id for o in orders if o.status in OPEN_STATUSES])
    out = []
    for o in orders:
        if o.customer_id is not None:
            name, phone = names.get(o.customer_id, ""), phones.get(o.customer_id, "")
        else:
            caller = callers.get(o.call_id, (None, None))
            name, phone = caller[0] or "", caller[1] or ""
        level = ESCALATION_LEVELS[min(max(o.escalation_level, 0), len(ESCALATION_LEVELS) - 1)]
        out.append(OrderRow(
            id=o.id, number=o.number, kind=o.kind, severity=o.severity, status=o.status,
            department=depts.get(o.department_id, ""), customer_name=name,
            phone_masked=mask_phone(phone) if phone else "", created_at=o.created_at, resolve_by=o.resolve_by,
            badge=_badge(o, now, o.id in paused), escalation_level=level,
            owner_number=owners[o.owner_agent_id][0] if o.owner_agent_id in owners else None,
        ))
    return out


def order_row(session: Session, order_id: int) -> OrderRow:
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise NotFound("workorder.not_found", id=order_id)
    return _rows(session, [order])[0]


# -- listing ------------------------------------------------------------------------------------


def _statuses(status: str | Sequence[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if status is None:
        return default
    chosen = (status,) if isinstance(status, str) else tuple(status)
    for s in chosen:
        if s not in STATUSES:
            raise InvalidInput("workorder.bad_status", field="status", value=s, valid=", ".join(STATUSES))
    return tuple(dict.fromkeys(chosen))


def _sort_key(order: WorkOrder) -> tuple:
    return (order.resolve_by is None, order.resolve_by or datetime.min, order.id)


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
    cursor: tuple | None = None,
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

    filters = []
    if department_id is not None:
        filters.append(WorkOrder.department_id == department_id)
    if kind is not None:
        filters.append(WorkOrder.kind == kind)
    if owner_id is not None:
        filters.append(WorkOrder.owner_agent_id == owner_id)
    if overdue:
        filters += [WorkOrder.resolve_by < now, ~_paused_clause()]
    if warning:
        filters += [WorkOrder.resolve_by >= now, WorkOrder.warn_at <= now, ~_paused_clause()]

    fetched: list[WorkOrder] = []
    want = page_size + 1
    for st in statuses:
        got: list[WorkOrder] = []
        if not in_null_phase:
            q = select(WorkOrder).where(WorkOrder.status == st, WorkOrder.resolve_by.is_not(None), *filters)
            if after_deadline is not None:
                q = q.where(WorkOrder.resolve_by >= after_deadline,
                            or_(WorkOrder.resolve_by > after_deadline, WorkOrder.id > after_id))
            got = list(session.execute(q.order_by(WorkOrder.resolve_by, WorkOrder.id).limit(want)).scalars())
        if len(got) < want and not (overdue or warning):
            q = select(WorkOrder).where(WorkOrder.status == st, WorkOrder.resolve_by.is_(None), *filters)
            if in_null_phase:
                q = q.where(WorkOrder.id > after_id)
            got += list(session.execute(q.order_by(WorkOrder.id).limit(want - len(got))).scalars())
        fetched.extend(got)
    fetched.sort(key=_sort_key)
    page = fetched[:page_size]
    more = len(fetched) > page_size
    next_cursor = (page[-1].resolve_by, page[-1].id) if more and page else None
    return Page(tuple(_rows(session, page)), next_cursor)


def warning_and_overdue(session: Session, limit: int = 50) -> tuple[list[OrderRow], list[OrderRow]]:
    """(orders in warning, orders overdue), nearest deadline first, at most ``limit`` each."""
    warn = list_orders(session, warning=True, page_size=limit).rows
    late = list_orders(session, overdue=True, page_size=limit).rows
    return list(warn), list(late)


# -- one order --------------------------------------------------------------------------------


def _detail_text(data: dict) -> str:
    return "; ".join(f"{k}: {v}" for k, v in data.items() if v not in (None, "", [], {}))


_AUDIT_TO_EVENT = {"create": "created"}


def get_order(session: Session, order_id: int) -> OrderDetail:
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise NotFound("workorder.not_found", id=order_id)
    row = _rows(session, [order])[0]
    events = session.execute(
        select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == order_id).order_by(WorkOrderEvent.at,
                                                                                       WorkOrderEvent.id)
    ).scalars().all()
    audits = session.execute(
        # No audit row predates the order: the range keeps this on ix_audit_events_at (there is
        # no (entity, entity_id) index yet).
        select(AuditEvent).where(AuditEvent.at >= order.created_at, AuditEvent.entity == "work_order",
                                 AuditEvent.entity_id == order_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).scalars().all()
    agents = _agent_numbers(session, {e.agent_id for e in events} | {a.agent_id for a in audits})
    seen = {(e.at, e.agent_id, e.kind) for e in events}
    kinds = {e.kind for e in events}
    merged: list[tuple[datetime, int, int, OrderEvent]] = []
    for e in events:
        data = json.loads(e.detail) if e.detail else {}
        who = agents.get(e.agent_id, (None, None))
        merged.append((e.at, 0, e.id, OrderEvent(e.at, e.kind, who[0], who[1], _detail_text(data), "event", data)))
    for a in audits:
        short = a.action.split(".", 1)[1] if a.action.startswith("workorder.") else a.action
        if (a.at, a.agent_id, short) in seen or _AUDIT_TO_EVENT.get(short) in kinds:
            continue  # the same change, already in the order's own history (one creation per order)
        data = json.loads(a.detail) if a.detail else {}
        data.pop("number", None)
        who = agents.get(a.agent_id, (None, None))
        merged.append((a.at, 1, a.id, OrderEvent(a.at, a.action, who[0], who[1], _detail_text(data), "audit", data)))
    merged.sort(key=lambda m: (m[0], m[1], m[2]))
    delays = session.execute(
        select(DelayRequest).where(DelayRequest.work_order_id == order_id).order_by(DelayRequest.created_at,
                                                                                   DelayRequest.id)
    ).scalars().all()
    deadlines = {c: getattr(order, c) for c in ("respond_by", "reply_by", "contact_by", "resolve_by",
                                                 "callback_by", "warn_at")}
    return OrderDetail(
        row=row, description=order.description, area_class=order.area_class, tier=order.tier,
        deadlines=deadlines, events=tuple(m[3] for m in merged), delays=tuple(_delay_infos(session, delays)),
        version=order.version,
    )


# -- status -------------------------------------------------------------------------------------


def _open_callbacks(session: Session, order_id: int) -> list[Callback]:
    return list(session.execute(
        select(Callback).where(Callback.work_order_id == order_id, Callback.status.in_(OPEN_CALLBACK_STATUSES))
    ).scalars())


def _contact(session: Session, order: WorkOrder) -> tuple[str | None, str | None]:
    name = phone = None
    if order.customer_id is not None:
        customer = session.get(Customer, order.customer_id)
        name = customer.name if customer else None
        phone = _first_phones(session, {order.customer_id}).get(order.customer_id)
    if order.call_id is not None and (name is None or phone is None):
        call = session.get(Call, order.call_id)
        if call is not None:
            name = name or call.caller_name
            phone = phone or call.caller_phone
    return name, phone


def _base_kind(policy: Policy, kind: str) -> str:
    return policy.parent_kind(kind) or kind


def _next_weekday_close(policy: Policy, now: datetime, weekday: str) -> datetime:
    """The close of work of the next ``weekday`` (today included while work is still on)."""
    from agentdesk.policy.names import WEEKDAYS

    target = WEEKDAYS.index(weekday)
    cal = policy.calendar
    day = now.date()
    for _ in range(3):
        while day.weekday() != target:
            day += timedelta(days=1)
        workday = day if cal.is_working_day(day) else cal.next_working_day(day)
        close = cal.close_of_work(workday)
        if close is not None and close > now:
            return close
        day += timedelta(days=1)
    return now + timedelta(days=7)  # pragma: no cover - a calendar without working days


def callback_due(policy_name: str, order: WorkOrder, rule: CallbackRule | None, done_at: datetime) -> datetime:
    """When a callback for ``order`` finished at ``done_at`` is due under ``rule``."""
    policy = _policy(policy_name)
    try:
        clocks = work_order_deadlines(policy_name, order.kind, order.severity, order.area_class, order.tier,
                                      done_at, done_at=done_at)
    except UnknownNameError:
        clocks = {}
    if clocks.get("callback_by"):
        return clocks["callback_by"]  # type: ignore[return-value]
    if rule is not None and rule.within is not None:
        return rule.within.due(done_at, policy.calendar)
    if rule is not None and rule.mode == "sampled" and rule.on:
        return _next_weekday_close(policy, done_at, rule.on)
    return done_at + DEFAULT_CALLBACK_WITHIN


def _create_callback(session: Session, order: WorkOrder, policy_name: str, rule: CallbackRule | None,
                     now: datetime, actor: AgentInfo, sample_draw: str | None) -> Callback:
    policy = _policy(policy_name)
    name, phone = _contact(session, order)
    kind = _base_kind(policy, order.kind)
    description = order.description if len(order.description) <= 200 else order.description[:199] + "…"
    callback = Callback(
        kind=f"after_{kind}"[:16], customer_id=order.customer_id, work_order_id=order.id, call_id=order.call_id,
        contact_name=name, contact_phone=phone,
        reason=t("callback.reason_after_order", number=order.number, kind=t(f"kind.{kind}"), description=description),
        due_at=callback_due(policy_name, order, rule, now), status="pending", owner_agent_id=order.owner_agent_id,
        sample_draw=sample_draw, created_at=now,
    )
    session.add(callback)
    session.flush()
    audit.record(session, "callback.create", actor_id=actor.id, entity="callback", entity_id=callback.id,
                 work_order_id=order.id, kind=callback.kind, due_at=callback.due_at, sample_draw=sample_draw)
    return callback


def sample_draw(order_id: int, policy: str) -> float:
    """The reproducible draw for a sampled callback: same order and policy, same number."""
    return random.Random(f"{order_id}:{policy}").random()


def _callback_decision(session: Session, order: WorkOrder, policy_name: str, now: datetime,
                       actor: AgentInfo) -> tuple[Callback | None, str | None, str]:
    """Apply the policy's callback rule to a resolved order: (callback or None, draw text, mode)."""
    policy = _policy(policy_name)
    try:
        rule = policy.callback_rule(order.kind, order.tier)
    except UnknownNameError:
        rule = None
    if rule is None:
        return None, None, "none"
    if rule.mode == "sampled":
        rate = rule.rate or 0.0
        draw = sample_draw(order.id, policy_name)  # type: ignore[arg-type]
        if draw < rate:
            text = f"sampled {draw:.4f} < {rate:.2f}"
            return _create_callback(session, order, policy_name, rule, now, actor, text), text, "sampled"
        return None, f"not sampled {draw:.4f} >= {rate:.2f}", "sampled"
    return _create_callback(session, order, policy_name, rule, now, actor, None), None, rule.mode


def _apply_status(
    session: Session,
    order: WorkOrder,
    new_status: str,
    *,
    actor: AgentInfo,
    reason: str,
    policy: str,
    extra: dict | None = None,
) -> dict:
    """The transition itself (the order is already locked and version-checked). Returns audit detail."""
    old = order.status
    if (old, new_status) not in TRANSITIONS:
        raise BadTransition(old, new_status)
    reopen = old in DONE_STATUSES and new_status == "in_progress"
    reason = _text(reason, "reason", required=reopen)
    now = clock.now()
    detail: dict = {"from": old, "to": new_status, "reason": reason, **(extra or {})}

    if new_status == "closed" and _open_callbacks(session, order.id):
        raise InvalidInput("workorder.callback_owed", number=order.number)

    if reopen:
        for cb in _open_callbacks(session, order.id):
            cb.status = "cancelled"
            cb.done_at = now
            session.add(cb)
            audit.record(session, "callback.cancel", actor_id=actor.id, entity="callback", entity_id=cb.id,
                         work_order_id=order.id, reason="reopened")
        order.status = new_status
        order.resolved_at = None
        order.closed_at = None
        _event(session, order, "reopen", actor, now, **detail)
        session.flush()
        recompute_deadlines(session, order, policy)  # the clocks restart now
        _audit(session, "reopen", order, actor, **detail)
        _bump(session, order)
        return detail

    if new_status == "dispatched":
        order.dispatched_at = now
    if new_status == "resolved":
        if _running_pause(_clock_events(session, order.id, _clock_start(session, order))) is not None:
            _event(session, order, RESUME, actor, now, auto=True)
            session.flush()
            _shift_after_resume(session, order, now)
        order.resolved_at = now
    if new_status == "closed":
        order.closed_at = now
    order.status = new_status
    _event(session, order, "status", actor, now, **detail)

    if new_status == "resolved":
        try:
            order.callback_by = work_order_deadlines(policy, order.kind, order.severity, order.area_class,
                                                     order.tier, now, done_at=now).get("callback_by")
        except UnknownNameError:
            order.callback_by = None
        callback, draw, mode = _callback_decision(session, order, policy, now, actor)
        detail["callback_rule"] = mode
        if draw is not None:
            detail["sample_draw"] = draw
        if callback is not None:
            detail["callback_id"] = callback.id
            detail["callback_due"] = callback.due_at
            order.callback_by = callback.due_at
            order.status = "callback"
            _event(session, order, "status", actor, now, **{"from": "resolved", "to": "callback", "auto": True,
                                                             "callback_id": callback.id})
    elif new_status == "callback" and old == "resolved" and not _open_callbacks(session, order.id):
        # Asked for by hand (e.g. not drawn in the sample): a callback is owed from now on.
        callback = _create_callback(session, order, policy, None, now, actor, "requested")
        detail["callback_id"] = callback.id
        order.callback_by = callback.due_at

    _audit(session, "status", order, actor, **detail)
    _bump(session, order)
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
    order = _lock(session, order_id)
    _check_version(order, expected_version)
    _apply_status(session, order, new_status, actor=actor, reason=reason, policy=policy)
    session.flush()
    return _rows(session, [order])[0]


# -- pause / resume -----------------------------------------------------------------------------


def _shift_after_resume(session: Session, order: WorkOrder, now: datetime) -> None:
    """Move the stored deadlines later by the pause that just ended (no policy needed)."""
    events = _clock_events(session, order.id, _clock_start(session, order))
    # The history now ends with the resume; the pause it closes is the last one before it.
    pause_at: datetime | None = None
    extend_at: datetime | None = None
    for ev in events[:-1] if events and events[-1].kind == RESUME else events:
        if ev.kind == PAUSE and pause_at is None:
            pause_at, extend_at = ev.at, None
        elif ev.kind == RESUME:
            pause_at, extend_at = None, None
        elif ev.kind == EXTEND and pause_at is not None and ev.new_deadline is not None:
            extend_at = ev.at
    if pause_at is None:
        return
    start = _clock_start(session, order)
    gap_other = now - max(pause_at, start)
    gap_resolve = now - max(extend_at or pause_at, start)
    for col in ("respond_by", "reply_by", "contact_by"):
        value = getattr(order, col)
        if value is not None:
            setattr(order, col, value + gap_other)
    if order.resolve_by is not None:
        order.resolve_by = order.resolve_by + gap_resolve
    if order.warn_at is not None:
        order.warn_at = order.warn_at + (gap_resolve if order.resolve_by is not None else gap_other)
    session.add(order)


def pause(session: Session, order_id: int, *, actor: AgentInfo, reason: str, policy: str | None = None) -> OrderRow:
    """Stop the clock: customer unreachable or not at home (seed 003 rule 5; seed 000 on-site rule 2)."""
    reason = _text(reason, "reason", required=True)
    order = _lock(session, order_id)
    _require_open(order)
    start = _clock_start(session, order)
    if _running_pause(_clock_events(session, order.id, start)) is not None:
        raise InvalidInput("workorder.already_paused", number=order.number)
    now = clock.now()
    _event(session, order, PAUSE, actor, now, reason=reason)
    session.flush()
    if policy:
        recompute_deadlines(session, order, policy)
    _audit(session, PAUSE, order, actor, reason=reason)
    _bump(session, order)
    session.flush()
    return _rows(session, [order])[0]


def resume(session: Session, order_id: int, *, actor: AgentInfo, policy: str | None = None) -> OrderRow:
    """Run the clock again; the deadlines move later by the paused time."""
    order = _lock(session, order_id)
    _require_open(order)
    start = _clock_start(session, order)
    if _running_pause(_clock_events(session, order.id, start)) is None:
        raise InvalidInput("workorder.not_paused", number=order.number)
    now = clock.now()
    before = order.resolve_by
    _event(session, order, RESUME, actor, now)
    session.flush()
    if policy:
        recompute_deadlines(session, order, policy)
    else:
        _shift_after_resume(session, order, now)
    _audit(session, RESUME, order, actor, resolve_by_before=before, resolve_by=order.resolve_by)
    _bump(session, order)
    session.flush()
    return _rows(session, [order])[0]


# -- lead actions ------------------------------------------------------------------------------


def urge(session: Session, order_id: int, *, actor: AgentInfo, note: str) -> None:
    """催办: the lead urges the department on an open order (lead only)."""
    require_lead(actor)
    note = _text(note, "note", required=False)
    order = _lock(session, order_id)
    _require_open(order)
    now = clock.now()
    department = session.get(Department, order.department_id) if order.department_id else None
    _event(session, order, "urge", actor, now, note=note, department=department.code if department else None)
    _audit(session, "urge", order, actor, note=note, department_id=order.department_id)


def escalate(session: Session, order_id: int, *, actor: AgentInfo, reason: str) -> str:
    """Raise the order one level (window → branch → province → national). Lead only."""
    require_lead(actor)
    reason = _text(reason, "reason", required=True)
    order = _lock(session, order_id)
    _require_open(order)
    if order.escalation_level >= len(ESCALATION_LEVELS) - 1:
        raise InvalidInput("workorder.escalation_max", number=order.number, level=ESCALATION_LEVELS[-1])
    old = ESCALATION_LEVELS[max(order.escalation_level, 0)]
    order.escalation_level = max(order.escalation_level, 0) + 1
    new = ESCALATION_LEVELS[order.escalation_level]
    now = clock.now()
    _event(session, order, "escalate", actor, now, reason=reason, **{"from": old, "to": new})
    _audit(session, "escalate", order, actor, reason=reason, **{"from": old, "to": new})
    _bump(session, order)
    return new


# -- delays -------------------------------------------------------------------------------------


def _delay_infos(session: Session, delays: Sequence[DelayRequest]) -> list[DelayInfo]:
    if not delays:
        return []
    numbers = dict(session.execute(
        select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_({d.work_order_id for d in delays}))).all())
    agents = _agent_numbers(session, {d.requested_by_id for d in delays} | {d.decided_by_id for d in delays})
    return [DelayInfo(
        id=d.id, work_order_id=d.work_order_id, order_number=numbers.get(d.work_order_id, ""), reason=d.reason,
        proposed_deadline=d.proposed_deadline, status=d.status,
        requested_by=agents.get(d.requested_by_id, ("", ""))[0],
        decided_by=agents[d.decided_by_id][0] if d.decided_by_id in agents else None,
        created_at=d.created_at, decided_at=d.decided_at,
    ) for d in delays]


def request_delay(
    session: Session, order_id: int, *, actor: AgentInfo, reason: str, proposed_deadline: datetime
) -> DelayInfo:
    """延时申请: any agent; a reason, a deadline later than the current one, one pending per order."""
    reason = _text(reason, "reason", required=True)
    order = _lock(session, order_id)
    _require_open(order)
    if order.resolve_by is None:
        raise InvalidInput("workorder.no_deadline", number=order.number)
    proposed_deadline = _trunc(proposed_deadline)
    if proposed_deadline <= order.resolve_by:
        raise InvalidInput("delay.not_later", field="proposed_deadline",
                           deadline=order.resolve_by.strftime("%Y-%m-%d %H:%M"))
    pending = session.execute(
        select(DelayRequest.id).where(DelayRequest.work_order_id == order.id, DelayRequest.status == "pending")
    ).first()
    if pending:
        raise InvalidInput("delay.pending_exists", number=order.number)
    now = clock.now()
    delay = DelayRequest(work_order_id=order.id, requested_by_id=actor.id, reason=reason,
                         proposed_deadline=proposed_deadline, status="pending", created_at=now)
    session.add(delay)
    session.flush()
    _event(session, order, "delay_request", actor, now, request_id=delay.id, reason=reason,
           proposed_deadline=proposed_deadline)
    _audit(session, "delay_request", order, actor, request_id=delay.id, reason=reason,
           proposed_deadline=proposed_deadline)
    return _delay_infos(session, [delay])[0]


def decide_delay(
    session: Session,
    request_id: int,
    *,
    actor: AgentInfo,
    approve: bool,
    note: str = "",
    policy: str | None = None,
) -> DelayInfo:
    """A lead approves or rejects a delay request; an approval moves ``resolve_by`` (never earlier).

    Anyone but a lead gets ``PermissionDenied``, before anything else is looked at.
    """
    require_lead(actor)
    note = _text(note, "note", required=False)
    delay = session.get(DelayRequest, request_id, with_for_update=True)
    if delay is None:
        raise NotFound("delay.not_found", id=request_id)
    if delay.status != "pending":
        raise InvalidInput("delay.already_decided", id=request_id, status=delay.status)
    order = _lock(session, delay.work_order_id)
    now = clock.now()
    delay.status = "approved" if approve else "rejected"
    delay.decided_by_id = actor.id
    delay.decided_at = now
    session.add(delay)
    if approve:
        current = order.resolve_by
        new_deadline = max(delay.proposed_deadline, current) if current else delay.proposed_deadline
        _event(session, order, EXTEND, actor, now, new_deadline=new_deadline, request_id=delay.id, note=note)
        session.flush()
        if policy:
            recompute_deadlines(session, order, policy)
        else:
            start = _clock_start(session, order)
            order.resolve_by = new_deadline
            order.warn_at = _warn_at(start, timedelta(0), new_deadline - start)
            session.add(order)
        _audit(session, EXTEND, order, actor, request_id=delay.id, note=note, resolve_by_before=current,
               resolve_by=order.resolve_by)
        _bump(session, order)
    else:
        _event(session, order, "delay_rejected", actor, now, request_id=delay.id, note=note)
        _audit(session, "delay_rejected", order, actor, request_id=delay.id, note=note)
    session.flush()
    return _delay_infos(session, [delay])[0]


def pending_delays(session: Session) -> list[DelayInfo]:
    """Delay requests waiting for a lead, oldest first."""
    delays = session.execute(
        select(DelayRequest).where(DelayRequest.status == "pending").order_by(DelayRequest.created_at, DelayRequest.id)
    ).scalars().all()
    return _delay_infos(session, delays)


# -- used by callbacks ------------------------------------------------------------------------


def apply_status(session: Session, order_id: int, new_status: str, *, actor: AgentInfo, reason: str,
                 policy: str, extra: dict | None = None) -> OrderRow:
    """``change_status`` with extra audit detail, for other services (the callback outcomes)."""
    order = _lock(session, order_id)
    _apply_status(session, order, new_status, actor=actor, reason=reason, policy=policy, extra=extra)
    session.flush()
    return _rows(session, [order])[0]


def new_order_number(session: Session, order: WorkOrder, now: datetime) -> str:
    """The numbering calls.create_work_order uses: GDyyyymmdd-<id>, unique across desks."""
    session.flush()
    return f"GD{now:%Y%m%d}-{order.id:06d}"


__all__ = [
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
    "change_status",
    "decide_delay",
    "escalate",
    "get_order",
    "is_paused",
    "list_orders",
    "order_row",
    "pause",
    "pending_delays",
    "recompute_deadlines",
    "request_delay",
    "resume",
    "urge",
    "warning_and_overdue",
]
