"""The server's HTTP surface: sessions, roles, errors, health and metrics (in-process ASGI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from agentdesk.client import wire
from agentdesk.models import AuditEvent
from agentdesk.server.app import create_app
from agentdesk.services import sessions
from tests.conftest import add_zhang_san


@pytest.fixture
def client(db, lead_and_agent) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(db, policy="generic", feed=False)) as test_client:
        yield test_client


def login(client: TestClient, number: str, pin: str | None = None) -> dict[str, str]:
    response = client.post(f"{wire.API}/login", json={"number": number, "pin": pin or number})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_login_gives_a_token_that_acts_as_its_agent(client: TestClient) -> None:
    headers = login(client, "1024")
    call = client.post(f"{wire.API}/op/start_call", json={}, headers=headers)
    assert call.status_code == 200
    assert client.post(f"{wire.API}/op/unfinished_calls", json={}, headers=headers).json()[0]["call_id"] == \
        call.json()["id"]


def test_a_wrong_pin_is_refused_in_the_desks_words(client: TestClient) -> None:
    response = client.post(f"{wire.API}/login", json={"number": "1024", "pin": "9999"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "LoginFailed" and body["key"].startswith("login.wrong")
    assert "sql" not in response.text.lower()


@pytest.mark.parametrize("token", [None, "", "forged-token-that-was-never-issued", "Bearer"])
def test_no_token_or_a_forged_one_is_401(client: TestClient, token: str | None) -> None:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = client.post(f"{wire.API}/op/departments", json={}, headers=headers)
    assert response.status_code == 401
    assert response.json()["key"] == "server.session_ended"


def test_an_expired_token_is_401(client: TestClient, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "1024")
    fixed_clock.advance(hours=sessions.SESSION_HOURS, seconds=1)
    assert client.post(f"{wire.API}/op/departments", json={}, headers=headers).status_code == 401


def test_logout_ends_the_token(client: TestClient) -> None:
    headers = login(client, "1024")
    assert client.post(f"{wire.API}/logout", headers=headers).status_code == 200
    assert client.post(f"{wire.API}/op/departments", json={}, headers=headers).status_code == 401


def test_refresh_pushes_the_expiry_out(client: TestClient, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "1024")
    fixed_clock.advance(hours=sessions.SESSION_HOURS - 1)
    assert client.post(f"{wire.API}/refresh", headers=headers).status_code == 200
    fixed_clock.advance(hours=2)
    assert client.post(f"{wire.API}/op/departments", json={}, headers=headers).status_code == 200


@pytest.mark.parametrize("name", wire.LEAD_OPERATIONS)
def test_an_agent_on_a_lead_operation_is_403_and_audited(client: TestClient, db, name: str) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "1024")
    response = client.post(f"{wire.API}/op/{name}", json={}, headers=headers)
    # Refused before the body is even needed: an empty body would be a 400 otherwise.
    if response.status_code == 400:
        body = _minimal_body(name)
        response = client.post(f"{wire.API}/op/{name}", json=body, headers=headers)
    assert response.status_code == 403, response.text
    with db.read() as session:
        refused = session.execute(select(AuditEvent).where(AuditEvent.action == "server.refused")).scalars().all()
    assert [(e.agent_id is not None, name in (e.detail or "")) for e in refused] == [(True, True)]


def _minimal_body(name: str) -> dict:
    return {
        "decide_delay": {"request_id": 1, "approve": True, "note": ""},
        "board": {},
        "declare_outage": {"areas": ["城东"], "services": ["tv"], "cause": "x", "eta": None, "message": ""},
        "update_outage": {"outage_id": 1, "areas": ["城东"], "services": ["tv"], "cause": "x", "eta": None,
                          "message": ""},
        "clear_outage": {"outage_id": 1},
    }[name]


def test_a_lead_may_call_a_lead_operation(client: TestClient) -> None:
    headers = login(client, "8001")
    assert client.post(f"{wire.API}/op/board", json={}, headers=headers).status_code == 200


def test_the_acting_agent_cannot_be_given_in_the_body(client: TestClient) -> None:
    headers = login(client, "1024")
    response = client.post(f"{wire.API}/op/start_call", json={"actor": {"id": 1, "role": "lead"}}, headers=headers)
    assert response.status_code == 400


def test_an_unknown_operation_is_404_json(client: TestClient) -> None:
    headers = login(client, "1024")
    response = client.post(f"{wire.API}/op/drop_database", json={}, headers=headers)
    assert response.status_code == 404 and response.json()["error"] == "ServiceError"


def test_a_service_refusal_keeps_its_key_and_field(client: TestClient) -> None:
    headers = login(client, "1024")
    call_id = client.post(f"{wire.API}/op/start_call", json={}, headers=headers).json()["id"]
    response = client.post(f"{wire.API}/op/register_unregistered",
                           json={"call_id": call_id, "name": "", "address": "", "phone": "12"}, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "InvalidFields" and set(body["fields"]) >= {"name", "phone"}


def test_wrong_pins_from_one_address_are_throttled_whatever_the_number(client: TestClient) -> None:
    for i in range(sessions.THROTTLE_FAILURES):
        client.post(f"{wire.API}/login", json={"number": f"{5000 + i}", "pin": "0000"})
    response = client.post(f"{wire.API}/login", json={"number": "1024", "pin": "1024"})
    assert response.status_code == 401 and response.json()["key"] == "server.login_throttled"


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    client.post(f"{wire.API}/login", json={"number": "1024", "pin": "0000"})
    text = client.get("/metrics").text
    assert 'agentdesk_logins_refused_total{reason="wrong"} ' in text
    assert "agentdesk_request_seconds_bucket" in text and "agentdesk_push_connections" in text


def test_openapi_describes_every_operation(client: TestClient) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {f"{wire.API}/op/{name}" for name in wire.OPERATIONS} <= set(paths)
    assert f"{wire.API}/login" in paths


def test_a_desk_in_use_is_renewed_past_half_its_life(client: TestClient, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    headers = login(client, "1024")
    for _ in range(4):  # 4 × 7 h of use: far past one session's 12 h
        fixed_clock.advance(hours=7)
        assert client.post(f"{wire.API}/op/departments", json={}, headers=headers).status_code == 200


# What the fuzzer (test_fuzz_api.py) found answering 500, each now a refusal in the desk's words.

def test_a_time_with_an_offset_is_taken_as_the_centers_time(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    with db.write() as session:
        dept_id, customer_id = add_zhang_san(session)
    headers = login(client, "1024")
    call_id = client.post(f"{wire.API}/op/start_call", json={}, headers=headers).json()["id"]
    client.post(f"{wire.API}/op/identify", json={"call_id": call_id, "customer_id": customer_id}, headers=headers)
    order = client.post(f"{wire.API}/op/create_work_order", headers=headers,
                        json={"call_id": call_id, "kind": "repair", "severity": "general", "description": "无信号",
                              "department_id": dept_id}).json()
    # An offset compared with the services' naive times was a TypeError (a 500).
    response = client.post(f"{wire.API}/op/request_delay", headers=headers,
                           json={"order_id": order["id"], "reason": "等配件", "deadline": "2026-12-20T01:00:00Z"})
    assert response.status_code == 200, response.text
    detail = client.post(f"{wire.API}/op/get_order", json={"order_id": order["id"]}, headers=headers).json()
    assert [d["proposed_deadline"] for d in detail["delays"]] == ["2026-12-20T09:00:00"]  # Beijing time


def test_a_request_kind_the_policy_does_not_know_is_422(client: TestClient) -> None:
    headers = login(client, "1024")
    call_id = client.post(f"{wire.API}/op/start_call", json={}, headers=headers).json()["id"]
    response = client.post(f"{wire.API}/op/preview_deadlines", headers=headers,
                           json={"call_id": call_id, "kind": "work_order", "severity": "general"})
    assert response.status_code == 422
    body = response.json()
    assert (body["key"], body["field"]) == ("workorder.bad_kind", "kind") and "repair" in body["params"]["valid"]


@pytest.mark.parametrize("body", [
    {"order_id": 2**63},  # past what the database holds
    {"order_id": -(2**63) - 1},
])
def test_an_id_past_64_bits_is_400(client: TestClient, body: dict) -> None:
    response = client.post(f"{wire.API}/op/get_order", json=body, headers=login(client, "1024"))
    assert response.status_code == 400 and response.json()["key"] == "server.bad_request"


@pytest.mark.parametrize("cursor", [[{"x": 1}, [], {}], ["2026-11-23T09:00:00"], [None, 2**64], "abc"])
def test_a_made_up_cursor_is_400(client: TestClient, cursor: object) -> None:
    response = client.post(f"{wire.API}/op/list_orders", headers=login(client, "1024"),
                           json={"filters": {}, "page_size": 10, "cursor": cursor})
    assert response.status_code == 400 and response.json()["key"] == "server.bad_request"


def test_a_str_result_is_json_as_described(client: TestClient) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    described = paths[f"{wire.API}/op/reveal_callback_phone"]["post"]["responses"]["200"]["content"]
    assert list(described) == ["application/json"]


def test_an_undeclared_method_is_405_with_allow(client: TestClient) -> None:
    response = client.request("TRACE", f"{wire.API}/login")
    assert response.status_code == 405 and "POST" in response.headers["allow"]
    assert response.json()["key"] == "server.refused"
