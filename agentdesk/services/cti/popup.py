"""The screen-pop: what the desk shows the agent a call is ringing for, before the greeting.

The caller's number (the desk words its region and carrier: ``agentdesk.phone_facts``), the
customers holding exactly that number (several may share a line), how often the number
called in the last 30 days and what is still open for those customers (work orders, callbacks
owed), and the active outage covering the first customer's area. Only the agent the call rings
for (or a team lead) may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from agentdesk.models import Callback, CallLeg, WorkOrder
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.customers import CustomerHit, customers_with_phone
from agentdesk.services.errors import NotFound, PermissionDenied
from agentdesk.services.outages import OutageInfo
from agentdesk.services.outages.reading import active_outage_for_area
from agentdesk.vocab import OPEN_CALLBACK_STATUSES, UNCLOSED_ORDER_STATUSES

REPEAT_DAYS = 30


@dataclass(frozen=True)
class CallPopup:
    leg_id: int
    state: str  # ringing | answered | ended | abandoned
    direction: str
    number: str | None  # the caller's (None: withheld)
    ring_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    customers: tuple[CustomerHit, ...]
    calls_before: int  # calls from this number in the last REPEAT_DAYS, this one not counted
    open_orders: int  # of those customers
    callbacks_owed: int
    outage: OutageInfo | None


def call_popup(session: Session, leg_id: int, *, actor: AgentInfo, now: datetime) -> CallPopup:
    leg = session.get(CallLeg, leg_id)
    if leg is None or leg.id is None:
        raise NotFound("cti.call_not_found", id=leg_id)
    if leg.agent_id != actor.id and not actor.is_lead:
        raise PermissionDenied()
    number = leg.from_number if leg.direction == "in" else leg.to_number
    hits = tuple(customers_with_phone(session, number)) if number else ()
    ids = [hit.id for hit in hits]
    calls_before = int(session.execute(
        select(func.count()).select_from(CallLeg).where(
            col(CallLeg.from_number) == number, col(CallLeg.id) != leg.id,
            col(CallLeg.ring_at) >= now - timedelta(days=REPEAT_DAYS))
    ).scalar_one()) if number else 0
    open_orders = int(session.execute(
        select(func.count()).select_from(WorkOrder).where(
            col(WorkOrder.customer_id).in_(ids), col(WorkOrder.status).in_(UNCLOSED_ORDER_STATUSES))
    ).scalar_one()) if ids else 0
    callbacks_owed = int(session.execute(
        select(func.count()).select_from(Callback).where(
            col(Callback.customer_id).in_(ids), col(Callback.status).in_(OPEN_CALLBACK_STATUSES))
    ).scalar_one()) if ids else 0
    outage = active_outage_for_area(session, hits[0].area_name) if hits else None
    return CallPopup(leg.id, leg.state, leg.direction, number, leg.ring_at, leg.answered_at, leg.ended_at, hits,
                     calls_before, open_orders, callbacks_owed, outage)
