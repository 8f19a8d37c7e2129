"""``agentdesk handover export`` / ``pending`` through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from agentdesk.cli.handover import handover_app
from agentdesk.db import open_database
from agentdesk.models import Agent, Shift
from agentdesk.services import accounts, handover
from tests.conftest import T0, audits
from tests.unit.test_workorders import insert_order, make_desk

runner = CliRunner()


def invoke(*args: str, lang: str = "en", pin: str | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": lang}
    if pin is not None:
        env["AGENTDESK_PIN"] = pin
    return runner.invoke(handover_app, list(args), env=env, input=stdin)


@pytest.fixture
def db_path(tmp_path: Path, fixed_clock) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "handover.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", "8001", team="甲班")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", "1024", team="甲班")
        mate = accounts.create_agent(s, "1025", "张伟", "agent", "1025", team="甲班")
    desk = make_desk(db, (lead, agent))
    with db.write() as s:
        insert_order(s, desk)  # 张三, 13800138000, owned by 1024
        first = Shift(agent_id=agent.id, seat="A-12", team="甲班", started_at=T0)
        s.add(first)
        s.flush()
        first_id = first.id
    fixed_clock.advance(hours=8)
    with db.write() as s:
        handover.confirm_handover(s, first_id, actor=agent, notes="=1+1 张三明早回电")
    with db.write() as s:
        second = Shift(agent_id=mate.id, team="甲班", started_at=T0 + timedelta(hours=8))
        s.add(second)
        s.flush()
        second_id = second.id
        s.add(Shift(agent_id=mate.id, team="甲班", started_at=T0 + timedelta(hours=9)))  # id 3: no note
    fixed_clock.advance(hours=8)
    with db.write() as s:
        handover.confirm_handover(s, second_id, actor=mate, notes="夜班无事")
    db.dispose()
    return str(path)


# -- to files -----------------------------------------------------------------------------------


def test_export_every_format_to_files(db_path: str, tmp_path: Path) -> None:
    for fmt in ("md", "csv", "json", "xlsx"):
        out = tmp_path / f"note.{fmt}"
        result = invoke("export", "--agent", "1024", "--format", fmt, "--out", str(out), "--db", db_path)
        assert result.exit_code == 0, result.output
        assert "Exported 1 handover note(s)" in result.stdout
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        data = out.read_bytes()
        assert b"13800138000" not in data
        if fmt == "md":
            text = data.decode()
            assert text.startswith("# Shift handover · 李娜 (1024)") and "138\\*\\*\\*\\*8000" in text
        elif fmt == "csv":
            assert data.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
            phone = rows[0].index("Phone")
            assert [r[phone] for r in rows[1:]] == ["138****8000"]
            assert "'=1+1 张三明早回电" in rows[1]
        elif fmt == "json":
            doc = json.loads(data)
            assert [n["agent_number"] for n in doc["notes"]] == ["1024"]
            assert doc["notes"][0]["items"][0]["phone"] == "138****8000"
        else:
            wb = load_workbook(io.BytesIO(data))
            assert wb.sheetnames == ["1024 李娜 #1"]
            assert any(c.value == "138****8000" for r in wb.active.iter_rows() for c in r)
    assert len(audits(db_path, "handover.export")) == 4
    assert audits(db_path, "handover.export_unmasked") == []


def test_export_labels_follow_the_language(db_path: str, tmp_path: Path) -> None:
    out = tmp_path / "zh.md"
    result = invoke("export", "--format", "md", "--out", str(out), "--db", db_path, lang="zh_CN")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 交接班记录 · 张伟（1025）")  # latest by default
    assert "已导出 1 份交接记录" in result.stdout


def test_export_by_shift_and_date(db_path: str) -> None:
    by_shift = invoke("export", "--shift", "1", "--format", "json", "--out", "-", "--db", db_path)
    assert by_shift.exit_code == 0, by_shift.output
    assert [n["shift_id"] for n in json.loads(by_shift.stdout)["notes"]] == [1]
    by_date = invoke("export", "--date", "2026-11-23", "--format", "json", "--out", "-", "--db", db_path)
    assert [n["agent_number"] for n in json.loads(by_date.stdout)["notes"]] == ["1024", "1025"]
    latest = invoke("export", "--shift", "latest", "--format", "json", "--out", "-", "--db", db_path)
    assert [n["agent_number"] for n in json.loads(latest.stdout)["notes"]] == ["1025"]


# -- to standard output ---------------------------------------------------------------------------


def test_export_to_stdout(db_path: str) -> None:
    md = invoke("export", "--format", "md", "--out", "-", "--db", db_path)
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# Shift handover · 张伟 (1025)")
    csv_out = invoke("export", "--format", "csv", "--out", "-", "--db", db_path)
    assert csv_out.exit_code == 0 and csv_out.stdout_bytes.startswith(b"\xef\xbb\xbf")
    js = invoke("export", "--format", "json", "--out", "-", "--db", db_path)
    assert json.loads(js.stdout)["notes"][0]["agent_name"] == "张伟"


def test_xlsx_to_stdout_is_refused(db_path: str) -> None:
    result = invoke("export", "--format", "xlsx", "--out", "-", "--db", db_path)
    assert result.exit_code == 2 and "--out" in result.stderr
    assert audits(db_path, "handover.export") == []


# -- refusals -----------------------------------------------------------------------------------


def test_no_overwrite_without_force(db_path: str, tmp_path: Path) -> None:
    out = tmp_path / "note.md"
    out.write_text("old", encoding="utf-8")
    result = invoke("export", "--format", "md", "--out", str(out), "--db", db_path)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "old"
    forced = invoke("export", "--format", "md", "--out", str(out), "--force", "--db", db_path)
    assert forced.exit_code == 0, forced.output
    assert out.read_text(encoding="utf-8").startswith("# Shift handover")


@pytest.mark.parametrize(("args", "message"), [
    (("--agent", "7777"), "No agent with number 7777"),
    (("--shift", "999"), "No shift with id 999"),
    (("--shift", "3"), "Shift 3 has no confirmed handover note yet"),
    (("--date", "2026-01-01"), "No handover notes for shifts started on 2026-01-01"),
    (("--agent", "8001"), "Agent 8001 has no confirmed handover note yet"),
])
def test_nothing_to_export_exits_1_without_a_file(db_path: str, tmp_path: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "nothing.csv"
    result = invoke("export", *args, "--format", "csv", "--out", str(out), "--db", db_path)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []
    assert audits(db_path, "handover.export") == []


@pytest.mark.parametrize("args", [
    ("--format", "pdf"),
    ("--format", "md", "--shift", "yesterday"),
    ("--format", "md", "--date", "23/11/2026"),
    ("--format", "md", "--unmasked"),
])
def test_malformed_arguments_exit_2(db_path: str, tmp_path: Path, args) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.md"
    result = invoke("export", *args, "--out", str(out), "--db", db_path)
    assert result.exit_code == 2, result.output
    assert not out.exists()


def test_missing_directory(db_path: str, tmp_path: Path) -> None:
    result = invoke("export", "--format", "md", "--out", str(tmp_path / "nope" / "x.md"), "--db", db_path)
    assert result.exit_code == 1 and "No such directory" in result.stderr


# -- unmasked -----------------------------------------------------------------------------------


def test_unmasked_refused_for_an_agent(db_path: str, tmp_path: Path) -> None:
    out = tmp_path / "full.csv"
    result = invoke("export", "--format", "csv", "--out", str(out), "--unmasked", "--lead", "1024",
                    "--agent", "1024", "--db", db_path, pin="1024")
    assert result.exit_code == 1
    assert "Only a team lead" in result.stderr
    assert not out.exists()
    assert audits(db_path, "handover.export") == [] and audits(db_path, "handover.export_unmasked") == []


def test_unmasked_accepted_for_a_lead(db_path: str, tmp_path: Path) -> None:
    out = tmp_path / "full.csv"
    result = invoke("export", "--format", "csv", "--out", str(out), "--unmasked", "--lead", "8001",
                    "--agent", "1024", "--db", db_path, stdin="8001\n")  # PIN from the hidden prompt
    assert result.exit_code == 0, result.output
    assert "full phone numbers" in result.stdout
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1][rows[0].index("Phone")] == "13800138000"
    [unmasked] = audits(db_path, "handover.export_unmasked")
    [exported] = audits(db_path, "handover.export")
    assert unmasked.agent_id == exported.agent_id == 1  # the lead
    detail = json.loads(unmasked.detail)
    assert detail["format"] == "csv" and detail["destination"] == str(out.resolve()) and detail["notes"] == [1]


def test_wrong_pin_is_counted(db_path: str, tmp_path: Path) -> None:
    out = tmp_path / "full.csv"
    result = invoke("export", "--format", "csv", "--out", str(out), "--unmasked", "--lead", "8001",
                    "--db", db_path, pin="0000")
    assert result.exit_code == 1 and "Wrong agent number or PIN." in result.stderr
    assert not out.exists()
    db = open_database(f"sqlite:///{db_path}", migrate=False)
    with db.read() as s:
        assert s.execute(select(Agent.failed_logins).where(Agent.number == "8001")).scalar_one() == 1
    db.dispose()


# -- pending ------------------------------------------------------------------------------------


def test_pending_for_a_lead(db_path: str) -> None:
    table = runner.invoke(handover_app, ["pending", "--lead", "8001", "--db", db_path],
                          env={"AGENTDESK_LANG": "en", "AGENTDESK_PIN": "8001", "COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "1025 张伟" in table.stdout and "1024 李娜" in table.stdout
    result = invoke("pending", "--lead", "8001", "--json", "--db", db_path, pin="8001")
    rows = json.loads(result.stdout)
    assert [(r["agent_number"], [m["agent_number"] for m in r["not_acknowledged"]]) for r in rows] == \
        [("1025", ["1024", "8001"]), ("1024", ["1025", "8001"])]


def test_pending_refused_for_an_agent(db_path: str) -> None:
    result = invoke("pending", "--lead", "1024", "--db", db_path, pin="1024")
    assert result.exit_code == 1 and "Only a team lead" in result.stderr
    assert invoke("pending", "--db", db_path).exit_code == 2
