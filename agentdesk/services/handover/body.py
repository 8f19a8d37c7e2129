"""A confirmed note's body (its items and counts as JSON) and the notes as they are read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk.models import Agent, HandoverAck, HandoverNote, Shift
from agentdesk.services.handover.records import BODY_VERSION, HandoverCounts, HandoverItem, HandoverNoteInfo, _masked
from agentdesk.services.rows import get_or_not_found, row_id


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _item_json(item: HandoverItem) -> dict[str, Any]:
    return {
        "kind": item.kind, "ref": item.ref, "entity_id": item.entity_id, "title": item.title,
        "category": item.category, "status": item.status, "badge": item.badge, "due_at": _iso(item.due_at),
        "created_at": _iso(item.created_at), "customer_name": item.customer_name, "phone": item.phone,
        "detail": item.detail, **({"title_message": item.title_message} if item.title_message else {}),
    }


def _item_from_json(data: dict[str, Any]) -> HandoverItem:
    phone = str(data.get("phone") or "")
    return HandoverItem(
        kind=str(data.get("kind", "")), ref=str(data.get("ref", "")), title=str(data.get("title") or ""),
        due_at=_from_iso(data.get("due_at")), status=str(data.get("status") or ""),
        customer_name=str(data.get("customer_name") or ""), phone_masked=_masked(phone),
        detail=str(data.get("detail") or ""), phone=phone, entity_id=data.get("entity_id"),
        category=str(data.get("category") or ""), badge=str(data.get("badge") or ""),
        created_at=_from_iso(data.get("created_at")), title_message=data.get("title_message") or None,
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
        select(Shift).where(col(Shift.id).in_({n.shift_id for n in notes}))).scalars()}
    acks: dict[int, list[tuple[int, datetime]]] = {}
    for note_id, agent_id, at in session.execute(
        select(col(HandoverAck.note_id), col(HandoverAck.agent_id), col(HandoverAck.acked_at))
        .where(col(HandoverAck.note_id).in_(ids)).order_by(col(HandoverAck.acked_at), col(HandoverAck.id))
    ).all():
        acks.setdefault(note_id, []).append((agent_id, at))
    agent_ids = {n.agent_id for n in notes} | {a for lst in acks.values() for a, _ in lst}
    agents = {aid: (number, name) for aid, number, name in session.execute(
        select(col(Agent.id), col(Agent.number), col(Agent.name)).where(col(Agent.id).in_(agent_ids))).all()}
    out = []
    for n in notes:
        items, counts = _parse_body(n.body)
        shift = shifts.get(n.shift_id)
        note_acks = acks.get(row_id(n), [])
        number, name = agents.get(n.agent_id, ("", ""))
        out.append(HandoverNoteInfo(
            id=row_id(n), shift_id=n.shift_id, agent_number=number, agent_name=name, team=n.team, seat=n.seat,
            compiled_at=n.compiled_at, confirmed_at=n.confirmed_at, items=items, counts=counts, notes=n.notes,
            phrase_flag=n.phrase_flag, acks=tuple((agents.get(a, ("", ""))[0], at) for a, at in note_acks),
            started_at=shift.started_at if shift else None, ended_at=shift.ended_at if shift else None,
            ack_names=tuple(agents.get(a, ("", ""))[1] for a, _ in note_acks),
        ))
    return out


def note_info(session: Session, note_id: int) -> HandoverNoteInfo:
    note = get_or_not_found(session, HandoverNote, note_id, "handover.note_not_found")
    return _infos(session, [note])[0]
