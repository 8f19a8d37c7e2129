"""Shift handover (交接班): what a shift leaves open, confirmed at logout, read at login.

DESIGN.md "Shift handover". Functions over a Session like the other services: roles are
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

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import (
    Agent,
    Call,
    Callback,
    Customer,
    CustomerPhone,
    Draft,
    HandoverAck,
    HandoverNote,
    Outage,
    OutageArea,
    Shift,
    WorkOrder,
)
from agentdesk.normalize import clean_text, mask_phone
from agentdesk.phrases import check as phrase_check
from agentdesk.services import accounts, audit
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied

ITEM_KINDS = ("work_order", "follow_up", "callback", "outage", "open_call")
EXPORT_FORMATS = ("md", "csv", "json", "xlsx")
NEXT_SHIFT_LENGTH = timedelta(hours=8)
UNACKNOWLEDGED_DAYS = 7
MAX_ITEMS_PER_KIND = 200
MAX_NOTES = 4000
BODY_VERSION = 1
DRAFT_FORM = "handover"
OPEN_CALLBACK_STATUSES = ("pending", "claimed")
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
    text = clean_text(notes or "").strip()
    if len(text) > MAX_NOTES:
        raise InvalidInput("field.too_long", field="notes", limit=MAX_NOTES)
    return text


def _sort_due(item: HandoverItem) -> tuple:
    return (item.due_at is None, item.due_at or datetime.min, item.ref)


def _nearest_deadline(order: WorkOrder, now: datetime) -> datetime | None:
    """The earliest clock still ahead; when every clock has passed, the latest of them."""
    clocks = [d for d in (order.respond_by, order.contact_by, order.reply_by, order.resolve_by) if d is not None]
    if not clocks:
        return None
    ahead = [d for d in clocks if d >= now]
    return min(ahead) if ahead else max(clocks)


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


def _masked(phone: str | None) -> str:
    return mask_phone(phone) if phone else ""


def _capped(items: list[HandoverItem], kind: str, left_off: dict[str, int]) -> list[HandoverItem]:
    items.sort(key=_sort_due)
    if len(items) > MAX_ITEMS_PER_KIND:
        left_off[kind] = len(items) - MAX_ITEMS_PER_KIND
        return items[:MAX_ITEMS_PER_KIND]
    return items


# -- compiling --------------------------------------------------------------------------------


def _work_order_items(session: Session, agent_id: int, at: datetime, left_off: dict[str, int]) -> list[HandoverItem]:
    orders = list(session.execute(
        select(WorkOrder).where(WorkOrder.owner_agent_id == agent_id, WorkOrder.status.in_(wo.OPEN_STATUSES),
                                WorkOrder.created_at <= at)
    ).scalars())
    if not orders:
        return []
    rows = {r.id: r for r in wo._rows(session, orders)}  # badge, department and customer name
    phones = _first_phones(session, {o.customer_id for o in orders if o.customer_id is not None})
    call_ids = {o.call_id for o in orders if o.call_id is not None and o.customer_id is None}
    caller_phones = dict(session.execute(
        select(Call.id, Call.caller_phone).where(Call.id.in_(call_ids))).all()) if call_ids else {}
    items = []
    for o in orders:
        row = rows[o.id]
        phone = phones.get(o.customer_id, "") if o.customer_id is not None else caller_phones.get(o.call_id) or ""
        items.append(HandoverItem(
            kind="work_order", ref=o.number, title=o.description, due_at=_nearest_deadline(o, at), status=o.status,
            customer_name=row.customer_name, phone_masked=_masked(phone), detail=row.department, phone=phone,
            entity_id=o.id, category=o.kind, badge=row.badge, created_at=o.created_at,
        ))
    return _capped(items, "work_order", left_off)


def _callback_items(session: Session, agent_id: int, shift_end: datetime, at: datetime,
                    left_off: dict[str, int]) -> tuple[list[HandoverItem], list[HandoverItem]]:
    horizon = shift_end + NEXT_SHIFT_LENGTH
    # Three indexed reads rather than one OR over the whole table: the agent's own callbacks
    # (owner index), the claimed ones and the queue due before the horizon (status, due_at).
    mine = list(session.execute(
        select(Callback).where(Callback.owner_agent_id == agent_id, Callback.status.in_(OPEN_CALLBACK_STATUSES),
                               Callback.created_at <= at)
    ).scalars())
    claimed = list(session.execute(
        select(Callback).where(Callback.status == "claimed", Callback.claimed_by_id == agent_id,
                               Callback.kind != "followup", Callback.created_at <= at)
    ).scalars())
    queue_filter = (Callback.status == "pending", Callback.due_at <= horizon, Callback.owner_agent_id.is_(None),
                    Callback.kind != "followup", Callback.created_at <= at)
    queue = list(session.execute(
        select(Callback).where(*queue_filter).order_by(Callback.due_at, Callback.id).limit(MAX_ITEMS_PER_KIND)
    ).scalars())
    queue_total = len(queue) if len(queue) < MAX_ITEMS_PER_KIND else session.execute(
        select(func.count()).select_from(Callback).where(*queue_filter)).scalar_one()
    chosen: dict[int, Callback] = {}
    for c in mine:
        if c.kind == "followup" or (c.status == "pending" and c.due_at <= horizon):
            chosen[c.id] = c  # type: ignore[index]
    for c in claimed + queue:
        chosen[c.id] = c  # type: ignore[index]
    callbacks = list(chosen.values())
    if not callbacks:
        return [], []
    need_name = {c.customer_id for c in callbacks if c.customer_id is not None and not c.contact_name}
    names = dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(need_name))).all()) \
        if need_name else {}
    phones = _first_phones(session, {c.customer_id for c in callbacks
                                     if c.customer_id is not None and not c.contact_phone})
    order_ids = {c.work_order_id for c in callbacks if c.work_order_id is not None}
    numbers = dict(session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(order_ids))).all()) \
        if order_ids else {}
    follow, other = [], []
    for c in callbacks:
        phone = c.contact_phone or phones.get(c.customer_id, "") or ""  # type: ignore[arg-type]
        kind = "follow_up" if c.kind == "followup" else "callback"
        item = HandoverItem(
            kind=kind, ref=str(c.id), title=c.reason, due_at=c.due_at, status=c.status,
            customer_name=c.contact_name or names.get(c.customer_id, "") or "",  # type: ignore[arg-type]
            phone_masked=_masked(phone), detail=numbers.get(c.work_order_id, "") or "", phone=phone,  # type: ignore[arg-type]
            entity_id=c.id, category=c.kind, badge="overdue" if c.due_at < at else "", created_at=c.created_at,
        )
        (follow if kind == "follow_up" else other).append(item)
    unread = queue_total - len(queue)  # queue callbacks never fetched
    other = _capped(other, "callback", left_off)
    if unread:
        left_off["callback"] = left_off.get("callback", 0) + unread
    return _capped(follow, "follow_up", left_off), other


def _outage_items(session: Session, at: datetime, left_off: dict[str, int]) -> list[HandoverItem]:
    outages = list(session.execute(
        select(Outage).where(Outage.status == "active", Outage.declared_at <= at)
    ).scalars())
    if not outages:
        return []
    areas: dict[int, list[str]] = {}
    for oid, name in session.execute(
        select(OutageArea.outage_id, OutageArea.area_name)
        .where(OutageArea.outage_id.in_([o.id for o in outages])).order_by(OutageArea.id)
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
    phones = _first_phones(session, {c.customer_id for c in calls if c.customer_id is not None and not c.caller_phone})
    items = []
    for c in calls:
        phone = c.caller_phone or phones.get(c.customer_id, "") or ""  # type: ignore[arg-type]
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
        select(Call.request_type, Call.outcome, func.count()).where(Call.shift_id == shift_id)
        .group_by(Call.request_type, Call.outcome)
    ).all():
        by_type[request_type or NONE] += n
        by_outcome[outcome or NONE] += n
        total += n
    return HandoverCounts(dict(sorted(by_type.items())), dict(sorted(by_outcome.items())), total, dict(left_off))


def _open_calls(session: Session, shift_id: int) -> list[Call]:
    return list(session.execute(
        select(Call).where(Call.shift_id == shift_id, Call.status == "open").order_by(Call.started_at, Call.id)
    ).scalars())


def _draft_notes(session: Session, shift: Shift) -> str:
    draft = session.execute(
        select(Draft).where(Draft.agent_id == shift.agent_id, Draft.form == DRAFT_FORM, Draft.key == str(shift.id))
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
    counts = _counts(session, shift.id, left_off)  # type: ignore[arg-type]
    return items, counts, _open_calls(session, shift.id)  # type: ignore[arg-type]


def _agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    assert agent is not None
    return agent


def compile_handover(session: Session, shift_id: int, *, actor: AgentInfo) -> HandoverDraft:
    """What ``shift_id`` leaves open (see the module docstring). Only its agent or a lead."""
    shift = _shift(session, shift_id)
    _require_own_or_lead(shift, actor)
    items, counts, open_calls = _compile(session, shift, clock.now())
    agent = _agent(session, shift.agent_id)
    return HandoverDraft(
        shift_id=shift.id, agent_number=agent.number, agent_name=agent.name,  # type: ignore[arg-type]
        team=shift.team, seat=shift.seat, started_at=shift.started_at, ended_at=shift.ended_at,
        items=tuple(items), counts=counts, notes=_draft_notes(session, shift),
        open_call_ids=tuple(c.id for c in open_calls),  # type: ignore[misc]
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
        select(Draft).where(Draft.agent_id == shift.agent_id, Draft.form == DRAFT_FORM, Draft.key == str(shift_id))
    ).scalar_one_or_none()
    if draft is None:
        draft = Draft(agent_id=shift.agent_id, form=DRAFT_FORM, key=str(shift_id), payload=payload,
                      updated_at=clock.now())
    else:
        draft.payload = payload
        draft.updated_at = clock.now()
    session.add(draft)


# -- the note body ------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _item_json(item: HandoverItem) -> dict[str, Any]:
    return {
        "kind": item.kind, "ref": item.ref, "entity_id": item.entity_id, "title": item.title,
        "category": item.category, "status": item.status, "badge": item.badge, "due_at": _iso(item.due_at),
        "created_at": _iso(item.created_at), "customer_name": item.customer_name, "phone": item.phone,
        "detail": item.detail,
    }


def _item_from_json(data: dict[str, Any]) -> HandoverItem:
    phone = str(data.get("phone") or "")
    return HandoverItem(
        kind=str(data.get("kind", "")), ref=str(data.get("ref", "")), title=str(data.get("title") or ""),
        due_at=_from_iso(data.get("due_at")), status=str(data.get("status") or ""),
        customer_name=str(data.get("customer_name") or ""), phone_masked=_masked(phone),
        detail=str(data.get("detail") or ""), phone=phone, entity_id=data.get("entity_id"),
        category=str(data.get("category") or ""), badge=str(data.get("badge") or ""),
        created_at=_from_iso(data.get("created_at")),
    )


def _counts_json(counts: HandoverCounts) -> dict[str, Any]:
    return {"calls_by_type": counts.calls_by_type, "calls_by_outcome": counts.calls_by_outcome,
            "total_calls": counts.total_calls, "left_off": counts.left_off}


def _body(items: Sequence[HandoverItem], counts: HandoverCounts, started_at: datetime,
          ended_at: datetime | None) -> str:
    return json.dumps({
        "version": BODY_VERSION, "started_at": _iso(started_at), "ended_at": _iso(ended_at),
        "items": [_item_json(i) for i in items], "counts": _counts_json(counts),
    }, ensure_ascii=False, sort_keys=True)


def _parse_body(body: str) -> tuple[tuple[HandoverItem, ...], HandoverCounts]:
    try:
        data = json.loads(body or "{}")
    except ValueError:
        data = {}
    items = tuple(_item_from_json(i) for i in data.get("items", []) if isinstance(i, dict))
    c = data.get("counts") or {}
    counts = HandoverCounts(
        calls_by_type={str(k): int(v) for k, v in (c.get("calls_by_type") or {}).items()},
        calls_by_outcome={str(k): int(v) for k, v in (c.get("calls_by_outcome") or {}).items()},
        total_calls=int(c.get("total_calls") or 0),
        left_off={str(k): int(v) for k, v in (c.get("left_off") or {}).items()},
    )
    return items, counts


def _infos(session: Session, notes: Sequence[HandoverNote]) -> list[HandoverNoteInfo]:
    """HandoverNoteInfos for ``notes``, related rows fetched in one query per table."""
    if not notes:
        return []
    ids = [n.id for n in notes]
    shifts = {s.id: s for s in session.execute(
        select(Shift).where(Shift.id.in_({n.shift_id for n in notes}))).scalars()}
    acks: dict[int, list[tuple[int, datetime]]] = {}
    for note_id, agent_id, at in session.execute(
        select(HandoverAck.note_id, HandoverAck.agent_id, HandoverAck.acked_at)
        .where(HandoverAck.note_id.in_(ids)).order_by(HandoverAck.acked_at, HandoverAck.id)
    ).all():
        acks.setdefault(note_id, []).append((agent_id, at))
    agent_ids = {n.agent_id for n in notes} | {a for lst in acks.values() for a, _ in lst}
    agents = {aid: (number, name) for aid, number, name in session.execute(
        select(Agent.id, Agent.number, Agent.name).where(Agent.id.in_(agent_ids))).all()}
    out = []
    for n in notes:
        items, counts = _parse_body(n.body)
        shift = shifts.get(n.shift_id)
        note_acks = acks.get(n.id, [])  # type: ignore[arg-type]
        number, name = agents.get(n.agent_id, ("", ""))
        out.append(HandoverNoteInfo(
            id=n.id, shift_id=n.shift_id, agent_number=number, agent_name=name, team=n.team, seat=n.seat,  # type: ignore[arg-type]
            compiled_at=n.compiled_at, confirmed_at=n.confirmed_at, items=items, counts=counts, notes=n.notes,
            phrase_flag=n.phrase_flag, acks=tuple((agents.get(a, ("", ""))[0], at) for a, at in note_acks),
            started_at=shift.started_at if shift else None, ended_at=shift.ended_at if shift else None,
            ack_names=tuple(agents.get(a, ("", ""))[1] for a, _ in note_acks),
        ))
    return out


def note_info(session: Session, note_id: int) -> HandoverNoteInfo:
    note = session.get(HandoverNote, note_id)
    if note is None:
        raise NotFound("handover.note_not_found", id=note_id)
    return _infos(session, [note])[0]


# -- confirming ----------------------------------------------------------------------------------


def _existing_note(session: Session, shift_id: int) -> HandoverNote | None:
    return session.execute(
        select(HandoverNote).where(HandoverNote.shift_id == shift_id).order_by(HandoverNote.id).limit(1)
    ).scalar_one_or_none()


def _store_note(session: Session, shift: Shift, items: list[HandoverItem], counts: HandoverCounts, notes: str,
                at: datetime) -> HandoverNote:
    note = HandoverNote(
        shift_id=shift.id, agent_id=shift.agent_id, seat=shift.seat, team=shift.team,  # type: ignore[arg-type]
        compiled_at=at, confirmed_at=at, body=_body(items, counts, shift.started_at, shift.ended_at or at),
        notes=notes, phrase_flag=bool(phrase_check(notes)) if notes else False,
    )
    session.add(note)
    session.flush()
    return note


def confirm_handover(
    session: Session,
    shift_id: int,
    *,
    actor: AgentInfo,
    notes: str,
    hand_over_open_calls: bool = False,
) -> HandoverNoteInfo:
    """Store the shift's handover note and end the shift (once per shift).

    The items are compiled afresh now. Refused with ``InvalidInput("handover.open_calls",
    count=…)`` while calls of the shift are still open, unless ``hand_over_open_calls``:
    then they are listed in the note (kind ``open_call``) and each is audited
    (``handover.open_call``). ``phrase_flag`` is set when the notes hold a forbidden phrase.
    Only the shift's agent or a lead (a lead's confirmation closes the shift in their name,
    as :func:`accounts.end_shift` records).
    """
    text = _clean_notes(notes)
    shift = _shift(session, shift_id, lock=True)
    _require_own_or_lead(shift, actor)
    if _existing_note(session, shift_id) is not None:
        raise InvalidInput("handover.already_confirmed", shift_id=shift_id)
    now = clock.now()
    items, counts, open_calls = _compile(session, shift, now)
    if open_calls and not hand_over_open_calls:
        raise InvalidInput("handover.open_calls", field="calls", count=len(open_calls))
    items += _open_call_items(session, open_calls)
    accounts.end_shift(session, shift_id, actor=actor)
    note = _store_note(session, shift, items, counts, text, now)
    for call in open_calls:
        audit.record(session, "handover.open_call", actor_id=actor.id, entity="call", entity_id=call.id,
                     note_id=note.id, shift_id=shift_id)
    session.execute(
        Draft.__table__.delete().where(Draft.agent_id == shift.agent_id, Draft.form == DRAFT_FORM,  # type: ignore[attr-defined]
                                       Draft.key == str(shift_id))
    )
    audit.record(session, "handover.confirm", actor_id=actor.id, entity="handover_note", entity_id=note.id,
                 shift_id=shift_id, items=len(items), open_calls=len(open_calls), phrase_flag=note.phrase_flag)
    session.flush()
    return _infos(session, [note])[0]


# -- reading and acknowledging -------------------------------------------------------------------


def _addressed_to(team: str | None):  # type: ignore[no-untyped-def]
    return or_(HandoverNote.team.is_(None), HandoverNote.team == team) if team is not None \
        else HandoverNote.team.is_(None)


def unacknowledged_for(session: Session, *, agent: AgentInfo) -> list[HandoverNoteInfo]:
    """Confirmed notes for ``agent`` to read at login, newest first.

    Addressed to the agent's team (a note with no team goes to everyone; an agent with no
    team gets only those), from other agents, confirmed in the last ``UNACKNOWLEDGED_DAYS``
    days, not yet acknowledged by ``agent``.
    """
    since = clock.now() - timedelta(days=UNACKNOWLEDGED_DAYS)
    acked = exists().where(HandoverAck.note_id == HandoverNote.id, HandoverAck.agent_id == agent.id)
    notes = list(session.execute(
        select(HandoverNote)
        .where(HandoverNote.confirmed_at.is_not(None), HandoverNote.confirmed_at >= since,
               HandoverNote.agent_id != agent.id, _addressed_to(agent.team), ~acked)
        .order_by(HandoverNote.confirmed_at.desc(), HandoverNote.id.desc())
    ).scalars())
    return _infos(session, notes)


def acknowledge(session: Session, note_id: int, *, actor: AgentInfo) -> None:
    """``actor`` has read note ``note_id`` (who and when kept). Acknowledging twice is a no-op.

    A note's own author has nothing to acknowledge (refused).
    """
    note = session.get(HandoverNote, note_id)
    if note is None or note.confirmed_at is None:
        raise NotFound("handover.note_not_found", id=note_id)
    if note.agent_id == actor.id:
        raise InvalidInput("handover.own_note", id=note_id)
    done = session.execute(
        select(HandoverAck.id).where(HandoverAck.note_id == note_id, HandoverAck.agent_id == actor.id)
    ).first()
    if done:
        return
    try:
        with session.begin_nested():  # a concurrent acknowledgement by the same agent wins, quietly
            session.add(HandoverAck(note_id=note_id, agent_id=actor.id, acked_at=clock.now()))
    except IntegrityError:
        return
    audit.record(session, "handover.ack", actor_id=actor.id, entity="handover_note", entity_id=note_id)


def unacknowledged_overview(
    session: Session, *, actor: AgentInfo, limit: int = 50
) -> list[tuple[HandoverNoteInfo, list[str]]]:
    """Lead only: recent notes (last ``UNACKNOWLEDGED_DAYS`` days, newest first, at most
    ``limit``) some addressee has not acknowledged, each with the agent numbers of those
    addressees. Addressees: the active agents of the note's team (every active agent for a
    note with no team), its author excepted."""
    require_lead(actor)
    since = clock.now() - timedelta(days=UNACKNOWLEDGED_DAYS)
    notes = list(session.execute(
        select(HandoverNote).where(HandoverNote.confirmed_at.is_not(None), HandoverNote.confirmed_at >= since)
        .order_by(HandoverNote.confirmed_at.desc(), HandoverNote.id.desc())
    ).scalars())
    if not notes:
        return []
    agents = session.execute(
        select(Agent.id, Agent.number, Agent.team).where(Agent.active.is_(True)).order_by(Agent.number)
    ).all()
    acked: dict[int, set[int]] = {}
    for note_id, agent_id in session.execute(
        select(HandoverAck.note_id, HandoverAck.agent_id).where(HandoverAck.note_id.in_([n.id for n in notes]))
    ).all():
        acked.setdefault(note_id, set()).add(agent_id)
    pending: list[tuple[HandoverNote, list[str]]] = []
    for n in notes:
        missing = [number for aid, number, team in agents
                   if aid != n.agent_id and (n.team is None or team == n.team) and aid not in acked.get(n.id, set())]  # type: ignore[arg-type]
        if missing:
            pending.append((n, missing))
        if len(pending) >= max(1, limit):
            break
    infos = _infos(session, [n for n, _ in pending])
    return [(info, missing) for info, (_, missing) in zip(infos, pending, strict=True)]


def find_notes(
    session: Session,
    *,
    agent_number: str | None = None,
    shift: Literal["latest"] | int | None = None,
    date: date | None = None,
) -> list[HandoverNoteInfo]:
    """Confirmed notes for an export, oldest first.

    ``agent_number`` — that agent's notes only (``NotFound("agent.not_found")`` when no such
    agent); ``shift="latest"`` — the most recent confirmed note (of that agent); an int —
    the note of that shift (``NotFound("shift.not_found")`` when no such shift); ``date`` —
    notes of shifts that *started* that day. Nothing given: every confirmed note. An empty
    list means no note matched.
    """
    q = select(HandoverNote).join(Shift, Shift.id == HandoverNote.shift_id).where(HandoverNote.confirmed_at.is_not(None))
    if agent_number is not None:
        agent_id = session.execute(select(Agent.id).where(Agent.number == agent_number.strip())).scalar_one_or_none()
        if agent_id is None:
            raise NotFound("agent.not_found", number=agent_number)
        q = q.where(HandoverNote.agent_id == agent_id)
    if isinstance(shift, int) and not isinstance(shift, bool):
        _shift(session, shift)
        q = q.where(HandoverNote.shift_id == shift)
    elif shift not in (None, "latest"):
        raise InvalidInput("handover.bad_shift", field="shift", value=shift)
    if date is not None:
        start = datetime(date.year, date.month, date.day)
        q = q.where(Shift.started_at >= start, Shift.started_at < start + timedelta(days=1))
    if shift == "latest":
        q = q.order_by(HandoverNote.confirmed_at.desc(), HandoverNote.id.desc()).limit(1)
    else:
        q = q.order_by(HandoverNote.confirmed_at, HandoverNote.id)
    return _infos(session, list(session.execute(q).scalars()))


def record_export(
    session: Session,
    notes: Sequence[HandoverNoteInfo],
    *,
    fmt: str,
    actor: AgentInfo | None,
    unmasked: bool = False,
    destination: str = "",
) -> None:
    """Audit an export (``handover.export``); full phone numbers are a lead's call only and
    audited on their own (``handover.export_unmasked``). Call it in the transaction that
    reads the notes, before the file is handed out."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("handover.bad_format", field="format", valid=", ".join(EXPORT_FORMATS))
    if unmasked:
        require_lead(actor)
    ids = [n.id for n in notes]
    actor_id = actor.id if actor else None
    audit.record(session, "handover.export", actor_id=actor_id, entity="handover_note",
                 entity_id=ids[0] if len(ids) == 1 else None, notes=ids, format=fmt, unmasked=unmasked,
                 destination=destination)
    if unmasked:
        audit.record(session, "handover.export_unmasked", actor_id=actor_id, entity="handover_note",
                     entity_id=ids[0] if len(ids) == 1 else None, notes=ids, format=fmt, destination=destination)


__all__ = [
    "EXPORT_FORMATS",
    "ITEM_KINDS",
    "NEXT_SHIFT_LENGTH",
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
