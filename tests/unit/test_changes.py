"""Change events: written with the change, in its transaction, whichever path made it."""

from __future__ import annotations

import pytest

from agentdesk.services import changes, outages
from agentdesk.services.changes import Topic


def _topics(db, after=0):
    with db.read() as session:
        return [(c.topic, c.ref_id) for c in changes.since(session, after)]


@pytest.fixture
def lead(db, lead_and_agent):  # type: ignore[no-untyped-def]
    return lead_and_agent[0]


def test_a_work_order_made_on_a_call_is_an_event(db, lead_and_agent):
    from agentdesk.client.local import LocalDesk
    from tests.conftest import add_zhang_san

    with db.write() as session:
        dept_id, customer_id = add_zhang_san(session)
    desk = LocalDesk(db, policy="generic")
    desk.login("1024", "1024")
    call = desk.start_call()
    desk.identify(call.id, customer_id)
    with db.read() as session:
        start = changes.latest(session)
    order = desk.create_work_order(call.id, kind="repair", severity="general", description="机顶盒无信号",
                                   department_id=dept_id)
    assert (Topic.ORDER, order.id) in _topics(db, start)


def test_an_outage_declared_is_an_event(db, lead):
    with db.read() as session:
        start = changes.latest(session)
    with db.write() as session:
        info = outages.declare(session, actor=lead, areas=["城东"], services=["tv"], cause="光缆中断", eta=None,
                               message="")
    assert (Topic.OUTAGE, info.id) in _topics(db, start)


def test_a_rolled_back_change_leaves_no_event(db, lead):
    with db.read() as session:
        start = changes.latest(session)
    with pytest.raises(RuntimeError), db.write() as session:
        outages.declare(session, actor=lead, areas=["城西"], services=["tv"], cause="断电", eta=None, message="")
        raise RuntimeError("the save failed")
    assert _topics(db, start) == []


def test_a_note_is_addressed_to_one_agent(db, lead):
    with db.write() as session:
        changes.note(session, Topic.LOGOUT, agent_id=lead.id)
        from agentdesk.services import audit

        audit.record(session, "session.revoked", actor_id=lead.id)
    with db.read() as session:
        last = changes.since(session, 0)[-1]
    assert (last.topic, last.agent_id) == (Topic.LOGOUT, lead.id)
