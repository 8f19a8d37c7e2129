"""Who may create and change accounts and set PINs (services/account_admin.py)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from agentdesk.models import Agent, AuditEvent, DeskSession
from agentdesk.services import account_admin, accounts, sessions
from agentdesk.services.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    with db.write() as s:
        admin = accounts.create_agent(s, "9001", "周海", "admin", "900190")
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", "800180")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", "102410")
    return admin, lead, agent


def _actions(db, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_a_fresh_database_takes_its_first_manager_without_anyone_to_ask(db) -> None:
    with pytest.raises(InvalidInput) as err, db.write() as s:
        account_admin.add_agent(s, "1024", "李娜", "agent", "102410", actor=None)
    assert err.value.key == "agent.first_manager"
    with db.write() as s:
        first = account_admin.add_agent(s, "8001", "王红梅", "lead", "800180", actor=None)
    assert first.role == "lead"
    # Once there is a manager, nobody gets in unasked.
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.add_agent(s, "8002", "冒充", "lead", "800280", actor=None)


@pytest.mark.parametrize(
    ("who", "role", "allowed"),
    [("agent", "agent", False), ("agent", "lead", False), ("agent", "admin", False),
     ("lead", "agent", True), ("lead", "lead", True), ("lead", "admin", False),
     ("admin", "agent", True), ("admin", "lead", True), ("admin", "admin", True)],
)
def test_who_creates_whom(db, staff, who, role, allowed) -> None:
    actor = dict(zip(("admin", "lead", "agent"), staff, strict=True))[who]
    if allowed:
        with db.write() as s:
            made = account_admin.add_agent(s, "3001", "新人", role, "300130", actor=actor)
        assert made.role == role
        (row,) = _actions(db, "agent.add")[-1:]
        assert row.agent_id == actor.id
    else:
        with pytest.raises(PermissionDenied) as err, db.write() as s:
            account_admin.add_agent(s, "3001", "新人", role, "300130", actor=actor)
        assert err.value.key == "agent.manage_denied"
        with db.read() as s:
            assert s.execute(select(Agent).where(Agent.number == "3001")).first() is None


def test_an_agent_cannot_make_themself_a_lead(db, staff) -> None:
    _admin, _lead, agent = staff
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.update_agent(s, "1024", role="lead", actor=agent)
    with db.read() as s:
        assert s.execute(select(Agent.role).where(Agent.number == "1024")).scalar_one() == "agent"


def test_a_lead_cannot_touch_an_admin_nor_make_one(db, staff) -> None:
    _admin, lead, _agent = staff
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.update_agent(s, "1024", role="admin", actor=lead)
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.update_agent(s, "9001", active=False, actor=lead)
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.change_pin(s, "9001", "123456", actor=lead)


def test_update_is_audited_and_ends_the_sessions_of_a_changed_role(db, staff) -> None:
    admin, lead, _agent = staff
    opened = sessions.open_session(db, "1024", "102410", client="127.0.0.1")
    with db.write() as s:
        info = account_admin.update_agent(s, "1024", role="lead", team="乙班", name="李娜·𠮷", actor=lead)
    assert (info.role, info.team, info.name) == ("lead", "乙班", "李娜·𠮷")
    (row,) = _actions(db, "agent.update")
    detail = json.loads(row.detail)
    assert row.agent_id == lead.id and detail["role"] == "lead" and detail["team"] == "乙班"
    with db.read() as s:
        assert s.execute(select(DeskSession.revoked_at)).scalar_one() is not None
    from agentdesk.services.errors import Unauthenticated

    with pytest.raises(Unauthenticated):
        sessions.current(db, opened.token)
    # Nothing changed: nothing audited.
    with db.write() as s:
        account_admin.update_agent(s, "1024", team="乙班", actor=admin)
    assert len(_actions(db, "agent.update")) == 1


def test_a_disabled_account_cannot_log_in(db, staff) -> None:
    _admin, lead, _agent = staff
    with db.write() as s:
        account_admin.update_agent(s, "1024", active=False, actor=lead)
    with pytest.raises(LoginFailed) as err:
        accounts.login(db, "1024", "102410")
    assert err.value.key == "login.wrong"


def test_the_last_manager_stays(db) -> None:
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", "800180")
    for change in ({"role": "agent"}, {"active": False}):
        with pytest.raises(InvalidInput) as err, db.write() as s:
            account_admin.update_agent(s, "8001", actor=lead, **change)
        assert err.value.key == "agent.last_manager"
    with db.write() as s:
        second = accounts.create_agent(s, "8002", "刘洋", "lead", "800280")
    with db.write() as s:
        account_admin.update_agent(s, "8001", role="agent", actor=second)


def test_own_pin_needs_the_old_one_and_wrong_ones_count_towards_the_lock_out(db, staff) -> None:
    _admin, _lead, agent = staff
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(LoginFailed), db.write() as s:
            try:
                account_admin.change_pin(s, "1024", "555555", actor=agent, old_pin="000000")
            except LoginFailed:
                s.commit()  # the caller keeps the count, as the login does
                raise
    with db.read() as s:
        assert s.execute(select(Agent.locked_until).where(Agent.number == "1024")).scalar_one() is not None
    with pytest.raises(LoginFailed) as err:
        accounts.login(db, "1024", "102410")
    assert err.value.key == "login.locked"


def test_own_pin_change(db, staff) -> None:
    _admin, _lead, agent = staff
    with db.write() as s:
        account_admin.change_pin(s, "1024", "555555", actor=agent, old_pin="102410")
    assert accounts.login(db, "1024", "555555").agent.number == "1024"
    (row,) = _actions(db, "agent.passwd")
    assert row.agent_id == agent.id and json.loads(row.detail)["own"] is True


def test_an_agent_cannot_reset_another_agents_pin(db, staff) -> None:
    _admin, _lead, agent = staff
    with db.write() as s:
        accounts.create_agent(s, "1025", "王芳", "agent", "102510")
    with pytest.raises(PermissionDenied), db.write() as s:
        account_admin.change_pin(s, "1025", "555555", actor=agent, old_pin="102510")
    with pytest.raises(NotFound), db.write() as s:
        account_admin.change_pin(s, "7777", "555555", actor=agent)


def test_an_unknown_number_takes_as_long_as_a_wrong_pin(db, staff) -> None:
    def timed(number: str) -> float:
        best = 1e9
        for _ in range(3):
            start = time.perf_counter()
            with pytest.raises(LoginFailed) as err:
                accounts.login(db, number, "000000")
            assert err.value.key == "login.wrong"
            best = min(best, time.perf_counter() - start)
        return best

    known, unknown = timed("8001"), timed("7777")
    # Both pay one scrypt (~50 ms); without the dummy check the unknown one took under 2 ms.
    assert unknown > known / 3
