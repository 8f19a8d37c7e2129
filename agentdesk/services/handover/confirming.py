"""Confirming a handover: the note is stored and the shift ends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Draft, HandoverNote, Shift
from agentdesk.phrases import check as phrase_check
from agentdesk.services import accounts, audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput
from agentdesk.services.handover.body import _body, _infos
from agentdesk.services.handover.compiling import _compile, _open_call_items
from agentdesk.services.handover.records import (
    DRAFT_FORM,
    HandoverCounts,
    HandoverItem,
    HandoverNoteInfo,
    _clean_notes,
    _require_own_or_lead,
    _shift,
)
from agentdesk.services.rows import row_id, table_of


def _existing_note(session: Session, shift_id: int) -> HandoverNote | None:
    return session.execute(
        select(HandoverNote).where(col(HandoverNote.shift_id) == shift_id).order_by(col(HandoverNote.id)).limit(1)
    ).scalar_one_or_none()


def _store_note(session: Session, shift: Shift, items: list[HandoverItem], counts: HandoverCounts, notes: str,
                at: datetime) -> HandoverNote:
    note = HandoverNote(
        shift_id=row_id(shift), agent_id=shift.agent_id, seat=shift.seat, team=shift.team,
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
        table_of(Draft).delete().where(col(Draft.agent_id) == shift.agent_id, col(Draft.form) == DRAFT_FORM,
                                       col(Draft.key) == str(shift_id))
    )
    audit.record(session, "handover.confirm", actor_id=actor.id, entity="handover_note", entity_id=note.id,
                 shift_id=shift_id, items=len(items), open_calls=len(open_calls), phrase_flag=note.phrase_flag)
    session.flush()
    return _infos(session, [note])[0]
