"""Outages as the call flow sees them: is the caller's area affected, link the call."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import Call, Outage, OutageArea, OutageCall
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class OutageInfo:
    id: int
    areas: tuple[str, ...]
    services: tuple[str, ...]
    cause: str
    eta: datetime | None
    message: str
    linked_calls: int


def area_matches(outage_area: str, customer_area: str) -> bool:
    """An outage on 朝阳区 covers 朝阳区红旗街道湖西社区: areas are named from wide to narrow."""
    outage_area, customer_area = outage_area.strip(), customer_area.strip()
    return bool(outage_area) and customer_area.startswith(outage_area)


def _info(session: Session, outage: Outage) -> OutageInfo:
    areas = tuple(session.execute(
        select(OutageArea.area_name).where(OutageArea.outage_id == outage.id).order_by(OutageArea.id)
    ).scalars())
    linked = session.execute(
        select(func.count()).select_from(OutageCall).where(OutageCall.outage_id == outage.id)
    ).scalar_one()
    return OutageInfo(outage.id, areas, tuple(json.loads(outage.services or "[]")), outage.cause,  # type: ignore[arg-type]
                      outage.eta, outage.message, linked)


def active_outage_for_area(session: Session, area_name: str) -> OutageInfo | None:
    if not area_name:
        return None
    rows = session.execute(
        select(Outage, OutageArea.area_name)
        .join(OutageArea, OutageArea.outage_id == Outage.id)
        .where(Outage.status == "active")
        .order_by(Outage.declared_at.desc())
    ).all()
    for outage, outage_area in rows:
        if area_matches(outage_area, area_name):
            return _info(session, outage)
    return None


def link_call(session: Session, call_id: int, outage_id: int, *, actor: AgentInfo) -> None:
    """Link the call to the outage and archive it (归档): no new work order (seed 000, rule 6)."""
    call = session.get(Call, call_id)
    outage = session.get(Outage, outage_id)
    if call is None:
        raise NotFound("call.not_found", id=call_id)
    if outage is None:
        raise NotFound("outage.not_found", id=outage_id)
    if outage.status != "active":
        raise InvalidInput("outage.not_active")
    exists = session.execute(
        select(OutageCall.id).where(OutageCall.outage_id == outage_id, OutageCall.call_id == call_id)
    ).first()
    if not exists:
        session.add(OutageCall(outage_id=outage_id, call_id=call_id, linked_by_id=actor.id, linked_at=clock.now()))
    call.request_type = call.request_type or "repair"
    call.outcome = "outage_archived"
    session.add(call)
    audit.record(session, "call.outage_link", actor_id=actor.id, entity="call", entity_id=call_id, outage_id=outage_id)
