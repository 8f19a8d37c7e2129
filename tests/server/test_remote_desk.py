"""The desk's network facade against a real server (uvicorn on loopback): the same results as
the desk on one PC, errors as the services' own, pushes, fail-over and the server away."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentdesk.client.desk import OrderFilters
from agentdesk.client.remote import RemoteDesk, ServerUnavailable
from agentdesk.server import push as push_module
from agentdesk.services import calls, sessions
from agentdesk.services.changes import Topic
from agentdesk.services.errors import InvalidFields, PermissionDenied, Unauthenticated
from agentdesk.services.workorders.common import Conflict
from tests.conftest import add_zhang_san
from tests.serving import free_port, serving


@pytest.fixture
def center(db, lead_and_agent) -> Iterator[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    with db.write() as session:
        dept_id, customer_id = add_zhang_san(session)
    with serving(db) as url:
        yield url, dept_id, customer_id


def desk_on(urls: list[str], tmp_path: Path, name: str = "desk") -> RemoteDesk:
    return RemoteDesk(urls, drafts_file=tmp_path / f"{name}-offline.json")


def wait_for(desk: RemoteDesk, topic: str, seconds: float = 5.0) -> list:
    deadline = time.monotonic() + seconds
    seen: list = []
    while time.monotonic() < deadline:
        seen += desk.wait_changes(0.2)
        if any(c.topic == topic for c in seen):
            return seen
    raise AssertionError(f"no {topic!r} change within {seconds} s: {seen}")


def test_a_repair_call_through_the_server(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, dept_id, customer_id = center
    desk = desk_on([url], tmp_path)
    try:
        assert desk.agent_count() == 2 and desk.policy == "generic"
        login = desk.login("1024", "1024")
        assert login.agent.number == "1024"
        call = desk.start_call()
        hits = desk.search_customers("13800138000")
        assert [h.id for h in hits] == [customer_id]
        identified = desk.identify(call.id, customer_id)
        assert identified.card is not None and identified.card.name == "张三"
        deadlines = desk.preview_deadlines(call.id, "repair", "general")
        assert deadlines and all(v is None or v.year == 2026 for v in deadlines.values())
        order = desk.create_work_order(call.id, kind="repair", severity="general", description="机顶盒无信号",
                                       department_id=dept_id)
        page = desk.list_orders(OrderFilters(mine=True), page_size=10, cursor=None)
        assert [row.id for row in page.rows] == [order.id]
        detail = desk.get_order(order.id)
        with pytest.raises(Conflict):
            desk.change_status(order.id, "in_progress", reason="", expected_version=detail.version + 5)
        desk.close_call(call.id, summary="已派单", checklist=dict.fromkeys(calls.CHECKLIST_ITEMS, True))
        assert desk.unfinished_calls() == []
    finally:
        desk.close()


def test_paging_cursors_survive_the_wire(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, dept_id, customer_id = center
    desk = desk_on([url], tmp_path)
    try:
        desk.login("1024", "1024")
        made = []
        for _ in range(5):
            call = desk.start_call()
            desk.identify(call.id, customer_id)
            made.append(desk.create_work_order(call.id, kind="repair", severity="general", description="无信号",
                                               department_id=dept_id).id)
        seen, cursor = [], None
        while True:
            page = desk.list_orders(OrderFilters(), page_size=2, cursor=cursor)
            seen += [row.id for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    finally:
        desk.close()


def test_refusals_arrive_as_the_services_exceptions(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, *_ = center
    desk = desk_on([url], tmp_path)
    try:
        desk.login("1024", "1024")
        with pytest.raises(PermissionDenied):
            desk.board()
        call = desk.start_call()
        with pytest.raises(InvalidFields) as fields:
            desk.register_unregistered(call.id, name="", address="", phone="12")
        assert {"name", "phone"} <= set(fields.value.errors)
        assert "电话" in fields.value.errors["phone"].message("zh_CN") or fields.value.errors["phone"].message()
    finally:
        desk.close()


def test_an_outage_declared_by_a_lead_is_pushed_to_an_agent(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, *_ = center
    lead, agent = desk_on([url], tmp_path, "lead"), desk_on([url], tmp_path, "agent")
    try:
        lead.login("8001", "8001")
        agent.login("1024", "1024")
        assert agent.outages_if_changed() == []  # read once at login
        assert agent.outages_if_changed() is None  # then only when pushed: no polling
        time.sleep(0.5)  # the push channel connects
        declared = lead.declare_outage(areas=["朝阳区红旗街道"], services=["broadband"], cause="光缆中断", eta=None,
                                       message="")
        wait_for(agent, Topic.OUTAGE)
        assert [o.id for o in agent.outages_if_changed() or []] == [declared.id]
    finally:
        lead.close()
        agent.close()


def test_a_lead_ends_an_agents_session(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, *_ = center
    lead, agent = desk_on([url], tmp_path, "lead"), desk_on([url], tmp_path, "agent")
    try:
        lead.login("8001", "8001")
        agent.login("1024", "1024")
        time.sleep(0.5)
        assert lead.end_sessions("1024") == 1
        wait_for(agent, Topic.LOGOUT)
        with pytest.raises(Unauthenticated):
            agent.departments()
    finally:
        lead.close()
        agent.close()


def test_a_session_that_expires_while_connected_logs_the_desk_out(center, tmp_path: Path, fixed_clock,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(push_module, "RECHECK_SECONDS", 0.0)
    url, *_ = center
    lead, agent = desk_on([url], tmp_path, "lead"), desk_on([url], tmp_path, "agent")
    try:
        lead.login("8001", "8001")
        agent.login("1024", "1024")
        time.sleep(0.5)  # the push channel connects
        fixed_clock.advance(hours=sessions.SESSION_HOURS - 5)
        lead.departments()  # the lead's desk, in use, is renewed; the agent's is not
        fixed_clock.advance(hours=5, seconds=1)
        lead.declare_outage(areas=["朝阳区红旗街道"], services=["broadband"], cause="光缆中断", eta=None, message="")
        # The server closes the agent's channel (4401): the desk is told to log in, not that the link is down.
        wait_for(agent, Topic.LOGOUT)
        assert agent.online is not False
    finally:
        lead.close()
        agent.close()


def test_fail_over_to_the_next_server(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, *_ = center
    dead = f"http://127.0.0.1:{free_port()}"
    desk = desk_on([dead, url], tmp_path)
    try:
        desk.login("1024", "1024")
        assert desk.url == url and desk.departments() is not None
    finally:
        desk.close()


def test_with_no_server_nothing_is_saved_and_drafts_stay_here(tmp_path: Path) -> None:
    desk = desk_on([f"http://127.0.0.1:{free_port()}"], tmp_path)
    with pytest.raises(ServerUnavailable) as refused:
        desk.login("1024", "1024")
    assert "保留着" in refused.value.message("zh_CN")
    desk.save_draft("call", "7", {"summary": "客户说明天再来电"})
    kept = desk.load_draft("call", "7")
    assert kept is not None and kept.values == {"summary": "客户说明天再来电"}
    assert desk.link_status() is not None and desk.online is False
    desk.close()


def test_drafts_kept_offline_are_sent_when_the_server_is_back(db, lead_and_agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    desk = desk_on([f"http://127.0.0.1:{port}"], tmp_path)
    with serving(db, port=port):
        desk.login("1024", "1024")
        call = desk.start_call()
    # The server is gone: the draft goes to the local file.
    desk.save_draft("call", str(call.id), {"summary": "断网时写的"})
    assert desk.offline.count() == 1
    with serving(db, port=port):
        deadline = time.monotonic() + 20
        while desk.offline.count() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert desk.offline.count() == 0
        info = desk.load_draft("call", str(call.id))
        assert info is not None and info.values == {"summary": "断网时写的"}
    desk.close()


def test_a_handover_export_is_written_on_the_desks_machine(center, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, *_ = center
    desk = desk_on([url], tmp_path)
    try:
        desk.login("1024", "1024")
        desk.compile_handover()
        desk.confirm_handover(notes="交接：无", hand_over_open_calls=False)
        target = desk.export_handovers(scope="latest", fmt="md", path=tmp_path / "out" / "note.md", overwrite=False)
        assert target.read_text(encoding="utf-8").strip() and (target.stat().st_mode & 0o777) == 0o600
    finally:
        desk.close()


def test_the_next_agent_at_the_same_desk_stays_logged_in_when_the_last_ones_channel_closes(  # type: ignore[no-untyped-def]
        center, tmp_path: Path) -> None:
    url, *_ = center
    desk = desk_on([url], tmp_path)
    try:
        desk.login("1024", "1024")
        desk.wait_changes(1.0)  # connected as 1024
        desk.login("8001", "8001")  # the handover: 1024 logged out, 8001 in, on the same desk
        # The server closes 1024's channel (its session ended); that is not 8001's session ending.
        seen = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            seen += desk.wait_changes(0.2)
        assert not any(c.topic == Topic.LOGOUT for c in seen), seen
        assert desk.departments() is not None  # still 8001's session
    finally:
        desk.close()
