"""Accounts through the server: who may create, change and reset, by every operation offered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from agentdesk.client import wire
from agentdesk.models import Agent, AuditEvent
from agentdesk.server.app import create_app
from agentdesk.services import accounts

API = wire.API


@pytest.fixture
def client(db, lead_and_agent) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with db.write() as s:
        accounts.create_agent(s, "9001", "周海", "admin", "9001")
        accounts.create_agent(s, "1025", "张伟", "agent", "1025")
    with TestClient(create_app(db, policy="generic", feed=False)) as test_client:
        yield test_client


def login(client: TestClient, number: str, pin: str | None = None) -> dict[str, str]:
    response = client.post(f"{API}/login", json={"number": number, "pin": pin or number})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def role_of(db, number: str) -> str:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(Agent.role).where(Agent.number == number)).scalar_one()


BODIES = {
    "list_agents": {},
    "add_agent": {"number": "7777", "name": "冒充", "role": "lead", "pin": "777777"},
    "update_agent": {"number": "1024", "role": "lead"},
}


@pytest.mark.parametrize("name", wire.ACCOUNT_OPERATIONS)
def test_an_agent_on_an_account_operation_is_403_and_audited(client: TestClient, db, name: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"{API}/op/{name}", json=BODIES[name], headers=login(client, "1024"))
    assert response.status_code == 403, response.text
    with db.read() as s:
        refused = s.execute(select(AuditEvent).where(AuditEvent.action == "server.refused")).scalars().all()
    assert len(refused) == 1 and name in (refused[0].detail or "")
    assert role_of(db, "1024") == "agent"
    with db.read() as s:
        assert s.execute(select(Agent).where(Agent.number == "7777")).first() is None


def test_a_lead_adds_an_agent_but_not_an_admin(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "8001")
    made = client.post(f"{API}/op/add_agent", json={"number": "3001", "name": "新人", "role": "agent",
                                                    "pin": "300130"}, headers=headers)
    assert made.status_code == 200 and made.json()["role"] == "agent"
    admin = client.post(f"{API}/op/add_agent", json={"number": "3002", "name": "新管理员", "role": "admin",
                                                     "pin": "300230"}, headers=headers)
    assert admin.status_code == 403 and admin.json()["key"] == "agent.manage_denied"
    with db.read() as s:
        row = s.execute(select(AuditEvent).where(AuditEvent.action == "agent.add")
                        .order_by(AuditEvent.id.desc())).scalars().first()  # type: ignore[union-attr]
    assert row is not None and row.agent_id == accounts_id(db, "8001") and "3001" in (row.detail or "")


def accounts_id(db, number: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(Agent.id).where(Agent.number == number)).scalar_one()


def test_an_admin_changes_a_leads_role_and_their_desk_is_logged_out(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    lead = login(client, "8001")
    assert client.post(f"{API}/op/board", json={}, headers=lead).status_code == 200
    changed = client.post(f"{API}/op/update_agent", json={"number": "8001", "role": "agent"},
                          headers=login(client, "9001"))
    assert changed.status_code == 200, changed.text
    assert role_of(db, "8001") == "agent"
    # The old role does not outlast the change: that token is over.
    assert client.post(f"{API}/op/board", json={}, headers=lead).status_code == 401


def test_own_pin_with_the_old_one_and_nobody_elses(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "1024")
    wrong = client.post(f"{API}/op/change_pin", json={"number": "1024", "new_pin": "555555", "old_pin": "0000"},
                        headers=headers)
    assert wrong.status_code == 401 and wrong.json()["key"] == "agent.old_pin_wrong"
    with db.read() as s:
        assert s.execute(select(Agent.failed_logins).where(Agent.number == "1024")).scalar_one() == 1
    other = client.post(f"{API}/op/change_pin", json={"number": "1025", "new_pin": "555555"}, headers=headers)
    assert other.status_code == 403
    lead_pin = client.post(f"{API}/op/change_pin", json={"number": "8001", "new_pin": "555555"}, headers=headers)
    assert lead_pin.status_code == 403
    ok = client.post(f"{API}/op/change_pin", json={"number": "1024", "new_pin": "555555", "old_pin": "1024"},
                     headers=headers)
    assert ok.status_code == 200, ok.text
    login(client, "1024", "555555")
    assert client.post(f"{API}/login", json={"number": "8001", "pin": "555555"}).status_code == 401


def test_the_acting_agent_is_the_session_not_the_body(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    response = client.post(f"{API}/op/add_agent", json={**BODIES["add_agent"], "actor": {"number": "8001"}},
                           headers=login(client, "1024"))
    assert response.status_code in (400, 403)
    with db.read() as s:
        assert s.execute(select(Agent).where(Agent.number == "7777")).first() is None
