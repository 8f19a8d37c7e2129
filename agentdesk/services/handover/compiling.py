"""Compiling what a shift leaves open: its work orders, replies owed, callbacks, outages."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Call, Callback, Customer, Draft, Outage, OutageArea, Shift, WorkOrder
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.handover.records import (
    DRAFT_FORM,
    NEXT_SHIFT_LENGTH,
    NONE,
    HandoverCounts,
    HandoverDraft,
    HandoverItem,
    _agent,
    _clean_notes,
    _masked,
    _require_own_or_lead,
    _shift,
)
from agentdesk.services.messages import stored_text
from agentdesk.services.phones import first_phones
from agentdesk.services.rows import row_id
from agentdesk.vocab import OPEN_CALLBACK_STATUSES

MAX_ITEMS_PER_KIND = 200


def _sort_due(item: HandoverItem) -> tuple:
    return (item.due_at is None, item.due_at or datetime.min, item.ref)


def _nearest_deadline(order: WorkOrder, now: datetime) -> datetime | None:
    """The earliest clock still ahead; when every clock has passed, the latest of them."""
    clocks = [d for d in (order.respond_by, order.contact_by, order.reply_by, order.resolve_by) if d is not None]
    if not clocks:
        return None
    ahead = [d for d in clocks if d >= now]
    return min(ahead) if ahead else max(clocks)


def _capped(items: list[HandoverItem], kind: str, left_off: dict[str, int]) -> list[HandoverItem]:
    items.sort(key=_sort_due)
    if len(items) > MAX_ITEMS_PER_KIND:
        left_off[kind] = len(items) - MAX_ITEMS_PER_KIND
        return items[:MAX_ITEMS_PER_KIND]
    return items



def _work_order_items(session: Session, agent_id: int, at: datetime, left_off: dict[str, int]) -> list[HandoverItem]:
    orders = list(session.execute(
        select(WorkOrder).where(col(WorkOrder.owner_agent_id) == agent_id, col(WorkOrder.status).in_(wo.OPEN_STATUSES),
                                col(WorkOrder.created_at) <= at)
    ).scalars())
    if not orders:
        return []
    rows = {r.id: r for r in wo.order_rows(session, orders)}  # badge, department and customer name
    phones = first_phones(session, {o.customer_id for o in orders if o.customer_id is not None})
    call_ids = {o.call_id for o in orders if o.call_id is not None and o.customer_id is None}
    caller_phones = dict(session.execute(
        select(col(Call.id), col(Call.caller_phone)).where(col(Call.id).in_(call_ids))).all()) if call_ids else {}
    items = []
    for o in orders:
        row = rows[o.id]
        phone = phones.get(o.customer_id, "") if o.customer_id is not None else caller_phones.get(o.call_id) or ""
        items.append(HandoverItem(
            kind="work_order", ref=o.number, title=stored_text(o.description_message, o.description),
            due_at=_nearest_deadline(o, at), status=o.status,
            customer_name=row.customer_name, phone_masked=_masked(phone), detail=row.department, phone=phone,
            entity_id=o.id, category=o.kind, badge=row.badge, created_at=o.created_at,
            title_message=o.description_message,
        ))
    return _capped(items, "work_order", left_off)


def _callback_items(session: Session, agent_id: int, shift_end: datetime, at: datetime,
                    left_off: dict[str, int]) -> tuple[list[HandoverItem], list[HandoverItem]]:
    horizon = shift_end + NEXT_SHIFT_LENGTH
    # Three indexed reads rather than one OR over the whole table: the agent's own callbacks
    # (owner index), the claimed ones and the queue due before the horizon (status, due_at).
    mine = list(session.execute(
        select(Callback).where(col(Callback.owner_agent_id) == agent_id,
                               col(Callback.status).in_(OPEN_CALLBACK_STATUSES),
                               col(Callback.created_at) <= at)
    ).scalars())
    claimed = list(session.execute(
        select(Callback).where(col(Callback.status) == "claimed", col(Callback.claimed_by_id) == agent_id,
                               col(Callback.kind) != "followup", col(Callback.created_at) <= at)
    ).scalars())
    queue_filter = (col(Callback.status) == "pending", col(Callback.due_at) <= horizon,
                    col(Callback.owner_agent_id).is_(None),
                    col(Callback.kind) != "followup", col(Callback.created_at) <= at)
    queue = list(session.execute(
        select(Callback).where(*queue_filter).order_by(col(Callback.due_at), col(Callback.id)).limit(MAX_ITEMS_PER_KIND)
    ).scalars())
    queue_total = len(queue) if len(queue) < MAX_ITEMS_PER_KIND else session.execute(
        select(func.count()).select_from(Callback).where(*queue_filter)).scalar_one()
    chosen: dict[int, Callback] = {}
    for c in mine:
        if c.kind == "followup" or (c.status == "pending" and c.due_at <= horizon):
            chosen[c.id] = c
    for c in claimed + queue:
        chosen[c.id] = c
    callbacks = list(chosen.values())
    if not callbacks:
        return [], []
    need_name = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_name}
    names = dict(session.execute(select(col(Customer.id), col(Customer.name))
                                 .where(col(Customer.id).in_(need_name))).all()) \
        if need_name else {}
    phones = first_phones(session, {c.customer_id for c in callbacks
                                     if c.customer_id is not None and not c.contact_phone})
    order_ids = {c.work_order_id for c in callbacks if c.work_order_id is not None}
    numbers = dict(session.execute(select(col(WorkOrder.id), col(WorkOrder.number))
                                   .where(col(WorkOrder.id).in_(order_ids))).all()) \
        if order_ids else {}
    follow: list[HandoverItem] = []
    other: list[HandoverItem] = []
    for c in callbacks:
        phone = c.contact_phone or (phones.get(c.customer_id, "") if c.customer_id is not None else "")
        kind = "follow_up" if c.kind == "followup" else "callback"
        item = HandoverItem(
            kind=kind, ref=str(c.id), title=stored_text(c.reason_message, c.reason), due_at=c.due_at, status=c.status,
            customer_name=c.contact_name or names.get(c.customer_id, "") or "",
            phone_masked=_masked(phone), detail=numbers.get(c.work_order_id, "") or "", phone=phone,
            entity_id=c.id, category=c.kind, badge="overdue" if c.due_at < at else "", created_at=c.created_at,
            title_message=c.reason_message,
        )
        (follow if kind == "follow_up" else other).append(item)
    unread = queue_total - len(queue)  # queue callbacks never fetched
    other = _capped(other, "callback", left_off)
    if unread:
        left_off["callback"] = left_off.get("callback", 0) + unread
    return _capped(follow, "follow_up", left_off), other


def _outage_items(session: Session, at: datetime, left_off: dict[str, int]) -> list[HandoverItem]:
    outages = list(session.execute(
        select(Outage).where(col(Outage.status) == "active", col(Outage.declared_at) <= at)
    ).scalars())
    if not outages:
        return []
    areas: dict[int, list[str]] = {}
    for oid, name in session.execute(
        select(col(OutageArea.outage_id), col(OutageArea.area_name))
        .where(col(OutageArea.outage_id).in_([o.id for o in outages])).order_by(col(OutageArea.id))
    ).all():
        areas.setdefault(oid, []).append(name)
    items = []
    for o in outages:
        try:
            services = [str(s) for s in json.loads(o.services or "[]")]
        except ValueError:
            services = []
        items.append(HandoverItem(
            kind="outage", ref=str(o.id), title=o.cause, due_at=o.eta, status=o.status, customer_name="",
            phone_masked="", detail="、".join(areas.get(o.id, [])), entity_id=o.id, category=",".join(services),
            created_at=o.declared_at,
        ))
    return _capped(items, "outage", left_off)


def _open_call_items(session: Session, calls: Sequence[Call]) -> list[HandoverItem]:
    phones = first_phones(session, {c.customer_id for c in calls if c.customer_id is not None and not c.caller_phone})
    items = []
    for c in calls:
        phone = c.caller_phone or (phones.get(c.customer_id, "") if c.customer_id is not None else "")
        items.append(HandoverItem(
            kind="open_call", ref=str(c.id), title=c.request_text or c.summary or "", due_at=None, status=c.status,
            customer_name=c.caller_name or "", phone_masked=_masked(phone), detail="", phone=phone,
            entity_id=c.id, category=c.request_type or "", created_at=c.started_at,
        ))
    return items


def _counts(session: Session, shift_id: int, left_off: dict[str, int]) -> HandoverCounts:
    by_type: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    total = 0
    for request_type, outcome, n in session.execute(
        select(col(Call.request_type), col(Call.outcome), func.count()).where(col(Call.shift_id) == shift_id)
        .group_by(col(Call.request_type), col(Call.outcome))
    ).all():
        by_type[request_type or NONE] += n
        by_outcome[outcome or NONE] += n
        total += n
    return HandoverCounts(dict(sorted(by_type.items())), dict(sorted(by_outcome.items())), total, dict(left_off))


def _open_calls(session: Session, shift_id: int) -> list[Call]:
    return list(session.execute(
        select(Call).where(col(Call.shift_id) == shift_id, col(Call.status) == "open").order_by(col(Call.started_at),
                                                                                                col(Call.id))
    ).scalars())


def _draft_notes(session: Session, shift: Shift) -> str:
    draft = session.execute(
        select(Draft).where(col(Draft.agent_id) == shift.agent_id, col(Draft.form) == DRAFT_FORM,
                            col(Draft.key) == str(shift.id))
    ).scalar_one_or_none()
    if draft is None:
        return ""
    try:
        return str(json.loads(draft.payload).get("notes", ""))
    except (ValueError, AttributeError):
        return ""


def _compile(session: Session, shift: Shift, at: datetime) -> tuple[list[HandoverItem], HandoverCounts, list[Call]]:
    """Items (without open calls), counts and the open calls of ``shift`` as of ``at``."""
    left_off: dict[str, int] = {}
    end = shift.ended_at or at
    items = _work_order_items(session, shift.agent_id, at, left_off)
    follow, other = _callback_items(session, shift.agent_id, end, at, left_off)
    items += follow + other + _outage_items(session, at, left_off)
    counts = _counts(session, row_id(shift), left_off)
    return items, counts, _open_calls(session, row_id(shift))


def compile_handover(session: Session, shift_id: int, *, actor: AgentInfo) -> HandoverDraft:
    """What ``shift_id`` leaves open (see the package docstring). Only its agent or a lead."""
    shift = _shift(session, shift_id)
    _require_own_or_lead(shift, actor)
    items, counts, open_calls = _compile(session, shift, clock.now())
    agent = _agent(session, shift.agent_id)
    return HandoverDraft(
        shift_id=row_id(shift), agent_number=agent.number, agent_name=agent.name,
        team=shift.team, seat=shift.seat, started_at=shift.started_at, ended_at=shift.ended_at,
        items=tuple(items), counts=counts, notes=_draft_notes(session, shift),
        open_call_ids=tuple(row_id(c) for c in open_calls),
    )


def save_draft_notes(session: Session, shift_id: int, *, actor: AgentInfo, notes: str) -> None:
    """Keep the notes typed so far (one draft per shift), so a crash loses nothing.

    Drafts are scratch text, not a record: no audit row (the confirmed note has one).
    """
    shift = _shift(session, shift_id)
    _require_own_or_lead(shift, actor)
    text = _clean_notes(notes)
    payload = json.dumps({"notes": text}, ensure_ascii=False)
    draft = session.execute(
        select(Draft).where(col(Draft.agent_id) == shift.agent_id, col(Draft.form) == DRAFT_FORM,
                            col(Draft.key) == str(shift_id))
    ).scalar_one_or_none()
    if draft is None:
        draft = Draft(agent_id=shift.agent_id, form=DRAFT_FORM, key=str(shift_id), payload=payload,
                      updated_at=clock.now())
    else:
        draft.payload = payload
        draft.updated_at = clock.now()
    session.add(draft)
