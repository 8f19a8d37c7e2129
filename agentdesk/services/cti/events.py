"""Call events from the phone system: checked, then recorded on the call leg they describe.

The events are those of the generic CTI interfaces helpdesks and PBX integrations already
speak: ``newCall`` (a call rings: ``from``, ``to``, ``direction`` in/out, the ``user`` or
``extension`` it rings on, its ``queue``), ``answer`` (``answeringNumber``) and ``hangup``
(``cause``), each with the phone system's own ``callId``. One leg per (system, callId).

Phone systems resend and reorder: an event already recorded is a ``duplicate`` (nothing
changes); an ``answer`` or ``hangup`` for a call never announced starts its leg from what it
says; a late ``newCall`` fills in what was missing. Times are the server's clock when each
event arrives. Every field is checked before anything is written: a number holding anything
but digits and dialling signs, a call id or extension beyond its alphabet, an extension no
agent has — each an :class:`InvalidInput` or :class:`NotFound` naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from agentdesk.models import Agent, Call, CallLeg
from agentdesk.normalize import dialled_digits
from agentdesk.services import changes
from agentdesk.services.errors import InvalidInput, NotFound
from agentdesk.services.text import clean_field

EVENTS = ("newCall", "answer", "hangup")
DIRECTIONS = ("in", "out")
#: What a leg is: ringing, answered (talking), ended after an answer, abandoned (ended unanswered).
STATES = ("ringing", "answered", "ended", "abandoned")
WITHHELD = frozenset({"", "anonymous", "unknown", "private", "restricted", "withheld"})

_CALL_ID = re.compile(r"^[A-Za-z0-9._:@+\-]{1,100}$")
EXTENSION = re.compile(r"^[A-Za-z0-9_\-]{1,16}$")  # an agent's extension, as the phone system names it
_NUMBER_SIGNS = re.compile(r"^[0-9+*#\s\-().]{1,40}$")
_DIALLED = re.compile(r"^\+?[0-9*]{1,32}(#[0-9]{1,8})?$")
_CAUSE = re.compile(r"^[A-Za-z][A-Za-z_ \-]{0,31}$")


@dataclass(frozen=True)
class CtiEvent:
    event: str
    call_id: str
    direction: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    user: str | None = None
    extension: str | None = None
    queue: str | None = None
    cause: str | None = None
    answering_number: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What became of an event: ``stored`` (a new leg), ``updated`` or ``duplicate``."""

    outcome: str
    leg_id: int
    state: str
    agent_id: int | None


def _text(fields: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, list):  # a form's user[]=…, or a JSON list: the first
            value = value[0] if value else None
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInput("cti.bad_field", field=names[0])
        return unicodedata.normalize("NFKC", str(value)).strip()
    return None


def clean_number(value: str | None, field: str) -> str | None:
    """A caller's or callee's number as the desk stores phones; None when withheld."""
    if value is None or value.lower() in WITHHELD:
        return None
    if not _NUMBER_SIGNS.match(value):
        raise InvalidInput("cti.bad_number", field=field)
    digits = dialled_digits(value)
    if not _DIALLED.match(digits):
        raise InvalidInput("cti.bad_number", field=field)
    return digits


def _matching(value: str | None, pattern: re.Pattern[str], key: str, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not pattern.match(value):
        raise InvalidInput(key, field=field)
    return value


def parse_event(fields: Mapping[str, Any]) -> CtiEvent:
    """The event in a posted body (JSON object or form fields), every field checked."""
    event = _text(fields, "event")
    if event not in EVENTS:
        raise InvalidInput("cti.bad_event", field="event", valid=", ".join(EVENTS))
    call_id = _matching(_text(fields, "callId", "call_id"), _CALL_ID, "cti.bad_call_id", "callId")
    if call_id is None:
        raise InvalidInput("cti.bad_call_id", field="callId")
    direction = _text(fields, "direction") or None
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidInput("cti.bad_direction", field="direction", valid=", ".join(DIRECTIONS))
    queue = _text(fields, "queue")
    return CtiEvent(
        event=event, call_id=call_id, direction=direction,
        from_number=clean_number(_text(fields, "from"), "from"),
        to_number=clean_number(_text(fields, "to"), "to"),
        user=_matching(_text(fields, "user", "user[]"), EXTENSION, "cti.bad_extension", "user"),
        extension=_matching(_text(fields, "extension"), EXTENSION, "cti.bad_extension", "extension"),
        queue=clean_field(queue, "queue", limit=50) or None,
        cause=_matching(_text(fields, "cause"), _CAUSE, "cti.bad_cause", "cause"),
        answering_number=clean_number(_text(fields, "answeringNumber", "answering_number"), "answeringNumber"),
    )


def _agent(session: Session, event: CtiEvent) -> tuple[int | None, str | None]:
    """(agent id, extension) the event names; NotFound for an extension or agent no one has."""
    wanted = event.extension or event.user
    if wanted is None:
        return None, None
    found = session.execute(
        select(col(Agent.id), col(Agent.extension)).where(
            or_(col(Agent.extension) == wanted, col(Agent.number) == wanted) if event.extension is None
            else col(Agent.extension) == wanted, col(Agent.active).is_(True))
    ).first()
    if found is None:
        raise NotFound("cti.unknown_extension", field="extension", extension=wanted)
    return int(found[0]), found[1] or event.extension


def record_event(session: Session, system_id: int, event: CtiEvent, now: datetime) -> Recorded:
    """Record ``event`` on its leg (in the caller's transaction)."""
    agent_id, extension = _agent(session, event)
    leg = session.execute(
        select(CallLeg).where(col(CallLeg.system_id) == system_id, col(CallLeg.pbx_call_id) == event.call_id)
        .with_for_update()
    ).scalar_one_or_none()
    if leg is None:
        leg = CallLeg(system_id=system_id, pbx_call_id=event.call_id, direction=event.direction or "in",
                      state="ringing", updated_at=now)
        outcome = "stored"
    else:
        outcome = "updated"
    changed = _apply(session, leg, event, now)
    if outcome == "updated" and not changed:
        return Recorded("duplicate", int(leg.id or 0), leg.state, leg.agent_id)
    # What the event says and the leg does not know yet (a late newCall, an answer first).
    for name, value in (("from_number", event.from_number), ("to_number", event.to_number),
                        ("queue", event.queue), ("agent_id", agent_id), ("extension", extension)):
        if value is not None and getattr(leg, name) is None:
            setattr(leg, name, value)
    if event.direction is not None and outcome == "stored":
        leg.direction = event.direction
    leg.updated_at = now
    session.add(leg)
    session.flush()
    if leg.agent_id is not None:  # the agent's desk pops the call, or sees it answered or hung up
        changes.note(session, changes.Topic.CALL, leg.id, agent_id=leg.agent_id)
    return Recorded(outcome, int(leg.id or 0), leg.state, leg.agent_id)


def _apply(session: Session, leg: CallLeg, event: CtiEvent, now: datetime) -> bool:
    """The event's effect on the leg's times and state; False when it changes nothing."""
    if event.event == "newCall":
        if leg.ring_at is not None:
            return False
        leg.ring_at = min(t for t in (now, leg.answered_at, leg.ended_at) if t is not None)
        return True
    if event.event == "answer":
        if leg.answered_at is not None:
            return False
        if leg.state == "abandoned":  # the hangup came first: it was answered, and has ended
            leg.answered_at = leg.ended_at
            leg.state = "ended"
        else:
            leg.answered_at = now
            leg.state = "answered"
        if event.answering_number is not None:
            leg.answering_number = event.answering_number
        if leg.call_id is not None:  # taken at the desk before the phone system's answer came
            taken = session.get(Call, leg.call_id)
            if taken is not None:
                taken.answered_at = leg.answered_at
        return True
    if leg.ended_at is not None:  # hangup, again
        return False
    leg.ended_at = now
    leg.cause = event.cause
    leg.state = "ended" if leg.answered_at is not None else "abandoned"
    return True
