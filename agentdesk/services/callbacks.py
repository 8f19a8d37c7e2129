"""The callback queue (回访): taking the next callback, recording its outcome, periodic calls.

DESIGN.md "Callbacks (回访)". Callback statuses (``STATUSES``):

* ``pending``   — in the queue; ``due_at`` is when it is due (for a retry after an
  unreachable attempt: not before then);
* ``claimed``   — an agent took it (:func:`take_next`) and is calling;
* ``done``      — an outcome was recorded (satisfied / unsatisfied);
* ``unreachable`` — closed after ``MAX_ATTEMPTS`` failed attempts;
* ``cancelled`` — the order was reopened before the callback was made.

Taking is atomic across processes and workstations: on SQLite the write transaction is
``BEGIN IMMEDIATE`` (one writer at a time) and the claim is a conditional
``UPDATE … WHERE id = ? AND status = 'pending'`` whose row count is checked; on PostgreSQL
the candidate row is selected ``FOR UPDATE SKIP LOCKED``, so two desks pass each other by.

Outcomes (:func:`record_outcome`):

* ``satisfied`` — satisfaction 1–5 kept; the linked order is closed;
* ``unsatisfied`` — with ``reopen=True`` the linked order is reopened (back to in_progress,
  clocks restart); when there is no linked order, it is not in a reopenable state, or
  ``reopen=False``, a **new** work order is opened (same customer, kind and department; a
  complaint when the callback had no order) and the old order, if any, is closed pointing
  at it;
* ``unreachable`` — one more attempt; retried +2 h, then the next working day 10:00, then
  +1 day each time; after ``MAX_ATTEMPTS`` (3) failed attempts the callback is closed as
  unreachable and the linked order closed with that reason.
"""

from __future__ import annotations

import json
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.i18n import t
from agentdesk.models import Agent, Callback, Customer, CustomerPhone, WorkOrder, WorkOrderEvent
from agentdesk.normalize import clean_text, mask_phone
from agentdesk.policy import load_policy
from agentdesk.services import audit
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.deadlines import work_order_deadlines
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied
from agentdesk.services.workorders import Page

STATUSES = ("pending", "claimed", "done", "unreachable", "cancelled")
OUTCOMES = ("satisfied", "unsatisfied", "unreachable")
MAX_ATTEMPTS = 3
RETRY_FIRST = timedelta(hours=2)
RETRY_NEXT_DAY_AT = (10, 0)
RETRY_LATER = timedelta(days=1)
MAX_PAGE = 500
MAX_TEXT = 4000
_PERIODS_MONTHS = {"quarter": (1, 4, 7, 10), "half_year": (1, 7), "year": (1,)}


@dataclass(frozen=True)
class CallbackRow:
    id: int
    kind: str  # after_repair, after_complaint, followup, periodic, …
    due_at: datetime
    customer_name: str  # the contact's name, else the customer's
    phone_masked: str  # 138****8000
    reason: str
    status: str
    attempts: int
    order_number: str | None
    claimed_by: str | None  # the claiming agent's number


# -- rows ---------------------------------------------------------------------------------------


def _rows(session: Session, callbacks: Sequence[Callback]) -> list[CallbackRow]:
    if not callbacks:
        return []
    order_ids = {c.work_order_id for c in callbacks if c.work_order_id is not None}
    numbers = dict(session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(order_ids))).all()) \
        if order_ids else {}
    need_name = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_name}
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(need_name))).all()) \
        if need_name else {}
    need_phone = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_phone}
    phones: dict[int, str] = {}
    if need_phone:
        for cid, phone in session.execute(
            select(CustomerPhone.customer_id, CustomerPhone.phone)
            .where(CustomerPhone.customer_id.in_(need_phone)).order_by(CustomerPhone.customer_id, CustomerPhone.id)
        ).all():
            phones.setdefault(cid, phone)
    claimers = {c.claimed_by_id for c in callbacks if c.claimed_by_id is not None}
    agents = dict(session.execute(select(Agent.id, Agent.number).where(Agent.id.in_(claimers))).all()) \
        if claimers else {}
    out = []
    for c in callbacks:
        phone = c.contact_phone or phones.get(c.customer_id, "")  # type: ignore[arg-type]
        out.append(CallbackRow(
            id=c.id, kind=c.kind, due_at=c.due_at,  # type: ignore[arg-type]
            customer_name=c.contact_name or names.get(c.customer_id, "") or "",  # type: ignore[arg-type]
            phone_masked=mask_phone(phone) if phone else "", reason=c.reason, status=c.status,
            attempts=c.attempts, order_number=numbers.get(c.work_order_id),  # type: ignore[arg-type]
            claimed_by=agents.get(c.claimed_by_id),  # type: ignore[arg-type]
        ))
    return out


def get_callback(session: Session, callback_id: int) -> CallbackRow:
    cb = session.get(Callback, callback_id)
    if cb is None:
        raise NotFound("callback.not_found", id=callback_id)
    return _rows(session, [cb])[0]


# -- the queue ----------------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    due_before: datetime | None = None,
    status: str | Sequence[str] = ("pending",),
    page_size: int = 50,
    cursor: tuple | None = None,
) -> Page:
    """Callbacks by due time (``due_at``, then id), one keyset page.

    ``due_before`` keeps those due at or before that moment. ``cursor`` is the previous
    page's ``next_cursor``, ``(due_at, id)`` of its last row. One indexed range per status
    (``ix_callbacks_status_due_at``), merged here.
    """
    statuses = (status,) if isinstance(status, str) else tuple(dict.fromkeys(status))
    for s in statuses:
        if s not in STATUSES:
            raise InvalidInput("callback.bad_status", field="status", value=s, valid=", ".join(STATUSES))
    page_size = max(1, min(int(page_size), MAX_PAGE))
    fetched: list[Callback] = []
    for st in statuses:
        q = select(Callback).where(Callback.status == st)
        if due_before is not None:
            q = q.where(Callback.due_at <= due_before)
        if cursor is not None:
            after_due, after_id = cursor[0], int(cursor[1])
            q = q.where(Callback.due_at >= after_due, or_(Callback.due_at > after_due, Callback.id > after_id))
        fetched += list(session.execute(q.order_by(Callback.due_at, Callback.id).limit(page_size + 1)).scalars())
    fetched.sort(key=lambda c: (c.due_at, c.id))
    page = fetched[:page_size]
    more = len(fetched) > page_size
    return Page(tuple(_rows(session, page)), (page[-1].due_at, page[-1].id) if more and page else None)


def _candidates(session: Session, now: datetime, *, postgres: bool):  # type: ignore[no-untyped-def]
    q = (
        select(Callback.id)
        .where(Callback.status == "pending", or_(Callback.attempts == 0, Callback.due_at <= now))
        .order_by(Callback.due_at, Callback.id)
        .limit(1)
    )
    if postgres:
        q = q.with_for_update(skip_locked=True)
    return session.execute(q).scalar_one_or_none()


def _claim(session: Session, actor: AgentInfo, *, postgres: bool) -> CallbackRow | None:
    now = clock.now()
    for _ in range(50):
        candidate = _candidates(session, now, postgres=postgres)
        if candidate is None:
            return None
        result = session.execute(
            update(Callback)
            .where(Callback.id == candidate, Callback.status == "pending")
            .values(status="claimed", claimed_by_id=actor.id, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            audit.record(session, "callback.claim", actor_id=actor.id, entity="callback", entity_id=candidate)
            session.flush()
            cb = session.get(Callback, candidate, populate_existing=True)
            assert cb is not None
            return _rows(session, [cb])[0]
    return None  # pragma: no cover - 50 lost races in one transaction


def take_next(db: Database, *, actor: AgentInfo) -> CallbackRow | None:
    """Claim the earliest due pending callback for ``actor``; None when the queue is empty.

    A callback never attempted is taken whatever its due time (the due time is the
    deadline); a retry after an unreachable attempt only once its time has come. Two
    agents never get the same callback, on SQLite or PostgreSQL (see the module docstring).
    A busy SQLite file (beyond the busy timeout) is retried a few times, not surfaced.
    """
    postgres = not db.is_sqlite
    delay = 0.05
    for attempt in range(8):
        try:
            with db.write() as session:
                return _claim(session, actor, postgres=postgres)
        except OperationalError as exc:
            text = str(exc).lower()
            if attempt == 7 or not ("locked" in text or "busy" in text or "deadlock" in text):
                raise
            _time.sleep(delay)
            delay = min(delay * 2, 1.0)
    return None  # pragma: no cover


# -- outcomes -----------------------------------------------------------------------------------


def _lock(session: Session, callback_id: int) -> Callback:
    cb = session.get(Callback, callback_id, with_for_update=True)
    if cb is None:
        raise NotFound("callback.not_found", id=callback_id)
    return cb


def _require_holder(cb: Callback, actor: AgentInfo) -> None:
    """Only the agent who claimed it, or a lead, may act on a callback."""
    if cb.status not in ("pending", "claimed"):
        raise InvalidInput("callback.not_open", id=cb.id, status=cb.status)
    if actor.role == "lead":
        return
    if cb.status != "claimed" or cb.claimed_by_id != actor.id:
        raise PermissionDenied("callback.not_yours", id=cb.id)


def _note(value: str | None) -> str:
    value = clean_text(value or "").strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput("field.too_long", field="note", limit=MAX_TEXT)
    return value


def next_attempt_at(attempts: int, now: datetime, policy: str) -> datetime:
    """When to try again after ``attempts`` failed attempts: +2 h, then the next working
    day at 10:00, then +1 day."""
    if attempts <= 1:
        return now + RETRY_FIRST
    if attempts == 2:
        calendar = load_policy(policy).calendar
        day = calendar.next_working_day(now.date())
        return datetime(day.year, day.month, day.day, *RETRY_NEXT_DAY_AT)
    return now + RETRY_LATER


def _close_order(session: Session, order: WorkOrder, actor: AgentInfo, reason: str, policy: str,
                 extra: dict) -> str:
    """Close the linked order when it waits on this callback; returns its status afterwards."""
    if order.status in ("resolved", "callback"):
        return wo.apply_status(session, order.id, "closed", actor=actor, reason=reason, policy=policy,  # type: ignore[arg-type]
                               extra=extra).status
    return order.status


def _follow_up_order(session: Session, cb: Callback, old: WorkOrder | None, actor: AgentInfo, note: str,
                     policy: str, now: datetime) -> WorkOrder:
    """A new work order for a dissatisfied customer whose old order cannot (or shall not) reopen."""
    if old is not None:
        kind, severity, area, tier = old.kind, old.severity, old.area_class, old.tier
        department_id, customer_id, call_id = old.department_id, old.customer_id, old.call_id
    else:
        customer = session.get(Customer, cb.customer_id) if cb.customer_id else None
        kind, severity = "complaint", "general"
        area = customer.area_class if customer else "city"
        tier = customer.tier if customer else "regular"
        department_id, customer_id, call_id = None, cb.customer_id, cb.call_id
    deadlines = work_order_deadlines(policy, kind, severity, area, tier, now)
    description = t("callback.follow_up_description", reason=cb.reason, note=note or "-")
    order = WorkOrder(
        number=f"tmp-cb-{cb.id}-{now.timestamp()}", call_id=call_id, customer_id=customer_id, kind=kind,
        severity=severity, area_class=area, tier=tier, department_id=department_id, owner_agent_id=actor.id,
        status="dispatched" if department_id else "new", description=description[:MAX_TEXT], created_at=now,
        dispatched_at=now if department_id else None, **deadlines,
    )
    session.add(order)
    session.flush()
    order.number = wo.new_order_number(session, order, now)
    session.add(order)
    detail = {"from_callback": cb.id, "from_order": old.number if old else None}
    session.add(WorkOrderEvent(work_order_id=order.id, at=now, kind="created", agent_id=actor.id,
                               detail=json.dumps(detail, ensure_ascii=False)))
    audit.record(session, "workorder.create", actor_id=actor.id, entity="work_order", entity_id=order.id,
                 number=order.number, kind=kind, severity=severity, **detail)
    return order


def record_outcome(
    session: Session,
    callback_id: int,
    *,
    actor: AgentInfo,
    outcome: str,
    satisfaction: int | None = None,
    note: str = "",
    reopen: bool = True,
    policy: str,
) -> dict:
    """Record how the callback went (see the module docstring for each outcome).

    Returns ``{"callback_id", "outcome", "status", "attempts", "next_due", "order_number",
    "order_status", "reopened", "new_order_number"}`` — ``next_due`` the retry time after an
    unreachable attempt (None otherwise), ``order_status`` the linked order's status after
    the outcome, ``reopened`` whether it was reopened, ``new_order_number`` the follow-up
    order opened for a dissatisfied customer.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput("callback.bad_outcome", field="outcome", valid=", ".join(OUTCOMES))
    if satisfaction is not None and (isinstance(satisfaction, bool) or not isinstance(satisfaction, int)
                                     or not 1 <= satisfaction <= 5):
        raise InvalidInput("callback.bad_satisfaction", field="satisfaction")
    note = _note(note)
    cb = _lock(session, callback_id)
    _require_holder(cb, actor)
    now = clock.now()
    order = session.get(WorkOrder, cb.work_order_id) if cb.work_order_id else None
    result: dict = {
        "callback_id": cb.id, "outcome": outcome, "status": cb.status, "attempts": cb.attempts,
        "next_due": None, "order_number": order.number if order else None,
        "order_status": order.status if order else None, "reopened": False, "new_order_number": None,
    }
    extra = {"callback_id": cb.id, "outcome": outcome}

    if outcome == "unreachable":
        cb.attempts += 1
        if cb.attempts >= MAX_ATTEMPTS:
            cb.status = "unreachable"
            cb.outcome = "unreachable"
            cb.done_at = now
            session.add(cb)
            session.flush()
            if order is not None:
                result["order_status"] = _close_order(
                    session, order, actor, note or t("callback.closed_unreachable", attempts=cb.attempts), policy,
                    extra)
        else:
            cb.status = "pending"
            cb.claimed_by_id = None
            cb.claimed_at = None
            cb.due_at = next_attempt_at(cb.attempts, now, policy)
            result["next_due"] = cb.due_at
            session.add(cb)
    else:
        cb.status = "done"
        cb.outcome = outcome
        cb.satisfaction = satisfaction
        cb.done_at = now
        session.add(cb)
        session.flush()
        if outcome == "satisfied":
            if order is not None:
                result["order_status"] = _close_order(session, order, actor, note or t("callback.closed_satisfied"),
                                                      policy, extra)
        else:
            reason = note or t("callback.reopen_reason", id=cb.id)
            if order is not None and reopen and order.status in wo.DONE_STATUSES:
                row = wo.apply_status(session, order.id, "in_progress", actor=actor, reason=reason,  # type: ignore[arg-type]
                                      policy=policy, extra=extra)
                result["reopened"] = True
                result["order_status"] = row.status
            elif order is not None and order.status in wo.OPEN_STATUSES:
                pass  # still being worked on: nothing to reopen, nothing new needed
            else:
                new = _follow_up_order(session, cb, order, actor, note, policy, now)
                result["new_order_number"] = new.number
                if order is not None:
                    result["order_status"] = _close_order(
                        session, order, actor, t("callback.closed_follow_up", number=new.number), policy,
                        {**extra, "follow_up": new.number})
    result["status"] = cb.status
    result["attempts"] = cb.attempts
    audit.record(session, "callback.outcome", actor_id=actor.id, entity="callback", entity_id=cb.id,
                 outcome=outcome, satisfaction=satisfaction, note=note, attempts=cb.attempts,
                 next_due=result["next_due"], order=result["order_number"], reopened=result["reopened"],
                 new_order=result["new_order_number"])
    session.flush()
    return result


def release(session: Session, callback_id: int, *, actor: AgentInfo) -> CallbackRow:
    """Give a claimed callback back to the queue (the claimer, or a lead)."""
    cb = _lock(session, callback_id)
    if cb.status != "claimed":
        raise InvalidInput("callback.not_claimed", id=callback_id)
    _require_holder(cb, actor)
    cb.status = "pending"
    cb.claimed_by_id = None
    cb.claimed_at = None
    session.add(cb)
    audit.record(session, "callback.release", actor_id=actor.id, entity="callback", entity_id=cb.id)
    session.flush()
    return _rows(session, [cb])[0]


# -- periodic ----------------------------------------------------------------------------------


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = datetime(now.year, now.month, 1)
    end = datetime(now.year + 1, 1, 1) if now.month == 12 else datetime(now.year, now.month + 1, 1)
    return start, end


def _month_due(policy, now: datetime) -> datetime:  # type: ignore[no-untyped-def]
    """The close of work of the month's last working day (now, once that has passed)."""
    calendar = policy.calendar
    _, end = _month_bounds(now)
    day = (end - timedelta(days=1)).date()
    for _ in range(31):
        close = calendar.close_of_work(day) if calendar.is_working_day(day) else None
        if close is not None:
            return max(close, now)
        day -= timedelta(days=1)
    return max(end - timedelta(seconds=1), now)


def generate_periodic(session: Session, *, policy: str, now: datetime, batch: int = 500) -> int:
    """The month's periodic callbacks (VIP monthly phone call; big customers and private
    networks monthly visit …) from ``policy.periodic_callbacks``: one callback per customer
    per month, whatever number of rules apply (their methods are named in the reason).

    Idempotent: the month is kept in ``Callback.sample_draw`` (``"periodic 2026-11"``), so a
    second run in the same month creates nothing. A rule with no stated period counts as
    monthly; quarterly / half-yearly / yearly rules apply in their first month. Returns the
    number created.
    """
    loaded = load_policy(policy)
    rules = [r for r in loaded.periodic_callbacks() if r.mode == "periodic" and r.segment is None]
    methods_by_tier: dict[str, list[str]] = {}
    for rule in rules:
        months = _PERIODS_MONTHS.get(rule.every or "month")
        if months is not None and now.month not in months:
            continue
        for tier in sorted(rule.tiers) if rule.tiers is not None else loaded.tiers:
            found = methods_by_tier.setdefault(tier, [])
            method = rule.method or "phone"
            if method not in found:
                found.append(method)
    if not methods_by_tier:
        return 0
    period = f"periodic {now:%Y-%m}"
    due = _month_due(loaded, now)
    created = 0
    last_id = 0
    while True:
        customers = session.execute(
            select(Customer.id, Customer.name, Customer.tier)
            .where(Customer.tier.in_(list(methods_by_tier)), Customer.id > last_id)
            .order_by(Customer.id).limit(batch)
        ).all()
        if not customers:
            break
        last_id = customers[-1][0]
        ids = [c[0] for c in customers]
        done = set(session.execute(
            select(Callback.customer_id).where(Callback.customer_id.in_(ids), Callback.kind == "periodic",
                                               Callback.sample_draw == period)
        ).scalars())
        phones: dict[int, str] = {}
        for cid, phone in session.execute(
            select(CustomerPhone.customer_id, CustomerPhone.phone)
            .where(CustomerPhone.customer_id.in_(ids)).order_by(CustomerPhone.customer_id, CustomerPhone.id)
        ).all():
            phones.setdefault(cid, phone)
        for cid, name, tier in customers:
            if cid in done:
                continue
            methods = "、".join(t(f"callback.method_{m}") for m in methods_by_tier[tier])
            session.add(Callback(
                kind="periodic", customer_id=cid, contact_name=name, contact_phone=phones.get(cid),
                reason=t("callback.reason_periodic", tier=t(f"tier.{tier}"), month=f"{now:%Y-%m}", methods=methods),
                due_at=due, status="pending", sample_draw=period, created_at=clock.now(),
            ))
            created += 1
        session.flush()
    audit.record(session, "callback.generate_periodic", actor_id=None, entity="callback", policy=policy,
                 month=f"{now:%Y-%m}", created=created)
    return created


__all__ = [
    "MAX_ATTEMPTS",
    "OUTCOMES",
    "STATUSES",
    "CallbackRow",
    "Page",
    "generate_periodic",
    "get_callback",
    "next_attempt_at",
    "queue",
    "record_outcome",
    "release",
    "take_next",
]
