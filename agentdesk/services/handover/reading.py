"""Reading notes: what a login shows, acknowledging, a lead's overview, exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Agent, HandoverAck, HandoverNote, Shift
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.errors import InvalidInput, NotFound
from agentdesk.services.handover.body import _infos
from agentdesk.services.handover.records import EXPORT_FORMATS, UNACKNOWLEDGED_DAYS, HandoverNoteInfo, _shift


def _addressed_to(team: str | None):
    return or_(col(HandoverNote.team).is_(None), col(HandoverNote.team) == team) if team is not None \
        else col(HandoverNote.team).is_(None)


def unacknowledged_for(session: Session, *, agent: AgentInfo) -> list[HandoverNoteInfo]:
    """Confirmed notes for ``agent`` to read at login, newest first.

    Addressed to the agent's team (a note with no team goes to everyone; an agent with no
    team gets only those), from other agents, confirmed in the last ``UNACKNOWLEDGED_DAYS``
    days, not yet acknowledged by ``agent``.
    """
    since = clock.now() - timedelta(days=UNACKNOWLEDGED_DAYS)
    acked = exists().where(col(HandoverAck.note_id) == col(HandoverNote.id), col(HandoverAck.agent_id) == agent.id)
    notes = list(session.execute(
        select(HandoverNote)
        .where(col(HandoverNote.confirmed_at).is_not(None), col(HandoverNote.confirmed_at) >= since,
               col(HandoverNote.agent_id) != agent.id, _addressed_to(agent.team), ~acked)
        .order_by(col(HandoverNote.confirmed_at).desc(), col(HandoverNote.id).desc())
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
        select(col(HandoverAck.id)).where(col(HandoverAck.note_id) == note_id, col(HandoverAck.agent_id) == actor.id)
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
        select(HandoverNote).where(col(HandoverNote.confirmed_at).is_not(None), col(HandoverNote.confirmed_at) >= since)
        .order_by(col(HandoverNote.confirmed_at).desc(), col(HandoverNote.id).desc())
    ).scalars())
    if not notes:
        return []
    agents = session.execute(
        select(col(Agent.id), col(Agent.number), col(Agent.team)).where(col(Agent.active).is_(True))
            .order_by(col(Agent.number))
    ).all()
    acked: dict[int, set[int]] = {}
    for note_id, agent_id in session.execute(
        select(col(HandoverAck.note_id), col(HandoverAck.agent_id))
            .where(col(HandoverAck.note_id).in_([n.id for n in notes]))
    ).all():
        acked.setdefault(note_id, set()).add(agent_id)
    pending: list[tuple[HandoverNote, list[str]]] = []
    for n in notes:
        missing = [number for aid, number, team in agents
                   if aid != n.agent_id and (n.team is None or team == n.team) and aid not in acked.get(n.id, set())]
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
    q = select(HandoverNote).join(Shift, col(Shift.id) == col(HandoverNote.shift_id)) \
        .where(col(HandoverNote.confirmed_at).is_not(None))
    if agent_number is not None:
        agent_id = session.execute(select(col(Agent.id))
                                   .where(col(Agent.number) == agent_number.strip())).scalar_one_or_none()
        if agent_id is None:
            raise NotFound("agent.not_found", number=agent_number)
        q = q.where(HandoverNote.agent_id == agent_id)
    if isinstance(shift, int) and not isinstance(shift, bool):
        _shift(session, shift)
        q = q.where(col(HandoverNote.shift_id) == shift)
    elif shift not in (None, "latest"):
        raise InvalidInput("handover.bad_shift", field="shift", value=shift)
    if date is not None:
        start = datetime(date.year, date.month, date.day)
        q = q.where(col(Shift.started_at) >= start, col(Shift.started_at) < start + timedelta(days=1))
    if shift == "latest":
        q = q.order_by(col(HandoverNote.confirmed_at).desc(), col(HandoverNote.id).desc()).limit(1)
    else:
        q = q.order_by(col(HandoverNote.confirmed_at), col(HandoverNote.id))
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
