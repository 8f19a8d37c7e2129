"""The server's refusals on a real uvicorn (loopback): tokens on refresh, a lead's session
order, the body limit, and the push channel (its refusal code and the forced logout).

The per-operation 401/403 cases over the in-process client are in test_api.py; these are the
ones whose behaviour belongs to the HTTP server or the WebSocket layer, tested on the wire."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from agentdesk.client import wire
from agentdesk.client.wire import CLOSE_SESSION
from agentdesk.models import AuditEvent
from agentdesk.server import push as push_module
from agentdesk.server.app import create_app
from agentdesk.server.push import Hub
from agentdesk.services import changes, sessions
from tests.serving import serving

OUTAGE = {"areas": ["城东"], "services": ["tv"], "cause": "光缆", "eta": None, "message": ""}


@pytest.fixture
def url(db, lead_and_agent) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(db) as base:
        yield base


def login(url: str, number: str) -> dict[str, str]:
    response = httpx.post(f"{url}{wire.API}/login", json={"number": number, "pin": number})
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def push(url: str, headers: dict[str, str]) -> ClientConnection:
    return connect(url.replace("http", "ws", 1) + f"{wire.API}/push", additional_headers=headers, open_timeout=5)


def closed_code(socket: ClientConnection) -> int | None:
    """Read until the server closes: the close code it gave (messages before it are skipped)."""
    try:
        while True:
            socket.recv(timeout=5)
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


@pytest.mark.parametrize("token", [None, "forged-token-that-was-never-issued", "expired"])
def test_refresh_without_a_live_token_is_401(url: str, fixed_clock, token: str | None) -> None:  # type: ignore[no-untyped-def]
    if token == "expired":
        headers = login(url, "1024")
        fixed_clock.advance(hours=sessions.SESSION_HOURS, seconds=1)
    else:
        headers = {} if token is None else {"authorization": f"Bearer {token}"}
    response = httpx.post(f"{url}{wire.API}/refresh", headers=headers)
    assert response.status_code == 401
    assert response.json()["key"] == "server.session_ended"


def test_an_agent_ending_sessions_is_403_and_audited(url: str, db) -> None:  # type: ignore[no-untyped-def]
    headers = login(url, "1024")
    response = httpx.post(f"{url}{wire.API}/sessions/end", json={"number": "8001"}, headers=headers)
    assert response.status_code == 403 and response.json()["error"] == "PermissionDenied"
    with db.read() as session:
        refused = session.execute(select(AuditEvent).where(AuditEvent.action == "server.refused")).scalars().all()
    assert [(e.agent_id is not None, "sessions/end" in (e.detail or "")) for e in refused] == [(True, True)]
    # Refused before anything was done: the lead's sessions are all still there.
    lead = login(url, "8001")
    assert httpx.post(f"{url}{wire.API}/refresh", headers=lead).status_code == 200


def test_a_body_over_the_limit_is_413_json(url: str) -> None:
    headers = {**login(url, "1024"), "content-type": "application/json"}
    body = b'{"call_id": 1, "summary": "' + b"x" * (8 * 1_048_576) + b'"}'
    response = httpx.post(f"{url}{wire.API}/op/save_draft", content=body, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["key"] == "server.refused" and "Traceback" not in response.text


@pytest.mark.parametrize("token", [None, "forged-token-that-was-never-issued", "expired"])
def test_the_push_channel_refuses_a_dead_token_with_4401(url: str, fixed_clock, token: str | None) -> None:  # type: ignore[no-untyped-def]
    if token == "expired":
        headers = login(url, "1024")
        fixed_clock.advance(hours=sessions.SESSION_HOURS, seconds=1)
    else:
        headers = {} if token is None else {"authorization": f"Bearer {token}"}
    with push(url, headers) as socket:
        try:
            message = socket.recv(timeout=5)
        except ConnectionClosed as exc:
            assert exc.rcvd is not None and (exc.rcvd.code, exc.rcvd.reason) == (CLOSE_SESSION, "session")
        else:
            raise AssertionError(f"a dead token was sent {message!r}")


def test_a_session_ended_by_a_lead_is_told_and_closed(url: str) -> None:
    agent, lead = login(url, "1024"), login(url, "8001")
    with push(url, agent) as socket:
        assert json.loads(socket.recv(timeout=5)) == {"hello": "1024"}
        ended = httpx.post(f"{url}{wire.API}/sessions/end", json={"number": "1024"}, headers=lead)
        assert ended.status_code == 200 and ended.json() == {"ended": 1}
        message = json.loads(socket.recv(timeout=5))
        assert {"topic": "logout", "ref_id": None} in message["changes"]
        assert closed_code(socket) == CLOSE_SESSION


@pytest.fixture
def in_process(db, lead_and_agent) -> Iterator[tuple[TestClient, Hub]]:  # type: ignore[no-untyped-def]
    """The app with its feed off: the test hands the hub each batch of changes itself, so the
    order of a connection and a change is the test's, not a race with the feed's poll."""
    app = create_app(db, policy="generic", feed=False)
    with TestClient(app) as client:
        yield client, app.state.hub


def deliver(db, hub: Hub, after: int) -> int:  # type: ignore[no-untyped-def]
    """What the feed would do: the changes committed since ``after`` to the hub; the last id."""
    with db.read() as session:
        found = changes.since(session, after)
    hub.publish(found)
    return found[-1].id if found else after


def client_login(client: TestClient, number: str) -> dict[str, str]:
    response = client.post(f"{wire.API}/login", json={"number": number, "pin": number})
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def test_a_logout_for_an_older_session_leaves_a_newer_one_connected(in_process, db) -> None:  # type: ignore[no-untyped-def]
    client, hub = in_process
    lead = client_login(client, "8001")
    client_login(client, "1024")
    with db.read() as session:
        start = changes.latest(session)
    assert client.post(f"{wire.API}/sessions/end", json={"number": "1024"}, headers=lead).json() == {"ended": 1}
    # The agent logs in again before the old sessions' logout has reached the push channel.
    with client.websocket_connect(f"{wire.API}/push", headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        seen = deliver(db, hub, start)
        declared = client.post(f"{wire.API}/op/declare_outage", headers=lead, json=OUTAGE)
        assert declared.status_code == 200, declared.text
        deliver(db, hub, seen)
        # The first message this desk gets is the outage: the logout was not meant for it.
        topics = {c["topic"] for c in socket.receive_json(timeout=5)["changes"]}
        assert "outage" in topics and "logout" not in topics


def test_a_session_that_expires_while_connected_is_closed(in_process, db, fixed_clock,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(push_module, "RECHECK_SECONDS", 0.0)
    client, hub = in_process
    lead = client_login(client, "8001")
    with db.read() as session:
        start = changes.latest(session)
    with client.websocket_connect(f"{wire.API}/push", headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        fixed_clock.advance(hours=sessions.SESSION_HOURS - 5)
        assert client.post(f"{wire.API}/refresh", headers=lead).status_code == 200  # the lead's desk, in use
        fixed_clock.advance(hours=5, seconds=1)  # the agent's session, never renewed, has expired
        declared = client.post(f"{wire.API}/op/declare_outage", headers=lead, json=OUTAGE)
        assert declared.status_code == 200, declared.text
        deliver(db, hub, start)
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json(timeout=5)
        assert closed.value.code == CLOSE_SESSION


def test_a_quiet_channel_is_closed_when_its_session_expires(in_process, fixed_clock,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(push_module, "EXPIRY_WAKE_MAX", 0.05)  # the fake clock jumps: look at it often
    client, _hub = in_process
    with client.websocket_connect(f"{wire.API}/push", headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        fixed_clock.advance(hours=sessions.SESSION_HOURS, seconds=1)  # nothing sent to it meanwhile
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json(timeout=5)
        assert closed.value.code == CLOSE_SESSION


def test_a_channel_whose_token_logged_out_through_another_instance_is_closed(in_process, db) -> None:  # type: ignore[no-untyped-def]
    client, hub = in_process
    headers = client_login(client, "1024")
    with db.read() as session:
        start = changes.latest(session)
    with client.websocket_connect(f"{wire.API}/push", headers=headers) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        sessions.close_session(db, headers["authorization"].split()[1])  # the other instance's logout
        deliver(db, hub, start)  # nothing in it for the desk, but its channel checks its session
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json(timeout=5)
        assert closed.value.code == CLOSE_SESSION
