"""Call events from the phone system: each field checked; resent and reordered events recorded
sensibly on their leg."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from agentdesk.models import Agent, CallLeg
from agentdesk.services.cti import events, systems
from agentdesk.services.cti.events import parse_event, record_event
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.conftest import T0


@pytest.fixture
def system(db, lead_and_agent) -> int:  # type: ignore[no-untyped-def]
    from agentdesk.services import accounts

    with db.write() as session:
        lead = accounts.get_agent(session, "8001")
        systems.issue_token(session, "pbx", actor=lead)
        agent = session.exec(select(Agent).where(Agent.number == "1024")).one()
        agent.extension = "801"
        session.add(agent)
        return int(session.exec(select(systems.CtiSystem.id)).one())  # type: ignore[attr-defined]


def post(db, system: int, at_seconds: float = 0, **fields: str) -> events.Recorded:  # type: ignore[no-untyped-def]
    with db.write() as session:
        return record_event(session, system, parse_event(fields), T0 + timedelta(seconds=at_seconds))


def leg(db) -> CallLeg:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.exec(select(CallLeg)).one()


def test_a_call_rings_is_answered_and_ends(db, system: int) -> None:  # type: ignore[no-untyped-def]
    rang = post(db, system, 0, event="newCall", callId="c1", direction="in", **{"from": "+86 138-0013-8000"},
                to="4008001", extension="801", queue="宽带")
    assert rang.outcome == "stored" and rang.state == "ringing" and rang.agent_id is not None
    assert post(db, system, 4, event="answer", callId="c1", answeringNumber="801").state == "answered"
    assert post(db, system, 64, event="hangup", callId="c1", cause="normalClearing").state == "ended"
    row = leg(db)
    assert row.from_number == "13800138000" and row.to_number == "4008001" and row.queue == "宽带"
    assert (row.ring_at, row.answered_at, row.ended_at) == (T0, T0 + timedelta(seconds=4), T0 + timedelta(seconds=64))


def test_resent_events_change_nothing(db, system: int) -> None:  # type: ignore[no-untyped-def]
    post(db, system, 0, event="newCall", callId="c2", user="801", **{"from": "13800138000"})
    assert post(db, system, 1, event="newCall", callId="c2", user="801").outcome == "duplicate"
    post(db, system, 2, event="hangup", callId="c2", cause="cancel")
    assert post(db, system, 9, event="hangup", callId="c2").outcome == "duplicate"
    row = leg(db)
    assert row.state == "abandoned" and row.ended_at == T0 + timedelta(seconds=2) and row.cause == "cancel"


def test_events_out_of_order_start_the_leg_from_what_they_say(db, system: int) -> None:  # type: ignore[no-untyped-def]
    assert post(db, system, 5, event="hangup", callId="c3").state == "abandoned"  # an unknown call ends
    assert post(db, system, 6, event="answer", callId="c3").state == "ended"  # it had been answered after all
    assert post(db, system, 7, event="newCall", callId="c3", **{"from": "02112345678"}).outcome == "updated"
    row = leg(db)
    assert row.ring_at == T0 + timedelta(seconds=5) and row.answered_at == row.ended_at  # never after its end
    assert row.from_number == "02112345678"


def test_an_agent_number_or_extension_names_the_agent(db, system: int) -> None:  # type: ignore[no-untyped-def]
    by_number = post(db, system, 0, event="newCall", callId="c4", user="1024")
    by_extension = post(db, system, 0, event="newCall", callId="c5", extension="801")
    assert by_number.agent_id == by_extension.agent_id is not None
    with pytest.raises(NotFound) as unknown:
        post(db, system, 0, event="newCall", callId="c6", extension="999")
    assert unknown.value.key == "cti.unknown_extension"
    with db.read() as session:
        assert len(session.exec(select(CallLeg)).all()) == 2  # nothing stored for it


@pytest.mark.parametrize("fields, key", [
    ({"event": "ring", "callId": "x"}, "cti.bad_event"),
    ({"event": "newCall"}, "cti.bad_call_id"),
    ({"event": "newCall", "callId": "<b>x</b>"}, "cti.bad_call_id"),
    ({"event": "newCall", "callId": "x", "from": "138[red]0013"}, "cti.bad_number"),
    ({"event": "newCall", "callId": "x", "from": "\x1b[31m13800138000"}, "cti.bad_number"),
    ({"event": "newCall", "callId": "x", "to": "1" * 40}, "cti.bad_number"),
    ({"event": "newCall", "callId": "x", "direction": "sideways"}, "cti.bad_direction"),
    ({"event": "newCall", "callId": "x", "user": "李娜"}, "cti.bad_extension"),
    ({"event": "hangup", "callId": "x", "cause": "\x07"}, "cti.bad_cause"),
    ({"event": "newCall", "callId": "x", "from": {"a": 1}}, "cti.bad_field"),
])
def test_a_field_out_of_its_alphabet_is_refused(fields: dict, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_event(fields)
    assert refused.value.key == key


def test_a_withheld_number_is_none_and_a_form_list_gives_its_first() -> None:
    event = parse_event({"event": "newCall", "callId": "a.b-1@pbx", "from": "anonymous", "user[]": ["801", "802"]})
    assert event.from_number is None and event.user == "801"


def test_only_a_manager_issues_a_token_and_a_new_one_replaces_the_old(db, lead_and_agent) -> None:  # type: ignore[no-untyped-def]
    from agentdesk.services import accounts

    with db.write() as session:
        with pytest.raises(PermissionDenied):
            systems.issue_token(session, "pbx", actor=accounts.get_agent(session, "1024"))
        first = systems.issue_token(session, "pbx", actor=accounts.get_agent(session, "8001"))
    with db.write() as session:
        second = systems.issue_token(session, "pbx", actor=accounts.get_agent(session, "8001"))
    with db.read() as session:
        assert systems.system_for(session, first) is None
        found = systems.system_for(session, second)
        assert found is not None and found.name == "pbx"
        assert systems.system_for(session, "") is None
