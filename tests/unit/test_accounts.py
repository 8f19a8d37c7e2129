"""Agents, PIN hashing, lock-out after five wrong tries, shifts and their audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.models import Agent, AuditEvent, Shift
from agentdesk.services import account_admin, accounts
from agentdesk.services.errors import InvalidInput, LoginFailed, PermissionDenied
from tests.conftest import T0


def test_pin_hash_is_salted_and_verifies() -> None:
    a, b = accounts.hash_pin("1234"), accounts.hash_pin("1234")
    assert a != b and "1234" not in a
    assert accounts.verify_pin("1234", a)
    assert not accounts.verify_pin("1235", a)
    assert not accounts.verify_pin("1234", "garbage")


@pytest.mark.parametrize(
    ("number", "name", "role", "pin", "key"),
    [
        ("12", "张三", "agent", "1234", "agent.bad_number"),
        ("1001", "  ", "agent", "1234", "agent.bad_name"),
        ("1001", "张三", "boss", "1234", "agent.bad_role"),
        ("1001", "张三", "agent", "12", "agent.bad_pin"),
        ("1001", "张三", "agent", "abcd", "agent.bad_pin"),
    ],
)
def test_add_agent_validates(db, number, name, role, pin, key) -> None:
    with pytest.raises(InvalidInput) as err, db.write() as session:
        accounts.create_agent(session, number, name, role, pin)
    assert err.value.key == key
    assert err.value.message("zh_CN") != key and err.value.message("en") != key


def test_duplicate_number_refused(db, lead_and_agent) -> None:
    with pytest.raises(InvalidInput) as err, db.write() as session:
        accounts.create_agent(session, "1024", "别人", "agent", "9999")
    assert err.value.key == "agent.exists"


def test_only_a_lead_adds_agents_from_a_desk(db, lead_and_agent) -> None:
    lead, agent = lead_and_agent
    with pytest.raises(PermissionDenied), db.write() as session:
        account_admin.add_agent(session, "1030", "新人", "agent", "1030", actor=agent)
    with db.write() as session:
        account_admin.add_agent(session, "1030", "新人", "agent", "1030", actor=lead)


def test_login_opens_a_shift_with_audit(db, lead_and_agent, fixed_clock) -> None:
    result = accounts.login(db, "1024", "1024")
    assert result.agent.number == "1024" and result.agent.role == "agent"
    with db.read() as session:
        shift = session.get(Shift, result.shift.id)
        assert shift is not None and shift.started_at == fixed_clock.now() and shift.ended_at is None
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "shift.start" in actions


def test_five_wrong_pins_lock_the_number_for_a_few_minutes(db, lead_and_agent, fixed_clock) -> None:
    keys = []
    for _ in range(5):
        with pytest.raises(LoginFailed) as err:
            accounts.login(db, "1024", "0000")
        keys.append((err.value.key, err.value.params))
    # The same words as for a number that does not exist (nothing tells which numbers do).
    assert keys[0] == keys[3] == ("login.wrong", {})
    assert keys[4][0] == "login.locked"
    # Even the right PIN is refused while locked.
    with pytest.raises(LoginFailed) as err:
        accounts.login(db, "1024", "1024")
    assert err.value.key == "login.locked"
    fixed_clock.advance(minutes=accounts.LOCK_MINUTES, seconds=1)
    assert accounts.login(db, "1024", "1024").agent.number == "1024"
    with db.read() as session:
        agent = session.execute(select(Agent).where(Agent.number == "1024")).scalar_one()
        assert agent.failed_logins == 0 and agent.locked_until is None


def test_unknown_number_gives_the_same_message(db, lead_and_agent) -> None:
    with pytest.raises(LoginFailed) as err:
        accounts.login(db, "9999", "1234")
    assert err.value.key == "login.wrong"


def test_end_shift(db, lead_and_agent, fixed_clock) -> None:
    lead, agent = lead_and_agent
    result = accounts.login(db, "1024", "1024")
    fixed_clock.advance(hours=8)
    with db.write() as session:
        accounts.end_shift(session, result.shift.id, actor=agent)
    with db.read() as session:
        shift = session.get(Shift, result.shift.id)
        assert shift.ended_at == T0 + timedelta(hours=8)


def test_an_agent_cannot_close_anothers_shift_but_a_lead_can(db, lead_and_agent) -> None:
    lead, agent = lead_and_agent
    result = accounts.login(db, "8001", "8001")
    with pytest.raises(PermissionDenied), db.write() as session:
        accounts.end_shift(session, result.shift.id, actor=agent)
    other = accounts.login(db, "1024", "1024")
    with db.write() as session:
        accounts.end_shift(session, other.shift.id, actor=lead)
    with db.read() as session:
        assert session.get(Shift, other.shift.id).closed_by_id == lead.id


def test_change_pin(db, lead_and_agent) -> None:
    lead, _agent = lead_and_agent
    with db.write() as session:
        account_admin.change_pin(session, "1024", "4321", actor=lead)
    assert accounts.login(db, "1024", "4321").agent.number == "1024"
    with pytest.raises(LoginFailed):
        accounts.login(db, "1024", "1024")
