"""Reading outages: what the banner, the list and the timeline show, and area completion."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from agentdesk.i18n import t
from agentdesk.models import Agent, AuditEvent, Callback, Customer, Outage, OutageArea, OutageCall
from agentdesk.services.errors import NotFound
from agentdesk.services.outages.fields import MAX_AREA_SUGGESTIONS, MAX_LIST, area_matches, clean_area, fmt_time
from agentdesk.services.rows import get_or_not_found, row_id

# Where a wider area ends inside a customer's area name: 朝阳区|红旗街道|湖西社区.
_LEVEL_END = re.compile(r"(?:省|自治区|自治州|市(?!场)|(?<![社小园])区|县|街道|镇|乡)")


@dataclass(frozen=True)
class OutageInfo:
    id: int
    areas: tuple[str, ...]
    services: tuple[str, ...]
    cause: str
    eta: datetime | None
    message: str
    linked_calls: int
    status: str = "active"
    declared_at: datetime | None = None
    declared_by: str | None = None  # the lead's agent number
    declared_by_name: str | None = None
    updated_at: datetime | None = None
    cleared_at: datetime | None = None
    cleared_by: str | None = None
    cleared_by_name: str | None = None
    restoration_callbacks: int = 0

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str  # outage.declare | outage.update | outage.clear
    agent_number: str | None
    agent_name: str | None
    detail: dict = field(default_factory=dict)  # the audit row's detail, parsed


def outage_infos(session: Session, outages: Sequence[Outage]) -> list[OutageInfo]:
    """OutageInfo for several outages in a fixed number of queries."""
    if not outages:
        return []
    ids = [o.id for o in outages]
    areas: dict[int, list[str]] = {}
    for oid, name in session.execute(
        select(col(OutageArea.outage_id), col(OutageArea.area_name))
        .where(col(OutageArea.outage_id).in_(ids)).order_by(col(OutageArea.id))
    ).all():
        areas.setdefault(oid, []).append(name)
    linked: dict[int | None, int] = dict(session.execute(
        select(col(OutageCall.outage_id), func.count())
        .where(col(OutageCall.outage_id).in_(ids)).group_by(col(OutageCall.outage_id))
    ).all())
    restoration: dict[int | None, int] = dict(session.execute(
        select(col(Callback.outage_id), func.count())
        .where(col(Callback.outage_id).in_(ids), col(Callback.kind) == "restoration").group_by(col(Callback.outage_id))
    ).all())
    agent_ids = {o.declared_by_id for o in outages} | {o.cleared_by_id for o in outages if o.cleared_by_id}
    agents = {aid: (number, name) for aid, number, name in session.execute(
        select(col(Agent.id), col(Agent.number), col(Agent.name)).where(col(Agent.id).in_(agent_ids))
    ).all()}
    out = []
    for o in outages:
        declared = agents.get(o.declared_by_id, (None, None))
        cleared = agents.get(o.cleared_by_id, (None, None)) if o.cleared_by_id else (None, None)
        out.append(OutageInfo(
            id=row_id(o), areas=tuple(areas.get(row_id(o), ())), services=tuple(json.loads(o.services or "[]")),
            cause=o.cause, eta=o.eta, message=o.message, linked_calls=int(linked.get(o.id, 0)),
            status=o.status, declared_at=o.declared_at, declared_by=declared[0], declared_by_name=declared[1],
            updated_at=o.updated_at, cleared_at=o.cleared_at, cleared_by=cleared[0], cleared_by_name=cleared[1],
            restoration_callbacks=int(restoration.get(o.id, 0)),
        ))
    return out


def outage_info(session: Session, outage: Outage) -> OutageInfo:
    return outage_infos(session, [outage])[0]


def get_outage(session: Session, outage_id: int) -> OutageInfo:
    outage = get_or_not_found(session, Outage, outage_id, "outage.not_found")
    return outage_info(session, outage)


def active_outages(session: Session) -> list[OutageInfo]:
    """Every active outage, the most recently declared first (what the banner shows)."""
    rows = session.execute(
        select(Outage).where(col(Outage.status) == "active")
        .order_by(col(Outage.declared_at).desc(), col(Outage.id).desc())
    ).scalars().all()
    return outage_infos(session, rows)


def list_outages(session: Session, *, active_only: bool = False, limit: int = 100) -> list[OutageInfo]:
    """Outages, the most recently declared first; ``active_only`` keeps the active ones."""
    limit = max(1, min(int(limit), MAX_LIST))
    q = select(Outage)
    if active_only:
        q = q.where(col(Outage.status) == "active")
    q = q.order_by(col(Outage.declared_at).desc(), col(Outage.id).desc()).limit(limit)
    rows = session.execute(q).scalars().all()
    return outage_infos(session, rows)


def active_outage_for_area(session: Session, area_name: str) -> OutageInfo | None:
    """The most recently declared active outage covering the customer's area, if any."""
    if not area_name:
        return None
    rows = session.execute(
        select(Outage, col(OutageArea.area_name))
        .join(OutageArea, col(OutageArea.outage_id) == col(Outage.id))
        .where(col(Outage.status) == "active")
        .order_by(col(Outage.declared_at).desc(), col(Outage.id).desc())
    ).all()
    for outage, outage_area in rows:
        if area_matches(outage_area, area_name):
            return outage_info(session, outage)
    return None


def timeline(session: Session, outage_id: int) -> list[TimelineEntry]:
    """Who declared, changed and cleared the outage, and when (its audit rows, oldest first)."""
    if session.get(Outage, outage_id) is None:
        raise NotFound("outage.not_found", id=outage_id)
    rows = session.execute(
        select(col(AuditEvent.at), col(AuditEvent.action), col(Agent.number), col(Agent.name), col(AuditEvent.detail))
        .outerjoin(Agent, col(Agent.id) == col(AuditEvent.agent_id))
        .where(col(AuditEvent.entity) == "outage", col(AuditEvent.entity_id) == outage_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
    return [TimelineEntry(at, action, number, name, json.loads(detail) if detail else {})
            for at, action, number, name, detail in rows]


def join(items: Iterable[str]) -> str:
    """Items listed in the current language: 朝阳区、南关区 / 朝阳区, 南关区."""
    return t("outages.separator").join(items)


def services_text(services: Iterable[str]) -> str:
    return join(t(f"service.{s}") for s in services) or "—"


def describe(entry: TimelineEntry) -> str:
    """One line saying what a timeline entry did, in the current language."""
    d = entry.detail
    if entry.action == "outage.declare":
        return t("outages.event_declare", areas=join(d.get("areas", [])),
                 services=services_text(d.get("services", [])), cause=d.get("cause", ""),
                 eta=fmt_time(datetime.fromisoformat(d["eta"]) if d.get("eta") else None))
    if entry.action == "outage.update":
        parts = []
        for name, change in d.get("changes", {}).items():
            value = change.get("to")
            if name == "areas":
                value = join(value or [])
            elif name == "services":
                value = services_text(value or [])
            elif name == "eta":
                value = fmt_time(datetime.fromisoformat(value) if value else None)
            parts.append(t("outages.change", field=t(f"outages.field_{name}"), value=value or "—"))
        return t("outages.event_update", changes=t("outages.change_separator").join(parts))
    if entry.action == "outage.clear":
        return t("outages.event_clear", callbacks=d.get("callbacks", 0), linked=d.get("linked_calls", 0))
    return entry.action


def known_areas(session: Session, prefix: str = "", limit: int = 20, *, levels: bool = True) -> list[str]:
    """Area names for completion: the customer records' areas starting with ``prefix`` and,
    with ``levels``, the wider areas they name (朝阳区, 朝阳区红旗街道 from
    朝阳区红旗街道湖西社区) — what a lead usually declares. Sorted, at most ``limit``.

    Reads the ``customers.area_name`` index as a loose index scan: one seek per distinct
    name (``min(area_name) > previous``), never a pass over every customer; ``limit`` is
    capped at :data:`MAX_AREA_SUGGESTIONS`.
    """
    prefix = clean_area(prefix)
    limit = max(1, min(int(limit), MAX_AREA_SUGGESTIONS))
    column = col(Customer.area_name)
    upper = and_(column >= prefix, column < prefix + "\U0010ffff") if prefix else column > ""
    names: list[str] = []
    last: str | None = None
    while len(names) < limit:
        cond = upper if last is None else and_(upper, column > last)
        found = session.execute(select(func.min(column)).where(cond)).scalar_one_or_none()
        if found is None:
            break
        names.append(found)
        last = found
    if not levels:
        return names
    out: set[str] = set(names)
    for name in names:
        for match in _LEVEL_END.finditer(name):
            wider = name[:match.end()]
            if len(wider) >= 2 and wider != name and wider.startswith(prefix):
                out.add(wider)
    return sorted(out)[:limit]
