"""Lead-only commands refused to an agent, through the real ``agentdesk`` command (Issue 8, item 1).

``agentdesk outage declare/update/clear --agent 1024`` and ``agentdesk handover export
--unmasked --lead 1024`` / ``handover pending --lead 1024``: the agent's own, correct PIN
is given, the command exits 1 saying why, and the database is exactly as it was — every
row of every table, audit and failed-login counters included — and no data leaves (no
file, nothing on standard output). The same commands by the lead succeed and are audited,
so the refusal is about the person, not a broken fixture.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk import clock
from agentdesk.cli.root import app
from agentdesk.clock import FixedClock
from agentdesk.db import open_database
from agentdesk.models import Outage
from agentdesk.services import accounts, calls, handover, outages
from tests.conftest import T0, add_zhang_san, audits
from tests.unit.test_permissions import dump

runner = CliRunner()
PINS = {"8001": "802517", "1024": "739146"}
FULL_PHONE = re.compile(r"1[3-9]\d{9}")


def agentdesk(*args: str, pin: str | None = None, lang: str = "en"):  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": lang, "COLUMNS": "200"}
    if pin is not None:
        env["AGENTDESK_PIN"] = pin
    return runner.invoke(app, list(args), env=env)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = clock.get_clock()
    fixed = FixedClock(T0)
    clock.set_clock(fixed)
    try:
        path = tmp_path_factory.mktemp("cli-permissions") / "desk.sqlite3"
        build(path, fixed)
        return path
    finally:
        clock.set_clock(before)


@pytest.fixture
def db_path(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(template, path)
    return str(path)


def build(path: Path, fixed_clock: FixedClock) -> None:
    """A lead, an agent whose shift was handed over (a note listing 张三's order and full
    phone number), and an active outage."""
    db = open_database(f"sqlite:///{path}")
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", PINS["8001"], team="甲班")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", PINS["1024"], team="甲班")
        dept_id, customer_id = add_zhang_san(s)
    login = accounts.login(db, "1024", PINS["1024"])
    with db.write() as s:
        call = calls.start_call(s, actor=agent, shift_id=login.shift.id)
        calls.identify_customer(s, call.id, customer_id, actor=agent)
        calls.create_work_order(s, call.id, kind="repair", severity="general", description="宽带断网",
                                department_id=dept_id, policy="generic", actor=agent)
        calls.close_call(s, call.id, summary="", checklist=dict.fromkeys(calls.CHECKLIST_ITEMS, True), actor=agent)
        outages.declare(s, actor=lead, areas=["朝阳区"], services=["tv"], cause="光缆被挖断", eta=None, message="")
    fixed_clock.advance(hours=8)
    with db.write() as s:
        note = handover.confirm_handover(s, login.shift.id, actor=agent, notes="张三明早回电")
        assert any(item.phone == "13800138000" for item in note.items)
    db.dispose()  # the last connection closed: the WAL is checkpointed, the file complete on its own
    assert not Path(str(path) + "-wal").exists()


def everything(path: str) -> dict:
    db = open_database(f"sqlite:///{path}", migrate=False)
    try:
        with db.read() as s:
            return dump(s)
    finally:
        db.dispose()


REFUSED = {
    "outage declare": ("outage", "declare", "--area", "南关区", "--services", "broadband", "--cause", "停电",
                       "--agent", "1024"),
    "outage update": ("outage", "update", "1", "--cause", "抢修中", "--agent", "1024"),
    "outage update --no-eta": ("outage", "update", "1", "--no-eta", "--message", "x", "--agent", "1024"),
    "outage clear": ("outage", "clear", "1", "--agent", "1024"),
    "handover export --unmasked": ("handover", "export", "--format", "json", "--out", "-", "--unmasked",
                                   "--lead", "1024"),
    "handover export --unmasked csv": ("handover", "export", "--format", "csv", "--out", "-", "--unmasked",
                                       "--lead", "1024"),
    "handover pending": ("handover", "pending", "--lead", "1024"),
    "handover pending --json": ("handover", "pending", "--lead", "1024", "--json"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_agent_is_refused_and_nothing_is_written(name: str, db_path: str) -> None:
    before = everything(db_path)
    result = agentdesk(*REFUSED[name], "--db", db_path, pin=PINS["1024"])
    assert result.exit_code == 1, result.output
    assert re.search(r"not a team lead|Only a team lead", result.stderr), result.stderr
    assert result.stdout == ""  # no data, not even masked
    assert everything(db_path) == before


def test_an_unmasked_export_to_a_file_is_not_written_for_an_agent(db_path: str, tmp_path: Path) -> None:
    before = everything(db_path)
    out = tmp_path / "handover.xlsx"
    result = agentdesk("handover", "export", "--format", "xlsx", "--out", str(out), "--unmasked", "--lead", "1024",
                       "--db", db_path, pin=PINS["1024"])
    assert result.exit_code == 1 and "Only a team lead" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".handover.xlsx.*"))
    assert everything(db_path) == before


def test_unmasked_without_a_lead_is_a_usage_error(db_path: str) -> None:
    before = everything(db_path)
    result = agentdesk("handover", "export", "--format", "json", "--out", "-", "--unmasked", "--db", db_path)
    assert result.exit_code == 2 and "--lead" in result.stderr and result.stdout == ""
    assert everything(db_path) == before


def test_a_wrong_pin_for_the_lead_only_counts_the_try(db_path: str) -> None:
    before = everything(db_path)
    result = agentdesk("outage", "clear", "1", "--agent", "8001", "--db", db_path, pin=PINS["1024"])
    assert result.exit_code == 1 and result.stdout == ""
    after = everything(db_path)
    assert {k: v for k, v in after.items() if k not in ("agents", "audit_events")} == \
        {k: v for k, v in before.items() if k not in ("agents", "audit_events")}
    assert [e.action for e in audits(db_path, "login.failed")] == ["login.failed"]
    assert audits(db_path, "outage.clear") == []


# -- the lead may: the same commands succeed and are audited ---------------------------------------


def test_the_lead_may_and_it_is_audited(db_path: str) -> None:
    lead = PINS["8001"]
    assert agentdesk("outage", "update", "1", "--cause", "抢修中", "--agent", "8001", "--db", db_path,
                     pin=lead).exit_code == 0
    declared = agentdesk("outage", "declare", "--area", "南关区", "--services", "broadband", "--cause", "停电",
                         "--agent", "8001", "--json", "--db", db_path, pin=lead)
    assert declared.exit_code == 0 and json.loads(declared.stdout)["declared_by"] == "8001"
    assert agentdesk("outage", "clear", "1", "--agent", "8001", "--db", db_path, pin=lead).exit_code == 0
    pending = agentdesk("handover", "pending", "--lead", "8001", "--json", "--db", db_path, pin=lead)
    assert pending.exit_code == 0 and json.loads(pending.stdout)  # 1024's note: nobody else acknowledged
    full = agentdesk("handover", "export", "--format", "json", "--out", "-", "--unmasked", "--lead", "8001",
                     "--db", db_path, pin=lead)
    assert full.exit_code == 0 and "13800138000" in full.stdout
    assert [e.action for e in audits(db_path, "handover.export_unmasked")] == ["handover.export_unmasked"]
    assert len(audits(db_path, "outage.update")) == 1 and len(audits(db_path, "outage.declare")) == 2
    db = open_database(f"sqlite:///{db_path}", migrate=False)
    try:
        with db.read() as s:
            assert s.get(Outage, 1).status == "cleared"
    finally:
        db.dispose()
