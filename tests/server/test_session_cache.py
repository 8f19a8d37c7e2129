"""Each instance keeps the sessions it checked for half a minute, and forgets one that may have
ended as soon as it hears of it: refused at once where it ended, as soon as the feed tells elsewhere."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from agentdesk.client import wire
from agentdesk.server.app import create_app
from agentdesk.server.push import Hub
from agentdesk.server.session_cache import SessionCache
from agentdesk.services import account_admin, accounts, changes, sessions
from agentdesk.services.errors import Unauthenticated

OP = f"{wire.API}/op/departments"


class Instance:
    """One server instance on the shared database, its feed driven by the test."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        app = client.app
        self.hub: Hub = app.state.hub
        self.cache: SessionCache = app.state.sessions

    def login(self, number: str) -> dict[str, str]:
        response = self.client.post(f"{wire.API}/login", json={"number": number, "pin": number})
        assert response.status_code == 200, response.text
        return {"authorization": f"Bearer {response.json()['token']}"}

    def ask(self, headers: dict[str, str]) -> int:
        return self.client.post(OP, json={}, headers=headers).status_code


@pytest.fixture
def two(db, lead_and_agent) -> Iterator[tuple[Instance, Instance]]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(db, policy="generic", feed=False)) as a, \
            TestClient(create_app(db, policy="generic", feed=False)) as b:
        yield Instance(a), Instance(b)


def deliver(db, *instances: Instance, after: int) -> int:  # type: ignore[no-untyped-def]
    """What each instance's feed does: the changes committed since ``after`` to its hub."""
    with db.read() as session:
        found = changes.since(session, after)
    for instance in instances:
        instance.hub.publish(found)
    return found[-1].id if found else after


def latest(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return changes.latest(session)


def test_a_desk_in_use_reads_its_session_once_per_few_seconds(two) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    agent = a.login("1024")
    before = a.cache.misses
    assert [a.ask(agent) for _ in range(20)] == [200] * 20
    assert a.cache.misses - before == 1 and a.cache.hits >= 19


def test_a_session_a_lead_ends_is_refused_at_once_where_it_ended_and_when_the_feed_tells_elsewhere(  # type: ignore[no-untyped-def]
        two, db) -> None:
    a, b = two
    agent, lead = a.login("1024"), a.login("8001")
    start = latest(db)
    assert a.ask(agent) == 200 and b.ask(agent) == 200  # both know the session now
    assert a.client.post(f"{wire.API}/sessions/end", json={"number": "1024"}, headers=lead).json() == {"ended": 1}
    assert a.ask(agent) == 401
    assert b.ask(agent) == 200  # b has not heard yet: its cache, until the feed tells it
    deliver(db, b, after=start)
    assert b.ask(agent) == 401


def test_a_logout_through_one_instance_reaches_the_other(two, db) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    agent = a.login("1024")
    other = a.login("1024")  # the same agent at a second desk stays logged in
    start = latest(db)
    assert b.ask(agent) == 200 and b.ask(other) == 200
    assert a.client.post(f"{wire.API}/logout", headers=agent).status_code == 200
    assert a.ask(agent) == 401
    deliver(db, b, after=start)
    assert b.ask(agent) == 401 and b.ask(other) == 200


def test_an_account_changed_outside_the_server_is_forgotten_when_the_feed_tells(two, db) -> None:  # type: ignore[no-untyped-def]
    a, _b = two
    agent = a.login("1024")
    start = latest(db)
    assert a.ask(agent) == 200
    with db.write() as session:  # the CLI on the server machine: `agentdesk agent set 1024 --disable`
        lead = accounts.get_agent(session, "8001")
        account_admin.update_agent(session, "1024", actor=lead, active=False)
    deliver(db, a, after=start)
    assert a.ask(agent) == 401


def test_without_the_feed_an_entry_lasts_its_few_seconds(db, lead_and_agent) -> None:  # type: ignore[no-untyped-def]
    opened = sessions.open_session(db, "1024", "1024", client="127.0.0.1", seat=None)
    cache = SessionCache(db, ttl=0.2)
    cache.current(opened.token)
    with db.write() as session:  # ended behind the cache's back, nothing delivered
        sessions.end_agent_sessions(session, opened.login.agent.id, actor=None)
    assert cache.current(opened.token).session_id  # still known
    time.sleep(0.25)
    with pytest.raises(Unauthenticated):
        cache.current(opened.token)
