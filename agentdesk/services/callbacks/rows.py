"""The callback queue (回访): callbacks by due time, and taking the next one.

Taking is atomic across processes and workstations: on SQLite the write transaction is
``BEGIN IMMEDIATE`` (one writer at a time) and the claim is a conditional
``UPDATE … WHERE id = ? AND status = 'pending'`` whose row count is checked; on PostgreSQL
the candidate row is selected ``FOR UPDATE SKIP LOCKED``, so two desks pass each other by.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import Agent, Callback, Customer, WorkOrder
from agentdesk.normalize import mask_phone
from agentdesk.services import audit, changes
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput
from agentdesk.services.messages import stored_text
from agentdesk.services.paging import Page
from agentdesk.services.phones import first_phones
from agentdesk.services.rows import get_or_not_found
from agentdesk.vocab import CallbackStatus

STATUSES: tuple[CallbackStatus, ...] = tuple(CallbackStatus)
MAX_PAGE = 500


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


#: What a queue row needs of a callback, read as columns (no ORM object per row; see
#: ``workorders.rows.ROW_COLUMNS``).
ROW_COLUMNS = tuple(col(getattr(Callback, name)) for name in (
    "id", "kind", "due_at", "customer_id", "contact_name", "contact_phone", "reason", "reason_message", "status",
    "attempts", "work_order_id", "claimed_by_id"))


def callback_rows(session: Session, callbacks: Sequence[Any]) -> list[CallbackRow]:
    """Rows for Callback objects or rows of :data:`ROW_COLUMNS`."""
    if not callbacks:
        return []
    order_ids = {c.work_order_id for c in callbacks if c.work_order_id is not None}
    numbers: dict[int | None, str] = dict(session.execute(
        select(WorkOrder.id, WorkOrder.number).where(col(WorkOrder.id).in_(order_ids))).all()) \
        if order_ids else {}
    need_name = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_name}
    names: dict[int | None, str] = dict(session.execute(
        select(Customer.id, Customer.name).where(col(Customer.id).in_(need_name))).all()) \
        if need_name else {}
    need_phone = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_phone}
    phones = first_phones(session, need_phone)
    claimers = {c.claimed_by_id for c in callbacks if c.claimed_by_id is not None}
    agents: dict[int | None, str] = dict(session.execute(
        select(Agent.id, Agent.number).where(col(Agent.id).in_(claimers))).all()) \
        if claimers else {}
    out = []
    for c in callbacks:
        assert c.id is not None
        phone = c.contact_phone or (phones.get(c.customer_id, "") if c.customer_id is not None else "")
        out.append(CallbackRow(
            id=c.id, kind=c.kind, due_at=c.due_at,
            customer_name=c.contact_name or names.get(c.customer_id, "") or "",
            phone_masked=mask_phone(phone) if phone else "", reason=stored_text(c.reason_message, c.reason),
            status=c.status,
            attempts=c.attempts, order_number=numbers.get(c.work_order_id),
            claimed_by=agents.get(c.claimed_by_id),
        ))
    return out


def get_callback(session: Session, callback_id: int) -> CallbackRow:
    cb = get_or_not_found(session, Callback, callback_id, "callback.not_found")
    return callback_rows(session, [cb])[0]


# -- the queue ----------------------------------------------------------------------------------


def queue(
    session: Session,
    *,
    due_before: datetime | None = None,
    status: str | Sequence[str] = (CallbackStatus.PENDING,),
    page_size: int = 50,
    cursor: tuple[Any, ...] | None = None,
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
    fetched: list[Any] = []
    for st in statuses:
        due_at, callback_id = col(Callback.due_at), col(Callback.id)
        q = select(*ROW_COLUMNS).where(col(Callback.status) == st)
        if due_before is not None:
            q = q.where(due_at <= due_before)
        if cursor is not None:
            after_due, after_id = cursor[0], int(cursor[1])
            q = q.where(due_at >= after_due, or_(due_at > after_due, callback_id > after_id))
        fetched += list(session.execute(q.order_by(due_at, callback_id).limit(page_size + 1)).all())
    fetched.sort(key=lambda c: (c.due_at, c.id or 0))
    page = fetched[:page_size]
    more = len(fetched) > page_size
    return Page(tuple(callback_rows(session, page)), (page[-1].due_at, page[-1].id) if more and page else None)


def _candidate(session: Session, now: datetime, *, postgres: bool) -> int | None:
    q = (
        select(Callback.id)
        .where(col(Callback.status) == CallbackStatus.PENDING,
               or_(col(Callback.attempts) == 0, col(Callback.due_at) <= now))
        .order_by(col(Callback.due_at), col(Callback.id))
        .limit(1)
    )
    if postgres:
        q = q.with_for_update(skip_locked=True)
    return session.execute(q).scalar_one_or_none()


def _claim(session: Session, actor: AgentInfo, *, postgres: bool) -> CallbackRow | None:
    now = clock.now()
    for _ in range(50):
        candidate = _candidate(session, now, postgres=postgres)
        if candidate is None:
            return None
        result = session.execute(
            update(Callback)
            .where(col(Callback.id) == candidate, col(Callback.status) == CallbackStatus.PENDING)
            .values(status=CallbackStatus.CLAIMED, claimed_by_id=actor.id, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if isinstance(result, CursorResult) and result.rowcount == 1:
            audit.record(session, "callback.claim", actor_id=actor.id, entity="callback", entity_id=candidate)
            changes.note(session, changes.Topic.CALLBACK, candidate)
            session.flush()
            cb = session.get(Callback, candidate, populate_existing=True)
            assert cb is not None
            return callback_rows(session, [cb])[0]
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
