"""Changing outages: declare, update and clear (lead only), and linking a call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Call, Callback, Customer, Outage, OutageArea, OutageCall
from agentdesk.services import audit, broadcast
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidInput, NotFound
from agentdesk.services.messages import listing, message
from agentdesk.services.outages.fields import RESTORATION_CALLBACK_WITHIN, NotActive, check_fields, fmt_time
from agentdesk.services.outages.reading import OutageInfo, outage_info
from agentdesk.services.phones import first_phones
from agentdesk.services.rows import get_or_not_found


def _lock(session: Session, outage_id: int) -> Outage:
    outage = get_or_not_found(session, Outage, outage_id, "outage.not_found",
                              with_for_update=True, populate_existing=True)
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
    outage = Outage(services=json.dumps(list(v["services"])), cause=v["cause"], eta=v["eta"],
                    message=v["message"], status="active", declared_by_id=actor.id, declared_at=now,
                    updated_at=now)
    session.add(outage)
    session.flush()
    assert outage.id is not None  # the flush gave it one
    for name in v["areas"]:
        session.add(OutageArea(outage_id=outage.id, area_name=name))
    audit.record(session, "outage.declare", actor_id=actor.id, entity="outage", entity_id=outage.id,
                 areas=list(v["areas"]), services=list(v["services"]), cause=v["cause"],
                 eta=v["eta"].isoformat() if v["eta"] else None, message=v["message"])
    broadcast.bump(session)
    session.flush()
    return outage_info(session, outage)


def _change_value(value: object) -> object:
    """A field's value as the audit row's JSON holds it."""
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, datetime) else value


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
        select(col(OutageArea.area_name)).where(col(OutageArea.outage_id) == outage_id).order_by(col(OutageArea.id))
    ).scalars())
    current = {"areas": old_areas, "services": tuple(json.loads(outage.services or "[]")), "cause": outage.cause,
               "eta": outage.eta, "message": outage.message}
    changes = {}
    for name, new in v.items():
        if new != current[name]:
            old = current[name]
            changes[name] = {
                "from": _change_value(old),
                "to": _change_value(new),
            }
    if not changes:
        return outage_info(session, outage)
    if "areas" in changes:
        session.execute(delete(OutageArea).where(col(OutageArea.outage_id) == outage_id))
        for name in v["areas"]:
            session.add(OutageArea(outage_id=outage_id, area_name=name))
    if "services" in changes:
        outage.services = json.dumps(list(v["services"]))
    for name in ("cause", "eta", "message"):
        if name in changes:
            setattr(outage, name, v[name])
    outage.updated_at = now
    session.add(outage)
    audit.record(session, "outage.update", actor_id=actor.id, entity="outage", entity_id=outage_id, changes=changes)
    broadcast.bump(session)
    session.flush()
    return outage_info(session, outage)


def _restoration_callbacks(session: Session, outage: Outage, areas: Sequence[str], now: datetime,
                           due_within: timedelta) -> tuple[int, int]:
    """One restoration callback per linked caller; returns (created, callers with no way back)."""
    rows = session.execute(
        select(col(Call.id), col(Call.customer_id), col(Call.caller_name), col(Call.caller_phone), col(Customer.name))
        .join(OutageCall, col(OutageCall.call_id) == col(Call.id))
        .outerjoin(Customer, col(Customer.id) == col(Call.customer_id))
        .where(col(OutageCall.outage_id) == outage.id)
        .order_by(col(OutageCall.linked_at), col(OutageCall.id))
    ).all()
    phones = first_phones(session, (r.customer_id for r in rows if r.customer_id is not None and not r.caller_phone))
    services = [message(f"service.{s}") for s in json.loads(outage.services or "[]")]
    # Kept by key, so each desk reads the reason in its own language (services.messages).
    reason = message("outages.restoration_reason", id=outage.id, areas=listing(areas, "outages.separator"),
                     services=listing(services, "outages.separator") if services else "—", cause=outage.cause)
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
            contact_name=caller_name or customer_name, contact_phone=phone, reason="", reason_message=reason.dumps(),
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
        select(col(OutageArea.area_name)).where(col(OutageArea.outage_id) == outage_id).order_by(col(OutageArea.id))
    ).scalars())
    linked = session.execute(
        select(func.count()).select_from(OutageCall).where(col(OutageCall.outage_id) == outage_id)
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
    return outage_info(session, outage), created


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
        select(col(OutageCall.id)).where(col(OutageCall.outage_id) == outage_id, col(OutageCall.call_id) == call_id)
    ).first()
    if not exists:
        session.add(OutageCall(outage_id=outage_id, call_id=call_id, linked_by_id=actor.id, linked_at=clock.now()))
        broadcast.bump(session)
    call.request_type = call.request_type or "repair"
    call.outcome = "outage_archived"
    session.add(call)
    audit.record(session, "call.outage_link", actor_id=actor.id, entity="call", entity_id=call_id, outage_id=outage_id)
