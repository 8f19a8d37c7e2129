"""A save whose answer was lost is sent again under the same key: answered, never saved twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from agentdesk.client import wire
from agentdesk.client.remote import RemoteDesk, ServerUnavailable
from agentdesk.models import Call, IdempotentRequest, WorkOrder
from agentdesk.server.app import create_app
from agentdesk.services import idempotency
from tests.conftest import add_zhang_san
from tests.serving import serving

API = wire.API


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def client(db, lead_and_agent) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(db, policy="generic", feed=False)) as test_client:
        yield test_client


def login(client: TestClient, number: str = "1024") -> dict[str, str]:
    response = client.post(f"{API}/login", json={"number": number, "pin": number})
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_same_key_gets_the_first_answer_and_runs_once(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**login(client), wire.IDEMPOTENCY_HEADER: "k" * 32}
    first = client.post(f"{API}/op/start_call", json={}, headers=headers)
    again = client.post(f"{API}/op/start_call", json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers.get(wire.REPLAYED_HEADER) == "true"
    assert count(db, Call) == 1
    other = client.post(f"{API}/op/start_call", json={}, headers={**headers, wire.IDEMPOTENCY_HEADER: "m" * 32})
    assert other.json()["id"] != first.json()["id"] and count(db, Call) == 2


def test_a_key_is_the_agents_own_and_reads_keep_none(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    key = {wire.IDEMPOTENCY_HEADER: "shared-key-0001"}
    mine = client.post(f"{API}/op/start_call", json={}, headers={**login(client, "1024"), **key})
    theirs = client.post(f"{API}/op/start_call", json={}, headers={**login(client, "8001"), **key})
    assert mine.json()["id"] != theirs.json()["id"]  # another agent's key is not a replay
    read = client.post(f"{API}/op/departments", json={}, headers={**login(client), wire.IDEMPOTENCY_HEADER: "r" * 16})
    assert read.status_code == 200
    with db.read() as s:
        assert sorted(s.execute(select(IdempotentRequest.operation)).scalars()) == ["start_call", "start_call"]


def test_a_key_for_another_operation_or_without_its_answer(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**login(client), wire.IDEMPOTENCY_HEADER: "k" * 32}
    client.post(f"{API}/op/start_call", json={}, headers=headers)
    reused = client.post(f"{API}/op/delete_drafts", json={"key": "call:1"}, headers=headers)
    assert reused.status_code == 422 and reused.json()["key"] == "server.key_reused"
    # An operation that only reads looks no key up: asked twice, it reads twice.
    read = client.post(f"{API}/op/unfinished_calls", json={}, headers=headers)
    assert read.status_code == 200 and wire.REPLAYED_HEADER not in read.headers
    # A server stopped between the commit and storing the answer: done, and said so, not run again.
    with db.write() as s:
        s.execute(IdempotentRequest.__table__.update().values(response=None))  # type: ignore[attr-defined]
    lost = client.post(f"{API}/op/start_call", json={}, headers=headers)
    assert lost.status_code == 400 and lost.json()["key"] == "server.already_done"
    assert count(db, Call) == 1


def test_a_failed_operation_keeps_no_key(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**login(client), wire.IDEMPOTENCY_HEADER: "f" * 32}
    refused = client.post(f"{API}/op/close_call", json={"call_id": 999, "summary": "x", "checklist": None},
                          headers=headers)
    assert refused.status_code >= 400
    assert count(db, IdempotentRequest) == 0


class LoseAnswers(httpx.HTTPTransport):
    """Delivers the request, then drops the answer of the named operation once."""

    def __init__(self, operation: str) -> None:
        super().__init__()
        self.operation, self.lost = operation, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path.endswith(f"/op/{self.operation}") and not self.lost:
            self.lost += 1
            response.read()
            raise httpx.ReadError("connection reset after the server answered", request=request)
        return response


def test_the_desk_saves_a_work_order_once_when_the_answer_is_lost(db, lead_and_agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        dept_id, customer_id = add_zhang_san(s)
    transport = LoseAnswers("create_work_order")
    with serving(db) as url:
        desk = RemoteDesk([url], drafts_file=tmp_path / "offline.json", transport=transport)
        try:
            desk.login("1024", "1024")
            call = desk.start_call()
            desk.identify(call.id, customer_id)
            order = dict(kind="repair", severity="general", description="机顶盒无信号", department_id=dept_id)
            with pytest.raises(ServerUnavailable):
                desk.create_work_order(call.id, **order)  # type: ignore[arg-type]
            assert transport.lost == 1 and count(db, WorkOrder) == 1  # it did arrive
            saved = desk.create_work_order(call.id, **order)  # type: ignore[arg-type]  # the agent saves again
            assert count(db, WorkOrder) == 1
            with db.read() as s:
                assert s.execute(select(WorkOrder.id)).scalar_one() == saved.id
            # A new save afterwards is a new request.
            desk.create_work_order(call.id, **{**order, "description": "宽带也断了"})  # type: ignore[arg-type]
            assert count(db, WorkOrder) == 2
        finally:
            desk.close()


def test_keys_are_pruned_after_a_day(db, lead_and_agent, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        s.add(IdempotentRequest(agent_id=1, key="old-key-000", operation="start_call", created_at=fixed_clock.now()))
    fixed_clock.advance(hours=25)
    with db.write() as s:
        assert idempotency.prune(s) == 1


class Recording(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str | None] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.keys[request.url.path.rsplit("/", 1)[-1]] = request.headers.get(wire.IDEMPOTENCY_HEADER)
        return super().handle_request(request)


def test_the_desk_sends_a_key_with_writes_only(db, lead_and_agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    transport = Recording()
    with serving(db) as url:
        desk = RemoteDesk([url], drafts_file=tmp_path / "offline.json", transport=transport)
        try:
            desk.login("1024", "1024")
            desk.search_customers("张")
            desk.departments()
            desk.start_call()
        finally:
            desk.close()
    assert transport.keys["search_customers"] is None and transport.keys["departments"] is None
    assert idempotency.valid_key(transport.keys["start_call"] or "")
