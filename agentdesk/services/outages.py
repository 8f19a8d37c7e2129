"""Outages (大面积故障): declared by a lead, shown on every desk, calls linked, cleared.

DESIGN.md "Outage broadcast". The life of an outage:

* :func:`declare` — a lead names the areas (free-form names from the customer records,
  wide to narrow: 朝阳区, 朝阳区红旗街道 …; an outage area covers every customer area that
  starts with it, :func:`area_matches`), the services affected (:data:`SERVICES`), the
  cause, the expected restoration time and a message for agents. Status ``active``.
* :func:`update` — a lead changes any of these while the outage is active; only what
  actually changed is recorded.
* :func:`link_call` — the call flow links a caller's call to it and archives the call.
* :func:`clear` — a lead clears it (status ``cleared``); every linked caller gets one
  **restoration callback** (回访 kind ``restoration``), due
  :data:`RESTORATION_CALLBACK_WITHIN` (2 hours) after the clearing: the customers who
  called are told service is back while it matters to them, and asked whether it works.
  Callers are deduplicated by customer and by phone number; a caller with neither cannot
  be called back and is only counted in the audit row.

Every change writes its audit row (entity ``outage``, read back by :func:`timeline`) and
bumps the ``outages`` change counter (:mod:`agentdesk.services.broadcast`) in the same
transaction, so every desk — other processes, other workstations — shows the banner
within the watcher's polling interval. Lead-only actions are refused here
(:class:`PermissionDenied`) before anything is read or written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlmodel import Session

from agentdesk import clock
from agentdesk.i18n import t
from agentdesk.models import Agent, AuditEvent, Call, Callback, Customer, CustomerPhone, Outage, OutageArea, OutageCall
from agentdesk.normalize import clean_text
from agentdesk.services import audit, broadcast
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidFields, InvalidInput, NotFound

SERVICES = ("tv", "broadband", "phone")
STATUSES = ("active", "cleared")
#: A restoration callback is due this long after the outage is cleared.
RESTORATION_CALLBACK_WITHIN = timedelta(hours=2)
MAX_AREAS = 50
MAX_AREA_LENGTH = 100  # OutageArea.area_name
MAX_CAUSE = 500
MAX_MESSAGE = 2000
MAX_LIST = 500
MAX_AREA_SUGGESTIONS = 5000
#: What separates several areas typed in one box: 朝阳区、南关区 / 朝阳区,南关区.
AREA_SEPARATORS = re.compile(r"[,，、;；\n]+")
_SERVICE_SEPARATORS = re.compile(r"[,，、;；\s]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
# Where a wider area ends inside a customer's area name: 朝阳区|红旗街道|湖西社区.
_LEVEL_END = re.compile(r"(?:省|自治区|自治州|市(?!场)|(?<![社小园])区|县|街道|镇|乡)")


class NotActive(InvalidInput):
    """The outage was cleared: it cannot be changed or cleared again."""

    key = "outages.not_active"


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


# -- areas ------------------------------------------------------------------------------------


def area_matches(outage_area: str, customer_area: str) -> bool:
    """An outage on 朝阳区 covers 朝阳区红旗街道湖西社区: areas are named from wide to narrow."""
    outage_area, customer_area = outage_area.strip(), customer_area.strip()
    return bool(outage_area) and customer_area.startswith(outage_area)


def clean_area(text: str) -> str:
    """An area name as stored and matched: control characters out, no spaces beside Hanzi
    (``朝阳区 红旗街道`` → ``朝阳区红旗街道``), other runs of spaces made one."""
    text = clean_text(unicodedata.normalize("NFC", text or "")).strip()
    text = re.sub(r"\s+", " ", text)
    return re.sub(rf"(?<=[{_CJK}]) | (?=[{_CJK}])", "", text)


def clean_areas(areas: str | Iterable[str]) -> tuple[str, ...]:
    """The areas a lead typed, cleaned and deduplicated in their order; one string may hold
    several (朝阳区、南关区). Raises InvalidInput when none is left or one is too long."""
    if isinstance(areas, str):
        areas = [areas]
    out: list[str] = []
    for raw in areas:
        # Cleaned before splitting: an OSC sequence's own ';' is not an area separator.
        for part in AREA_SEPARATORS.split(clean_text(raw or "")):
            name = clean_area(part)
            if not name:
                continue
            if len(name) > MAX_AREA_LENGTH:
                raise InvalidInput("outages.area_too_long", field="areas", area=name[:20], limit=MAX_AREA_LENGTH)
            if name not in out:
                out.append(name)
    if not out:
        raise InvalidInput("outages.no_areas", field="areas")
    if len(out) > MAX_AREAS:
        raise InvalidInput("outages.too_many_areas", field="areas", limit=MAX_AREAS)
    return tuple(out)


def _service_names() -> dict[str, str]:
    """Accepted spellings → service: the codes and their names in every catalog (宽带)."""
    from agentdesk.i18n import LANGUAGES

    names = {s: s for s in SERVICES}
    for lang in LANGUAGES:
        for s in SERVICES:
            names.setdefault(t(f"service.{s}", lang=lang).strip().lower(), s)
    return names


def parse_services(services: str | Iterable[str]) -> tuple[str, ...]:
    """Services from codes (``tv,broadband``) or their names (有线电视、宽带), in
    :data:`SERVICES` order. Raises InvalidInput naming the valid codes."""
    if isinstance(services, str):
        services = [services]
    known = _service_names()
    found: set[str] = set()
    for raw in services:
        for part in _SERVICE_SEPARATORS.split(clean_text(raw or "").strip()):
            if not part:
                continue
            service = known.get(part.lower())
            if service is None:
                raise InvalidInput("outages.bad_service", field="services", value=part, valid=", ".join(SERVICES))
            found.add(service)
    if not found:
        raise InvalidInput("outages.no_services", field="services", valid=", ".join(SERVICES))
    return tuple(s for s in SERVICES if s in found)


def _text(value: str, field_name: str, limit: int, *, required: bool) -> str:
    value = clean_text(value or "").strip()
    if required and not value:
        raise InvalidInput(f"outages.no_{field_name}", field=field_name)
    if len(value) > limit:
        raise InvalidInput("field.too_long", field=field_name, limit=limit)
    return value


def _eta(eta: datetime | None, now: datetime) -> datetime | None:
    if eta is None:
        return None
    if not isinstance(eta, datetime):
        raise InvalidInput("outages.bad_eta", field="eta")
    if eta.tzinfo is not None:
        eta = eta.astimezone(clock.CENTER_TZ).replace(tzinfo=None)
    eta = eta.replace(microsecond=0)
    if eta < now:
        raise InvalidInput("outages.eta_past", field="eta", eta=fmt_time(eta), now=fmt_time(now))
    return eta


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else t("outages.eta_unknown")


def check_fields(
    *,
    areas: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    cause: str | None = None,
    eta: datetime | None = None,
    message: str | None = None,
) -> dict[str, object]:
    """The given fields (``None``: not given, left out of the result) cleaned and
    validated as :func:`declare` and :func:`update` do, without touching the database —
    so a form or the CLI can check its input before asking for a PIN. Every invalid field
    is reported at once (:class:`InvalidFields` when more than one)."""
    now = clock.now()
    checks: dict[str, object] = {}
    if areas is not None:
        checks["areas"] = lambda: clean_areas(areas)
    if services is not None:
        checks["services"] = lambda: parse_services(services)
    if cause is not None:
        checks["cause"] = lambda: _text(cause, "cause", MAX_CAUSE, required=True)
    if eta is not None:
        checks["eta"] = lambda: _eta(eta, now)
    if message is not None:
        checks["message"] = lambda: _text(message, "message", MAX_MESSAGE, required=False)
    return _validated(checks)


def _validated(checks: dict[str, object]) -> dict[str, object]:
    """Run every check (a zero-argument callable per field); report all that fail together."""
    values: dict[str, object] = {}
    errors: dict[str, InvalidInput] = {}
    for name, check in checks.items():
        try:
            values[name] = check()  # type: ignore[operator]
        except InvalidInput as exc:
            errors[exc.field or name] = exc
    if len(errors) == 1:
        raise next(iter(errors.values()))
    if errors:
        raise InvalidFields(errors)
    return values


# -- reading ----------------------------------------------------------------------------------


def _infos(session: Session, outages: Sequence[Outage]) -> list[OutageInfo]:
    """OutageInfo for several outages in a fixed number of queries."""
    if not outages:
        return []
    ids = [o.id for o in outages]
    areas: dict[int, list[str]] = {}
    for oid, name in session.execute(
        select(OutageArea.outage_id, OutageArea.area_name).where(OutageArea.outage_id.in_(ids)).order_by(OutageArea.id)
    ).all():
        areas.setdefault(oid, []).append(name)
    linked = dict(session.execute(  # type: ignore[arg-type]
        select(OutageCall.outage_id, func.count()).where(OutageCall.outage_id.in_(ids)).group_by(OutageCall.outage_id)
    ).all())
    restoration = dict(session.execute(  # type: ignore[arg-type]
        select(Callback.outage_id, func.count())
        .where(Callback.outage_id.in_(ids), Callback.kind == "restoration").group_by(Callback.outage_id)
    ).all())
    agent_ids = {o.declared_by_id for o in outages} | {o.cleared_by_id for o in outages if o.cleared_by_id}
    agents = {aid: (number, name) for aid, number, name in session.execute(
        select(Agent.id, Agent.number, Agent.name).where(Agent.id.in_(agent_ids))
    ).all()}
    out = []
    for o in outages:
        declared = agents.get(o.declared_by_id, (None, None))
        cleared = agents.get(o.cleared_by_id, (None, None)) if o.cleared_by_id else (None, None)
        out.append(OutageInfo(
            id=o.id, areas=tuple(areas.get(o.id, ())), services=tuple(json.loads(o.services or "[]")),  # type: ignore[arg-type]
            cause=o.cause, eta=o.eta, message=o.message, linked_calls=int(linked.get(o.id, 0)),
            status=o.status, declared_at=o.declared_at, declared_by=declared[0], declared_by_name=declared[1],
            updated_at=o.updated_at, cleared_at=o.cleared_at, cleared_by=cleared[0], cleared_by_name=cleared[1],
            restoration_callbacks=int(restoration.get(o.id, 0)),
        ))
    return out


def _info(session: Session, outage: Outage) -> OutageInfo:
    return _infos(session, [outage])[0]


def get_outage(session: Session, outage_id: int) -> OutageInfo:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("outage.not_found", id=outage_id)
    return _info(session, outage)


def active_outages(session: Session) -> list[OutageInfo]:
    """Every active outage, the most recently declared first (what the banner shows)."""
    rows = session.execute(
        select(Outage).where(Outage.status == "active").order_by(Outage.declared_at.desc(), Outage.id.desc())
    ).scalars().all()
    return _infos(session, rows)


def list_outages(session: Session, *, active_only: bool = False, limit: int = 100) -> list[OutageInfo]:
    """Outages, the most recently declared first; ``active_only`` keeps the active ones."""
    limit = max(1, min(int(limit), MAX_LIST))
    q = select(Outage)
    if active_only:
        q = q.where(Outage.status == "active")
    rows = session.execute(q.order_by(Outage.declared_at.desc(), Outage.id.desc()).limit(limit)).scalars().all()
    return _infos(session, rows)


def active_outage_for_area(session: Session, area_name: str) -> OutageInfo | None:
    """The most recently declared active outage covering the customer's area, if any."""
    if not area_name:
        return None
    rows = session.execute(
        select(Outage, OutageArea.area_name)
        .join(OutageArea, OutageArea.outage_id == Outage.id)
        .where(Outage.status == "active")
        .order_by(Outage.declared_at.desc(), Outage.id.desc())
    ).all()
    for outage, outage_area in rows:
        if area_matches(outage_area, area_name):
            return _info(session, outage)
    return None


def timeline(session: Session, outage_id: int) -> list[TimelineEntry]:
    """Who declared, changed and cleared the outage, and when (its audit rows, oldest first)."""
    if session.get(Outage, outage_id) is None:
        raise NotFound("outage.not_found", id=outage_id)
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.action, Agent.number, Agent.name, AuditEvent.detail)
        .outerjoin(Agent, Agent.id == AuditEvent.agent_id)
        .where(AuditEvent.entity == "outage", AuditEvent.entity_id == outage_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [TimelineEntry(at, action, number, name, json.loads(detail) if detail else {})
            for at, action, number, name, detail in rows]


def join(items: Iterable[str]) -> str:
    """Items listed in the current language: 朝阳区、南关区 / 朝阳区, 南关区."""
    return t("outages.separator").join(items)


def _services_text(services: Iterable[str]) -> str:
    return join(t(f"service.{s}") for s in services) or "—"


def describe(entry: TimelineEntry) -> str:
    """One line saying what a timeline entry did, in the current language."""
    d = entry.detail
    if entry.action == "outage.declare":
        return t("outages.event_declare", areas=join(d.get("areas", [])),
                 services=_services_text(d.get("services", [])), cause=d.get("cause", ""),
                 eta=fmt_time(datetime.fromisoformat(d["eta"]) if d.get("eta") else None))
    if entry.action == "outage.update":
        parts = []
        for name, change in d.get("changes", {}).items():
            value = change.get("to")
            if name == "areas":
                value = join(value or [])
            elif name == "services":
                value = _services_text(value or [])
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
    column = Customer.area_name
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


# -- changing ---------------------------------------------------------------------------------


def _lock(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id, with_for_update=True, populate_existing=True)
    if outage is None:
        raise NotFound("outage.not_found", id=outage_id)
    if outage.status != "active":
        raise NotActive("outages.not_active", id=outage_id, cleared_at=fmt_time(outage.cleared_at))
    return outage


def declare(
    session: Session,
    *,
    actor: AgentInfo,
    areas: Sequence[str],
    services: Sequence[str],
    cause: str,
    eta: datetime | None,
    message: str,
) -> OutageInfo:
    """Declare an outage (lead only). Every invalid field is reported at once
    (:class:`InvalidFields` when more than one)."""
    require_lead(actor)
    now = clock.now()
    v = check_fields(areas=areas or [], services=services or [], cause=cause or "", eta=eta, message=message or "")
    v.setdefault("eta", None)
    outage = Outage(services=json.dumps(list(v["services"])), cause=v["cause"], eta=v["eta"],  # type: ignore[arg-type]
                    message=v["message"], status="active", declared_by_id=actor.id, declared_at=now,
                    updated_at=now)
    session.add(outage)
    session.flush()
    for name in v["areas"]:  # type: ignore[attr-defined]
        session.add(OutageArea(outage_id=outage.id, area_name=name))
    audit.record(session, "outage.declare", actor_id=actor.id, entity="outage", entity_id=outage.id,
                 areas=list(v["areas"]), services=list(v["services"]), cause=v["cause"],  # type: ignore[call-overload]
                 eta=v["eta"].isoformat() if v["eta"] else None, message=v["message"])  # type: ignore[attr-defined]
    broadcast.bump(session)
    session.flush()
    return _info(session, outage)


def update(
    session: Session,
    outage_id: int,
    *,
    actor: AgentInfo,
    areas: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    cause: str | None = None,
    eta: datetime | None = None,
    message: str | None = None,
    clear_eta: bool = False,
) -> OutageInfo:
    """Change an active outage (lead only). ``None`` leaves a field as it is; ``clear_eta``
    removes the expected time. The audit row ("outage.update") lists each changed field
    with its old and new value; when nothing changes, nothing is written (no audit row, no
    bump) and the outage is returned as it was."""
    require_lead(actor)
    outage = _lock(session, outage_id)
    now = clock.now()
    v = check_fields(areas=areas, services=services, cause=cause, eta=eta, message=message)
    if clear_eta and "eta" not in v:
        v["eta"] = None
    old_areas = tuple(session.execute(
        select(OutageArea.area_name).where(OutageArea.outage_id == outage_id).order_by(OutageArea.id)
    ).scalars())
    current = {"areas": old_areas, "services": tuple(json.loads(outage.services or "[]")), "cause": outage.cause,
               "eta": outage.eta, "message": outage.message}
    changes = {}
    for name, new in v.items():
        if new != current[name]:
            old = current[name]
            changes[name] = {
                "from": list(old) if isinstance(old, tuple) else (old.isoformat() if isinstance(old, datetime) else old),
                "to": list(new) if isinstance(new, tuple) else (new.isoformat() if isinstance(new, datetime) else new),
            }
    if not changes:
        return _info(session, outage)
    if "areas" in changes:
        session.execute(delete(OutageArea).where(OutageArea.outage_id == outage_id))
        for name in v["areas"]:  # type: ignore[attr-defined]
            session.add(OutageArea(outage_id=outage_id, area_name=name))
    if "services" in changes:
        outage.services = json.dumps(list(v["services"]))  # type: ignore[call-overload]
    for name in ("cause", "eta", "message"):
        if name in changes:
            setattr(outage, name, v[name])
    outage.updated_at = now
    session.add(outage)
    audit.record(session, "outage.update", actor_id=actor.id, entity="outage", entity_id=outage_id, changes=changes)
    broadcast.bump(session)
    session.flush()
    return _info(session, outage)


def _restoration_callbacks(session: Session, outage: Outage, areas: Sequence[str], now: datetime,
                           due_within: timedelta) -> tuple[int, int]:
    """One restoration callback per linked caller; returns (created, callers with no way back)."""
    rows = session.execute(
        select(Call.id, Call.customer_id, Call.caller_name, Call.caller_phone, Customer.name)
        .join(OutageCall, OutageCall.call_id == Call.id)
        .outerjoin(Customer, Customer.id == Call.customer_id)
        .where(OutageCall.outage_id == outage.id)
        .order_by(OutageCall.linked_at, OutageCall.id)
    ).all()
    need_phone = {r.customer_id for r in rows if r.customer_id is not None and not r.caller_phone}
    phones: dict[int, str] = {}
    if need_phone:
        for cid, phone in session.execute(
            select(CustomerPhone.customer_id, CustomerPhone.phone)
            .where(CustomerPhone.customer_id.in_(need_phone)).order_by(CustomerPhone.customer_id, CustomerPhone.id)
        ).all():
            phones.setdefault(cid, phone)
    reason = t("outages.restoration_reason", id=outage.id, areas=join(areas),
               services=_services_text(json.loads(outage.services or "[]")), cause=outage.cause)
    seen_customers: set[int] = set()
    seen_phones: set[str] = set()
    created = unreachable = 0
    for call_id, customer_id, caller_name, caller_phone, customer_name in rows:
        phone = caller_phone or (phones.get(customer_id) if customer_id is not None else None)
        if (customer_id is not None and customer_id in seen_customers) or (phone and phone in seen_phones):
            continue
        if customer_id is None and not phone:
            unreachable += 1
            continue
        if customer_id is not None:
            seen_customers.add(customer_id)
        if phone:
            seen_phones.add(phone)
        session.add(Callback(
            kind="restoration", customer_id=customer_id, call_id=call_id, outage_id=outage.id,
            contact_name=caller_name or customer_name, contact_phone=phone, reason=reason,
            due_at=now + due_within, status="pending", created_at=now,
        ))
        created += 1
    return created, unreachable


def clear(
    session: Session,
    outage_id: int,
    *,
    actor: AgentInfo,
    due_within: timedelta = RESTORATION_CALLBACK_WITHIN,
) -> tuple[OutageInfo, int]:
    """Clear an active outage (lead only) and queue one restoration callback per linked
    caller, due ``due_within`` from now. Returns the outage and how many callbacks were
    created. Clearing twice is refused (:class:`NotActive`), so callers are never queued twice."""
    require_lead(actor)
    outage = _lock(session, outage_id)
    now = clock.now()
    areas = tuple(session.execute(
        select(OutageArea.area_name).where(OutageArea.outage_id == outage_id).order_by(OutageArea.id)
    ).scalars())
    linked = session.execute(
        select(func.count()).select_from(OutageCall).where(OutageCall.outage_id == outage_id)
    ).scalar_one()
    created, unreachable = _restoration_callbacks(session, outage, areas, now, due_within)
    outage.status = "cleared"
    outage.cleared_at = now
    outage.cleared_by_id = actor.id
    outage.updated_at = now
    session.add(outage)
    audit.record(session, "outage.clear", actor_id=actor.id, entity="outage", entity_id=outage_id,
                 linked_calls=linked, callbacks=created, no_contact=unreachable,
                 callbacks_due=(now + due_within).isoformat())
    broadcast.bump(session)
    session.flush()
    return _info(session, outage), created


def link_call(session: Session, call_id: int, outage_id: int, *, actor: AgentInfo) -> None:
    """Link the call to the outage and archive it (归档): no new work order (seed 000, rule 6).

    A new link bumps the ``outages`` counter too: the banners' linked-call counts follow.
    The outage row is read ``FOR SHARE`` (PostgreSQL; SQLite writers are serialized
    anyway), so a link and a :func:`clear` never cross: a caller linked while the outage
    is being cleared either gets a restoration callback or is refused."""
    from agentdesk.services.calls import _call

    # The call's own agent (or a lead), and an open call only: first-contact responsibility.
    call = _call(session, call_id, actor)
    outage = session.get(Outage, outage_id, with_for_update={"read": True}, populate_existing=True)
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
        broadcast.bump(session)
    call.request_type = call.request_type or "repair"
    call.outcome = "outage_archived"
    session.add(call)
    audit.record(session, "call.outage_link", actor_id=actor.id, entity="call", entity_id=call_id, outage_id=outage_id)


__all__ = [
    "MAX_AREAS",
    "RESTORATION_CALLBACK_WITHIN",
    "SERVICES",
    "STATUSES",
    "NotActive",
    "OutageInfo",
    "TimelineEntry",
    "active_outage_for_area",
    "active_outages",
    "area_matches",
    "check_fields",
    "clean_area",
    "clean_areas",
    "clear",
    "declare",
    "describe",
    "fmt_time",
    "join",
    "get_outage",
    "known_areas",
    "link_call",
    "list_outages",
    "parse_services",
    "timeline",
    "update",
]
