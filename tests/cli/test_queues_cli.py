"""``agentdesk workorders list`` / ``agentdesk callbacks list`` through typer's CliRunner."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli.queues import CALLBACK_JSON_KEYS, ORDER_JSON_KEYS, callbacks_app, workorders_app
from agentdesk.db import open_database
from agentdesk.models import Callback, Customer, CustomerPhone
from tests.conftest import T0
from tests.unit.test_workorders import insert_order, make_desk

runner = CliRunner()


def invoke(app, *args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"AGENTDESK_LANG": lang})


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = tmp_path / "queues.sqlite3"
    db = open_database(f"sqlite:///{path}")
    from agentdesk.services import accounts

    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", "8001")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", "1024")
    desk = make_desk(db, (lead, agent))
    with db.write() as s:
        # A name that looks like Rich markup must come out as typed.
        odd = Customer(user_code="U-odd", name="[bold]赵六[/bold]", area_class="city", tier="regular", created_at=T0)
        s.add(odd)
        s.flush()
        s.add(CustomerPhone(customer_id=odd.id, phone="13611112222"))
        insert_order(s, desk, created=T0 - timedelta(hours=30))  # overdue
        insert_order(s, desk, kind="install", status="in_progress")
        insert_order(s, desk, status="new", customer_id=odd.id)
        insert_order(s, desk, status="closed")
        s.add(Callback(kind="after_repair", customer_id=desk.customer_id, contact_name="张三",
                       contact_phone="13800138000", reason="维修完成回访", due_at=T0 + timedelta(hours=1),
                       created_at=T0))
        s.add(Callback(kind="periodic", customer_id=desk.vip_id, contact_name="李四", contact_phone="13900139000",
                       reason="VIP 月度回访", due_at=T0 + timedelta(days=5), created_at=T0))
    db.dispose()
    return str(path)


def test_workorders_list_json(db_path: str) -> None:
    result = invoke(workorders_app, "list", "--json", "--db", db_path)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3  # open orders only by default
    assert all(tuple(r) == ORDER_JSON_KEYS for r in rows)
    assert [r["badge"] for r in rows][0] == "overdue"
    assert rows[0]["resolve_by"] == (T0 - timedelta(hours=6)).isoformat()
    assert {r["phone_masked"] for r in rows} == {"138****8000", "136****2222"}
    assert "13800138000" not in result.stdout and "13611112222" not in result.stdout
    assert {r["escalation_level"] for r in rows} == {"window"}


def test_workorders_filters_and_limit(db_path: str) -> None:
    overdue = json.loads(invoke(workorders_app, "list", "--overdue", "--json", "--db", db_path).stdout)
    assert [r["badge"] for r in overdue] == ["overdue"]
    closed = json.loads(invoke(workorders_app, "list", "--status", "closed", "--json", "--db", db_path).stdout)
    assert [r["status"] for r in closed] == ["closed"]
    limited = json.loads(invoke(workorders_app, "list", "--json", "--limit", "1", "--db", db_path).stdout)
    assert len(limited) == 1


def test_workorders_table_prints_user_text_verbatim(db_path: str) -> None:
    result = invoke(workorders_app, "list", "--db", db_path, "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "There are more" in result.output
    wide = runner.invoke(workorders_app, ["list", "--db", db_path], env={"AGENTDESK_LANG": "zh_CN", "COLUMNS": "250"})
    assert wide.exit_code == 0, wide.output
    assert "[bold]赵六[/bold]" in wide.output
    assert "已超时" in wide.output and "工单号" in wide.output and "138****8000" in wide.output


def test_workorders_bad_status_exits_2(db_path: str) -> None:
    result = invoke(workorders_app, "list", "--status", "finished", "--db", db_path)
    assert result.exit_code == 2
    assert "finished" in result.output
    for status in ("new", "dispatched", "in_progress", "resolved", "callback", "closed"):
        assert status in result.output


def test_callbacks_list_json(db_path: str) -> None:
    result = invoke(callbacks_app, "list", "--json", "--db", db_path)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(tuple(r) == CALLBACK_JSON_KEYS for r in rows)
    assert [r["kind"] for r in rows] == ["after_repair", "periodic"]
    assert rows[0]["due_at"] == (T0 + timedelta(hours=1)).isoformat()
    assert [r["phone_masked"] for r in rows] == ["138****8000", "139****9000"]
    assert "13800138000" not in result.stdout


def test_callbacks_due_before(db_path: str) -> None:
    soon = json.loads(invoke(callbacks_app, "list", "--json", "--due-before", "2026-11-23T12:00",
                             "--db", db_path).stdout)
    assert [r["kind"] for r in soon] == ["after_repair"]
    aware = json.loads(invoke(callbacks_app, "list", "--json", "--due-before", "2026-11-23T04:00:00+00:00",
                              "--db", db_path).stdout)
    assert [r["kind"] for r in aware] == ["after_repair"]  # 04:00 UTC is 12:00 in the center


def test_callbacks_table(db_path: str) -> None:
    result = runner.invoke(callbacks_app, ["list", "--db", db_path], env={"AGENTDESK_LANG": "zh_CN", "COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "维修完成回访" in result.output and "待回访" in result.output and "139****9000" in result.output


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", ""])
def test_callbacks_bad_time_exits_2(db_path: str, value: str) -> None:
    result = invoke(callbacks_app, "list", "--due-before", value, "--db", db_path)
    assert result.exit_code == 2
    assert "ISO" in result.output and "2026-11-23T18:00" in result.output


def test_empty_queues(tmp_path: Path) -> None:
    path = str(tmp_path / "empty.sqlite3")
    assert "No work orders" in invoke(workorders_app, "list", "--db", path).output
    assert "No callbacks" in invoke(callbacks_app, "list", "--db", path).output
    assert json.loads(invoke(callbacks_app, "list", "--json", "--db", path).stdout) == []
