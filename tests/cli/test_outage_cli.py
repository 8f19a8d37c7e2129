"""``agentdesk outage …`` through typer's CliRunner: a lead declares, changes, clears and
lists; an agent, a wrong PIN and malformed arguments are refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agentdesk.cli.outage import OUTAGE_JSON_KEYS, TIMELINE_JSON_KEYS, outage_app
from agentdesk.db import open_database
from agentdesk.models import Agent, AuditEvent, Callback
from agentdesk.services import calls, outages
from agentdesk.services.demo import build_demo

runner = CliRunner()


def invoke(*args: str, pin: str | None = "8001", lang: str = "en",  # type: ignore[no-untyped-def]
           stdin: str | None = None):
    env = {"AGENTDESK_LANG": lang, "COLUMNS": "200"}
    if pin is not None:
        env["AGENTDESK_PIN"] = pin
    return runner.invoke(outage_app, list(args), env=env, input=stdin)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = tmp_path / "outages.sqlite3"
    db = open_database(f"sqlite:///{path}")
    build_demo(db, customers=20)
    db.dispose()
    return str(path)


def _db(path: str):  # type: ignore[no-untyped-def]
    return open_database(f"sqlite:///{path}", migrate=False)


def _counts(path: str) -> dict[str, int]:
    db = _db(path)
    try:
        return db.row_counts()
    finally:
        db.dispose()


def _failed_logins(path: str, number: str) -> int:
    db = _db(path)
    try:
        with db.read() as s:
            return s.execute(select(Agent.failed_logins).where(Agent.number == number)).scalar_one()
    finally:
        db.dispose()


def declare(path: str, *extra: str, agent: str = "8001", pin: str | None = "8001",  # type: ignore[no-untyped-def]
            lang: str = "en"):
    return invoke("declare", "--area", "朝阳区", "--area", "南关区 曙光街道", "--services", "tv,broadband",
                  "--cause", "光缆被挖断", "--eta", "2026-11-23T15:00", "--message", "[bold]请安抚用户[/bold]",
                  "--agent", agent, "--db", path, *extra, pin=pin, lang=lang)


def test_lead_declares_updates_clears_and_lists(db_path: str) -> None:
    result = declare(db_path)
    assert result.exit_code == 0, result.output
    assert "Outage 1 declared: 朝阳区, 南关区曙光街道" in result.stdout

    db = _db(db_path)
    try:
        with db.read() as s:
            info = outages.get_outage(s, 1)
            from agentdesk.services import accounts

            agent = accounts.get_agent(s, "1024")
        assert info.areas == ("朝阳区", "南关区曙光街道") and info.services == ("tv", "broadband")
        assert info.message == "[bold]请安抚用户[/bold]" and info.declared_by == "8001"
        with db.write() as s:  # a caller from 朝阳区 is linked to it
            call = calls.start_call(s, actor=agent, shift_id=None)
            calls.identify_customer(s, call.id, 1, actor=agent)
            outages.link_call(s, call.id, 1, actor=agent)
    finally:
        db.dispose()

    result = invoke("update", "1", "--cause", "光缆被挖断，正在熔接", "--eta", "2026-11-23T18:00", "--agent", "8001",
                    "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "Outage 1 updated." in result.stdout
    result = invoke("update", "1", "--cause", "光缆被挖断，正在熔接", "--agent", "8001", "--db", db_path)
    assert result.exit_code == 0 and "Outage 1 unchanged." in result.stdout

    listed = invoke("list", "--active", "--json", "--db", db_path, pin=None)
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [1] and rows[0]["cause"] == "光缆被挖断，正在熔接"
    assert rows[0]["eta"] == "2026-11-23T18:00:00" and rows[0]["linked_calls"] == 1

    table = invoke("list", "--db", db_path, pin=None, lang="zh_CN")
    assert table.exit_code == 0 and "朝阳区" in table.stdout and "处理中" in table.stdout

    result = invoke("clear", "1", "--agent", "8001", "--db", db_path, "--json")
    assert result.exit_code == 0, result.output
    cleared = json.loads(result.stdout)
    assert cleared["callbacks_created"] == 1 and cleared["status"] == "cleared" and cleared["cleared_by"] == "8001"

    assert json.loads(invoke("list", "--active", "--json", "--db", db_path, pin=None).stdout) == []
    assert "No active outage." in invoke("list", "--active", "--db", db_path, pin=None).stdout
    shown = invoke("show", "1", "--json", "--db", db_path, pin=None)
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert [e["action"] for e in data["timeline"]] == ["outage.declare", "outage.update", "outage.clear"]
    assert all(tuple(e) == TIMELINE_JSON_KEYS for e in data["timeline"])
    text = invoke("show", "1", "--db", db_path, pin=None)
    assert text.exit_code == 0 and "[bold]请安抚用户[/bold]" in text.stdout and "Cleared" in text.stdout
    db = _db(db_path)
    try:
        with db.read() as s:
            assert s.execute(select(Callback.kind).where(Callback.outage_id == 1)).scalars().all() == ["restoration"]
    finally:
        db.dispose()


def test_json_keys_are_stable(db_path: str) -> None:
    result = declare(db_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert tuple(data) == OUTAGE_JSON_KEYS
    assert data["services"] == ["tv", "broadband"] and data["areas"] == ["朝阳区", "南关区曙光街道"]
    assert data["declared_at"] == "2026-11-23T09:00:00" and data["cleared_at"] is None
    updated = json.loads(invoke("update", "1", "--no-eta", "--agent", "8001", "--db", db_path, "--json").stdout)
    assert tuple(updated) == OUTAGE_JSON_KEYS and updated["eta"] is None
    rows = json.loads(invoke("list", "--json", "--db", db_path, pin=None).stdout)
    assert [tuple(r) for r in rows] == [OUTAGE_JSON_KEYS]
    cleared = json.loads(invoke("clear", "1", "--agent", "8001", "--db", db_path, "--json").stdout)
    assert tuple(cleared) == (*OUTAGE_JSON_KEYS, "callbacks_created")


def test_pin_from_the_hidden_prompt(db_path: str) -> None:
    result = invoke(
        "declare", "--area", "朝阳区", "--services", "tv", "--cause", "停电", "--agent", "8001", "--db", db_path,
        pin=None, stdin="8001\n")
    assert result.exit_code == 0, result.output
    assert "8001\n" not in result.stdout.split("\n", 1)[-1]  # not echoed back
    assert _counts(db_path)["outages"] == 1


@pytest.mark.parametrize("command", ["declare", "update", "clear"])
def test_an_agent_is_refused_and_nothing_is_written(db_path: str, command: str) -> None:
    if command != "declare":
        assert declare(db_path).exit_code == 0
    # A couple of earlier wrong tries: a refused agent's correct PIN must not even reset them.
    for _ in range(2):
        assert declare(db_path, agent="1024", pin="0000").exit_code == 1
    before = _counts(db_path)
    args = {"declare": ["declare", "--area", "朝阳区", "--services", "tv", "--cause", "停电"],
            "update": ["update", "1", "--cause", "改"],
            "clear": ["clear", "1"]}[command]
    result = invoke(*args, "--agent", "1024", "--db", db_path, pin="1024")
    assert result.exit_code == 1
    assert "Agent 1024 is not a team lead" in result.stderr
    assert _counts(db_path) == before
    assert _failed_logins(db_path, "1024") == 2
    zh = invoke(*args, "--agent", "1024", "--db", db_path, pin="1024", lang="zh_CN")
    assert zh.exit_code == 1 and "不是班长" in zh.stderr


def test_wrong_pin_exits_1_and_counts_the_try(db_path: str) -> None:
    before = _counts(db_path)
    result = declare(db_path, pin="9999")
    assert result.exit_code == 1
    assert "Wrong agent number or PIN" in result.stderr
    after = _counts(db_path)
    assert after["outages"] == before["outages"] == 0
    assert after["audit_events"] == before["audit_events"] + 1  # login.failed
    assert _failed_logins(db_path, "8001") == 1
    db = _db(db_path)
    try:
        with db.read() as s:
            assert s.execute(select(AuditEvent.action)
                             .order_by(AuditEvent.id.desc())).scalars().first() == "login.failed"
    finally:
        db.dispose()
    assert declare(db_path, agent="7777").exit_code == 1  # no such agent
    assert declare(db_path).exit_code == 0
    assert _failed_logins(db_path, "8001") == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--services", "tv,radio"], "tv, broadband, phone"),
        (["--services", ""], "tv, broadband, phone"),
        (["--eta", "tomorrow"], "ISO"),
        (["--eta", "2026-11-23T08:00"], "before now"),
        (["--cause", "  "], "cause"),
    ],
)
def test_malformed_arguments_exit_2(db_path: str, args: list[str], expected: str) -> None:
    base = {"--services": "tv", "--cause": "停电", "--eta": "2026-11-23T15:00"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for k, v in base.items() for x in (k, v)]
    before = _counts(db_path)
    result = invoke("declare", "--area", "朝阳区", *flat, "--agent", "8001", "--db", db_path, pin=None)
    # Exit 2 before any PIN is asked for (no PIN given, no prompt answered).
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert _counts(db_path) == before


def test_missing_area_or_nothing_to_update_exit_2(db_path: str) -> None:
    result = invoke("declare", "--services", "tv", "--cause", "停电", "--agent", "8001", "--db", db_path, pin=None)
    assert result.exit_code == 2 and "area" in result.stderr
    assert declare(db_path).exit_code == 0
    result = invoke("update", "1", "--agent", "8001", "--db", db_path, pin=None)
    assert result.exit_code == 2 and "--cause" in result.stderr
    result = invoke("update", "1", "--services", "radio", "--agent", "8001", "--db", db_path, pin=None)
    assert result.exit_code == 2 and "tv, broadband, phone" in result.stderr


def test_missing_or_cleared_outage_exits_1(db_path: str) -> None:
    result = invoke("clear", "42", "--agent", "8001", "--db", db_path)
    assert result.exit_code == 1 and "Outage not found (id 42)" in result.stderr
    assert declare(db_path).exit_code == 0
    assert invoke("clear", "1", "--agent", "8001", "--db", db_path).exit_code == 0
    before = _counts(db_path)
    again = invoke("clear", "1", "--agent", "8001", "--db", db_path)
    assert again.exit_code == 1 and "was cleared" in again.stderr
    changed = invoke("update", "1", "--cause", "改", "--agent", "8001", "--db", db_path)
    assert changed.exit_code == 1
    assert _counts(db_path) == before
    assert invoke("show", "42", "--db", db_path, pin=None).exit_code == 1
    assert "No outages." not in invoke("list", "--db", db_path, pin=None).stdout


def test_empty_list(db_path: str) -> None:
    assert "No outages." in invoke("list", "--db", db_path, pin=None).stdout
    assert "没有故障记录" in invoke("list", "--db", db_path, pin=None, lang="zh_CN").stdout


def test_mounted_in_the_main_command(db_path: str) -> None:
    from agentdesk.cli.root import app

    result = runner.invoke(app, ["outage", "list", "--json", "--db", db_path], env={"AGENTDESK_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
