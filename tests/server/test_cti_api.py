"""Call events posted to a real server (uvicorn on loopback): JSON or form, the token in the
header or the URL; every refusal a 4xx with a JSON error and an audit row, the server serving on."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import select

from agentdesk.models import Agent, AuditEvent, CallLeg
from agentdesk.services import accounts
from agentdesk.services.cti import systems
from tests.serving import serving

EVENTS = "/api/v1/cti/events"


@pytest.fixture
def token(db, lead_and_agent) -> str:  # type: ignore[no-untyped-def]
    with db.write() as session:
        agent = session.exec(select(Agent).where(Agent.number == "1024")).one()
        agent.extension = "801"
        session.add(agent)
        return systems.issue_token(session, "pbx", actor=accounts.get_agent(session, "8001"))


@pytest.fixture
def url(db, token: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(db) as base:
        yield base


def legs(db) -> list[CallLeg]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return list(session.exec(select(CallLeg)).all())


def refusals(db) -> list[str]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "cti.refused")).all()
        return [r.detail or "" for r in rows]


def test_json_with_the_header_and_a_form_at_the_tokens_url(db, url: str, token: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"authorization": f"Bearer {token}"}
    rang = httpx.post(url + EVENTS, headers=auth,
                      json={"event": "newCall", "callId": "c1", "from": "13800138000", "to": "801", "user": "801"})
    assert rang.status_code == 200 and rang.json() == {"ok": True, "outcome": "stored", "state": "ringing"}
    again = httpx.post(url + EVENTS, headers=auth, json={"event": "newCall", "callId": "c1", "user": "801"})
    assert again.json()["outcome"] == "duplicate"
    answered = httpx.post(f"{url}/api/v1/cti/{token}", data={"event": "answer", "callId": "c1", "user[]": "801"})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    [leg] = legs(db)
    assert leg.from_number == "13800138000" and leg.answered_at is not None and leg.agent_id is not None


@pytest.mark.parametrize("send, status, key", [
    (lambda url, token: httpx.post(url + EVENTS, json={"event": "newCall", "callId": "x"}), 401, "cti.bad_token"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": "Bearer wrong"},
                                   json={"event": "newCall", "callId": "x"}), 401, "cti.bad_token"),
    (lambda url, token: httpx.post(f"{url}/api/v1/cti/not-the-token", json={"event": "newCall", "callId": "x"}),
     401, "cti.bad_token"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}",
                                                          "content-type": "application/json"},
                                   content=b"{not json"), 422, "cti.bad_body"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                                   json=["newCall"]), 422, "cti.bad_body"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}",
                                                          "content-type": "application/json"},
                                   content=b'{"event":"newCall","callId":"x","pad":"' + b"x" * 1_048_576 + b'"}'),
     413, "cti.too_large"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                                   json={"event": "newCall", "callId": "x", "from": "[bold]13800138000[/]"}),
     422, "cti.bad_number"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                                   json={"event": "newCall", "callId": "x", "from": "\x1b]0;owned\x07"}),
     422, "cti.bad_number"),
    (lambda url, token: httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                                   json={"event": "newCall", "callId": "x", "extension": "999"}),
     404, "cti.unknown_extension"),
])
def test_a_bad_event_is_refused_audited_and_stores_nothing(db, url: str, token: str, send, status: int,  # type: ignore[no-untyped-def]
                                                          key: str) -> None:
    response = send(url, token)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["key"] == key and token not in response.text
    assert legs(db) == []
    [detail] = refusals(db)
    assert token not in detail and "owned" not in detail
    assert httpx.get(url + "/health").json() == {"status": "ok"}  # and it serves on


def test_events_from_an_address_not_allowed_are_refused(db, token: str) -> None:  # type: ignore[no-untyped-def]
    with serving(db, cti_allow=("10.1.0.0/16",)) as url:
        response = httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                              json={"event": "newCall", "callId": "x"})
    assert response.status_code == 403 and response.json()["key"] == "cti.address_refused"
    assert legs(db) == [] and len(refusals(db)) == 1


def test_a_ringing_call_is_pushed_to_its_agent_alone_and_its_popup_read(db, url: str, token: str,  # type: ignore[no-untyped-def]
                                                                       tmp_path) -> None:
    import time

    from agentdesk.client.remote import RemoteDesk
    from tests.conftest import add_zhang_san

    with db.write() as session:
        add_zhang_san(session)
    agent = RemoteDesk([url], drafts_file=tmp_path / "a.json")
    lead = RemoteDesk([url], drafts_file=tmp_path / "l.json")
    try:
        agent.login("1024", "1024")
        lead.login("8001", "8001")
        for desk in (agent, lead):
            desk.watch(frozenset())  # the idle desk screen: calls reach it all the same
            desk.wait_changes(0.5)
        rang = httpx.post(url + EVENTS, headers={"authorization": f"Bearer {token}"},
                          json={"event": "newCall", "callId": "c9", "from": "13800138000", "extension": "801"})
        assert rang.status_code == 200
        deadline, calls = time.monotonic() + 5, []
        while not calls and time.monotonic() < deadline:
            calls = [c for c in agent.wait_changes(0.5) if c.topic == "call"]
        assert calls, "the agent's desk was told"
        popup = agent.call_popup(calls[0].ref_id)
        assert popup.number == "13800138000" and [c.name for c in popup.customers] == ["张三"]
        assert popup.state == "ringing" and popup.ring_at is not None
        assert not [c for c in lead.wait_changes(1.0) if c.topic == "call"], "nor anyone else's"
    finally:
        agent.close()
        lead.close()


def test_a_refusal_is_named_as_the_desks_are(db, url: str) -> None:  # type: ignore[no-untyped-def]
    wrong = httpx.post(url + EVENTS, headers={"authorization": "Bearer nope"}, json={"event": "newCall", "callId": "1"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "Unauthenticated"
