"""The agent takes the call that rang for them: one key on the screen-pop.

The call record starts from the leg: when it rang and when the phone system says it was
answered (or now, if its ``answer`` has not come yet: it fills in the phone system's time when
it does), the caller's number, and the customer when exactly one holds that number. Taking the
same call again gives the same record (a second key press, a desk asking again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from agentdesk.models import Call, CallLeg
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.calls import CallInfo, identify_customer
from agentdesk.services.customers import customers_with_phone
from agentdesk.services.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class TakenCall:
    call: CallInfo
    customer_id: int | None  # identified already: the one customer holding the number


def take_call(session: Session, leg_id: int, *, actor: AgentInfo, shift_id: int | None, now: datetime) -> TakenCall:
    leg = session.get(CallLeg, leg_id, with_for_update=True)
    if leg is None or leg.id is None:
        raise NotFound("cti.call_not_found", id=leg_id)
    if leg.agent_id != actor.id:
        raise PermissionDenied()
    if leg.call_id is not None:
        taken = session.get(Call, leg.call_id)
        if taken is not None and taken.id is not None:
            return TakenCall(CallInfo(taken.id, taken.started_at), taken.customer_id)
    number = leg.from_number if leg.direction == "in" else leg.to_number
    call = Call(agent_id=actor.id, shift_id=shift_id, started_at=now, ring_at=leg.ring_at,
                answered_at=leg.answered_at or now, caller_phone=number, status="open")
    session.add(call)
    session.flush()
    assert call.id is not None
    leg.call_id = call.id
    session.add(leg)
    audit.record(session, "call.start", actor_id=actor.id, entity="call", entity_id=call.id, leg=leg.id)
    holders = customers_with_phone(session, number, limit=2) if number else []
    customer_id = None
    if len(holders) == 1:
        customer_id = holders[0].id
        identify_customer(session, call.id, customer_id, actor=actor)
    return TakenCall(CallInfo(call.id, call.started_at), customer_id)
