"""Every lead-only action, walked through the services as an agent: refused, nothing written.

The rule lives in the services, so the desk and the command line obey it alike; each case
below fails if its ``require_lead`` (or holder check) is removed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agentdesk import clock
from agentdesk.models import AuditEvent, Callback, DelayRequest, Outage, WorkOrder, WorkOrderEvent
from agentdesk.services import account_admin, accounts, board, callbacks, calls, contact, handover, outages, workorders
from agentdesk.services.demo import build_demo
from agentdesk.services.errors import PermissionDenied


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    build_demo(db, customers=60, handovers=False)
    with db.write() as session:
        lead = accounts.get_agent(session, "8001")
        agent = accounts.get_agent(session, "1024")
        other = accounts.get_agent(session, "1025")
        order_id = session.execute(select(WorkOrder.id).where(WorkOrder.status != "closed").limit(1)).scalar_one()
        deadline = session.get(WorkOrder, order_id).resolve_by
        delay = workorders.request_delay(session, order_id, actor=other, reason="客户改约",
                                         proposed_deadline=deadline + timedelta(days=3))
        outage = outages.declare(session, actor=lead, areas=["朝阳区"], services=["tv"], cause="光缆被挖断",
                                 eta=clock.now() + timedelta(hours=2), message="")
    other_call = None
    with db.write() as session:
        other_call = calls.start_call(session, actor=other, shift_id=None)
    claimed = callbacks.take_next(db, actor=other)
    other_shift = accounts.login(db, "1025", "1025").shift
    return {"lead": lead, "agent": agent, "order_id": order_id, "delay_id": delay.id, "outage_id": outage.id,
            "other_call": other_call.id, "callback_id": claimed.id, "other_shift": other_shift.id}


def counts(db) -> tuple:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return tuple(session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (AuditEvent, WorkOrderEvent, DelayRequest, Outage, Callback))


ACTIONS = {
    "decide_delay": lambda s, w, a: workorders.decide_delay(s, w["delay_id"], actor=a, approve=True),
    "urge": lambda s, w, a: workorders.urge(s, w["order_id"], actor=a, note=""),
    "escalate": lambda s, w, a: workorders.escalate(s, w["order_id"], actor=a, reason="太慢"),
    "outage_declare": lambda s, w, a: outages.declare(s, actor=a, areas=["南关区"], services=["tv"], cause="x",
                                                     eta=None, message=""),
    "outage_update": lambda s, w, a: outages.update(s, w["outage_id"], actor=a, cause="别的原因"),
    "outage_clear": lambda s, w, a: outages.clear(s, w["outage_id"], actor=a),
    "board": lambda s, w, a: board.board(s, actor=a, now=clock.now(), since=clock.now()),
    "handover_overview": lambda s, w, a: handover.unacknowledged_overview(s, actor=a),
    "handover_unmasked_export": lambda s, w, a: handover.record_export(s, [], fmt="md", actor=a, unmasked=True),
    "add_agent": lambda s, w, a: account_admin.add_agent(s, "1099", "新人", "agent", "1099", actor=a),
    "change_someone_elses_pin": lambda s, w, a: account_admin.change_pin(s, "1025", "9999", actor=a),
    "end_someone_elses_shift": lambda s, w, a: accounts.end_shift(s, w["other_shift"], actor=a),
    "someone_elses_call": lambda s, w, a: calls.record_praise(s, w["other_call"], kind="praise", content="好",
                                                              forward=False, actor=a),
    "someone_elses_callback": lambda s, w, a: callbacks.record_outcome(s, w["callback_id"], actor=a,
                                                                       outcome="satisfied", policy="generic"),
    "release_someone_elses_callback": lambda s, w, a: callbacks.release(s, w["callback_id"], actor=a),
    "reveal_someone_elses_callback_phone": lambda s, w, a: contact.reveal_callback_phone(s, w["callback_id"],
                                                                                         actor=a),
    "compile_someone_elses_handover": lambda s, w, a: handover.compile_handover(s, w["other_shift"], actor=a),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_refused_for_an_agent_and_nothing_written(db, world, action: str) -> None:
    before = counts(db)
    with pytest.raises(PermissionDenied), db.write() as session:
        ACTIONS[action](session, world, world["agent"])
    assert counts(db) == before


@pytest.mark.parametrize("action", ["decide_delay", "urge", "escalate", "outage_update", "board",
                                    "handover_overview", "release_someone_elses_callback"])
def test_allowed_for_a_lead(db, world, action: str) -> None:
    with db.write() as session:
        ACTIONS[action](session, world, world["lead"])
