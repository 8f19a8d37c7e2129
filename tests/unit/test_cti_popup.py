"""The screen-pop's facts for a ringing call: the customers on that number, how often it called,
what is open for them, the outage in their area; only for the agent it rings for (or a lead);
and the call change addressed to that agent alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from agentdesk.models import Agent
from agentdesk.services import accounts, changes, outages
from agentdesk.services.cti import systems
from agentdesk.services.cti.events import parse_event, record_event
from agentdesk.services.cti.popup import call_popup
from agentdesk.services.errors import PermissionDenied
from tests.conftest import T0, add_zhang_san


@pytest.fixture
def ringing(db, lead_and_agent) -> int:  # type: ignore[no-untyped-def]
    """A call from 张三's number ringing on 1024's extension, after an earlier one 3 days ago."""
    with db.write() as session:
        add_zhang_san(session)
        accounts.create_agent(session, "1025", "王五", "agent", "1025")
        lead = accounts.get_agent(session, "8001")
        systems.issue_token(session, "pbx", actor=lead)
        agent = session.exec(select(Agent).where(Agent.number == "1024")).one()
        agent.extension = "801"
        session.add(agent)
        system = session.exec(select(systems.CtiSystem.id)).one()  # type: ignore[attr-defined]
        outages.declare(session, actor=lead, areas=["朝阳区"], services=["broadband"], cause="光缆中断",
                        eta=None, message="朝阳区宽带中断，正在抢修")
    for call_id, at in (("old", T0 - timedelta(days=3)), ("now", T0)):
        with db.write() as session:
            event = {"event": "newCall", "callId": call_id, "from": "13800138000", "to": "4008001", "extension": "801"}
            record_event(session, system, parse_event(event), at)
    with db.read() as session:
        return max(leg_id for leg_id, in session.execute(select(changes.ChangeEvent.ref_id)
                                                        .where(changes.ChangeEvent.topic == "call")).all())


def test_the_popup_names_the_customer_the_history_and_the_outage(db, ringing: int) -> None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        popup = call_popup(session, ringing, actor=accounts.get_agent(session, "1024"), now=T0)
    assert popup.state == "ringing" and popup.number == "13800138000" and popup.ring_at == T0
    assert [c.name for c in popup.customers] == ["张三"] and popup.customers[0].phone_masked == "138****8000"
    assert popup.calls_before == 1
    assert popup.outage is not None and "光缆中断" in popup.outage.cause


def test_only_the_agent_it_rings_for_or_a_lead_reads_it(db, ringing: int) -> None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        with pytest.raises(PermissionDenied):
            call_popup(session, ringing, actor=accounts.get_agent(session, "1025"), now=T0)
        assert call_popup(session, ringing, actor=accounts.get_agent(session, "8001"), now=T0).leg_id == ringing


def test_the_call_change_goes_to_its_agent_alone(db, ringing: int) -> None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        found = changes.since(session, 0)
        agent, mate = accounts.get_agent(session, "1024"), accounts.get_agent(session, "1025")
    calls = [c for c in found if c.topic == "call"]
    assert calls and all(c.agent_id == agent.id for c in calls)
    assert [c.ref_id for c in changes.for_agent(calls, agent)] == [c.ref_id for c in calls]
    assert changes.for_agent(calls, mate) == []


def test_taking_the_call_starts_its_record_from_the_phone_systems_times(db, ringing: int) -> None:  # type: ignore[no-untyped-def]
    from agentdesk.models import Call, CallLeg
    from agentdesk.services.cti.taking import take_call

    with db.write() as session:
        agent = accounts.get_agent(session, "1024")
        taken = take_call(session, ringing, actor=agent, shift_id=None, now=T0 + timedelta(seconds=3))
        again = take_call(session, ringing, actor=agent, shift_id=None, now=T0 + timedelta(seconds=4))
    assert again == taken and taken.customer_id is not None  # one customer on the number: identified
    with db.read() as session:
        call = session.get(Call, taken.call.id)
        assert call is not None and call.ring_at == T0 and call.answered_at == T0 + timedelta(seconds=3)
        assert call.customer_id == taken.customer_id and call.caller_phone == "13800138000"
        system = session.get(CallLeg, ringing).system_id  # type: ignore[union-attr]
    with db.write() as session:  # the phone system's answer, arriving after the desk took it
        record_event(session, system, parse_event({"event": "answer", "callId": "now"}), T0 + timedelta(seconds=5))
    with db.read() as session:
        assert session.get(Call, taken.call.id).answered_at == T0 + timedelta(seconds=5)  # type: ignore[union-attr]
    with db.write() as session, pytest.raises(PermissionDenied):
        take_call(session, ringing, actor=accounts.get_agent(session, "1025"), shift_id=None, now=T0)
