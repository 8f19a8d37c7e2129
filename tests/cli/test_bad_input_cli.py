"""Hostile text through the ``agentdesk`` command (Issue 8, item 2, the CLI half).

``agentdesk agent add`` with a markup/ESC name, ``agentdesk outage declare`` with markup
and escape sequences in its cause, message and areas, ``agentdesk import customers`` with
such cells: stored as the services clean them (escape sequences and invisible characters
out, markup literal), and no output — tables, messages, ``--json`` — carries a raw ESC
from the data. CliRunner's output is not a terminal, so Rich adds no styling: any ``\\x1b``
in it came from the data.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agentdesk.cli.root import app
from agentdesk.db import open_database
from agentdesk.models import Agent, Callback, Customer, CustomerPhone, Outage, OutageArea, WorkOrder
from agentdesk.normalize import normalize_name
from agentdesk.services import accounts
from tests.conftest import T0, add_zhang_san
from tests.unit.test_importer import ZH_HEADERS, write_csv

runner = CliRunner()

MARKUP = "[bold]x [/ a[/]b [@click=app.quit]x[/] [link=https://example.com]x[/link]"
ESCAPES = "\x1b[2J\x1b]52;c;aGk=\x07\x1b]0;title\x07"
INVISIBLE = "\u200b\u200d\ufeff\u202e\u2066\u2069"
HOSTILE = f"{MARKUP} {ESCAPES}𠮷{INVISIBLE}野家 '; DROP TABLE customers; --"
#: HOSTILE as stored: the escape sequences gone whole, the invisible characters gone.
CLEAN = f"{MARKUP} 𠮷野家 '; DROP TABLE customers; --"
LEAD_PIN = "802517"


def agentdesk(*args: str, pin: str | None = None, new_pin: str | None = None, lang: str = "en"):  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": lang, "COLUMNS": "250"}
    if pin is not None:
        env["AGENTDESK_PIN"] = pin
    if new_pin is not None:
        env["AGENTDESK_NEW_PIN"] = new_pin
    return runner.invoke(app, list(args), env=env)


def assert_no_escape(result) -> None:  # type: ignore[no-untyped-def]
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream, f"raw ESC in the output: {stream[:400]!r}"
        assert "Traceback" not in stream
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def assert_clean(stored: str) -> None:
    assert "\x1b" not in stored and "\x07" not in stored and not any(ch in stored for ch in INVISIBLE)
    assert not any(rest in stored for rest in ("[2J", "]52;", "aGk=", "]0;", "title"))
    assert "[@click=app.quit]x[/]" in stored and "a[/]b" in stored and "𠮷" in stored


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = tmp_path / "desk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.write() as s:
        accounts.create_agent(s, "8001", "王红梅", "lead", LEAD_PIN, team="甲班")
    db.dispose()
    return str(path)


def read(path: str, model, *where):  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{path}", migrate=False)
    try:
        with db.read() as s:
            return list(s.execute(select(model).where(*where)).scalars())
    finally:
        db.dispose()


# -- agent add ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "stored"), [
    (ESCAPES + "李娜" + INVISIBLE, "李娜"),
    ("[@click=app.quit]x[/]", "[@click=app·quit]x[/]"),  # a name's dots become the middle dot
    ("a[/]b [bold]王" + ESCAPES + "五", "a[/]b [bold]王五"),
    ("'; DROP TABLE agents; --", "'; DROP TABLE agents; --"),
], ids=["escapes", "click", "markup", "sql"])
def test_agent_add_with_a_hostile_name(name: str, stored: str, db_path: str) -> None:
    added = agentdesk("agent", "add", "2001", "--name", name, "--db", db_path, "--by", "8001",
                      pin=LEAD_PIN, new_pin="739146")
    assert added.exit_code == 0, added.output
    assert_no_escape(added)
    [agent] = read(db_path, Agent, Agent.number == "2001")
    assert agent.name == stored == normalize_name(name)
    listed = agentdesk("agent", "list", "--db", db_path)
    assert listed.exit_code == 0
    assert_no_escape(listed)
    assert stored in listed.stdout  # markup shown literally, not parsed
    assert accounts.verify_pin("739146", agent.pin_hash)


def test_agent_add_with_a_name_of_only_escape_sequences_is_refused(db_path: str) -> None:
    result = agentdesk("agent", "add", "2001", "--name", ESCAPES + INVISIBLE, "--db", db_path, "--by", "8001",
                       pin=LEAD_PIN, new_pin="739146")
    assert result.exit_code == 2
    assert_no_escape(result)
    assert read(db_path, Agent, Agent.number == "2001") == []


def test_agent_add_with_a_markup_number_is_refused(db_path: str) -> None:
    result = agentdesk("agent", "add", "[bold]20\x1b[2J01", "--name", "李娜", "--db", db_path, "--by", "8001",
                       pin=LEAD_PIN, new_pin="739146")
    assert result.exit_code == 2
    assert_no_escape(result)
    assert len(read(db_path, Agent)) == 1


def test_agent_add_with_a_hostile_team(db_path: str) -> None:
    added = agentdesk("agent", "add", "2001", "--name", "李娜", "--team", "甲" + ESCAPES + "班" + INVISIBLE,
                      "--db", db_path, "--by", "8001", pin=LEAD_PIN, new_pin="739146")
    assert added.exit_code == 0
    [agent] = read(db_path, Agent, Agent.number == "2001")
    listed = agentdesk("agent", "list", "--db", db_path)
    assert_no_escape(listed)
    assert agent.team == "甲班"


# -- outage declare -----------------------------------------------------------------------------


def declare(db_path: str, *extra: str, area: str = "朝阳区", cause: str = HOSTILE, message: str = HOSTILE):  # type: ignore[no-untyped-def]
    return agentdesk("outage", "declare", "--area", area, "--services", "tv", "--cause", cause,
                     "--message", message, "--agent", "8001", "--db", db_path, *extra, pin=LEAD_PIN)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_outage_declare_with_a_hostile_cause_and_message(as_json: bool, db_path: str) -> None:
    result = declare(db_path, *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    assert_no_escape(result)
    [outage] = read(db_path, Outage)
    assert outage.cause == CLEAN == outage.message
    assert_clean(outage.cause)
    if as_json:
        data = json.loads(result.stdout)
        assert data["cause"] == outage.cause and data["areas"] == ["朝阳区"]
    for command in (("outage", "list"), ("outage", "show", "1"), ("outage", "list", "--json"),
                    ("outage", "show", "1", "--json")):
        shown = agentdesk(*command, "--db", db_path)
        assert shown.exit_code == 0, shown.output
        assert_no_escape(shown)
    assert "[@click=app.quit]x[/]" in agentdesk("outage", "show", "1", "--db", db_path).stdout


def test_outage_declare_with_a_hostile_area(db_path: str) -> None:
    result = declare(db_path, area="朝阳区[@click=app.quit]x[/]" + INVISIBLE, cause="光缆被挖断", message="")
    assert result.exit_code == 0, result.output
    assert_no_escape(result)
    assert [a.area_name for a in read(db_path, OutageArea)] == ["朝阳区[@click=app.quit]x[/]"]


def test_outage_declare_with_only_escape_sequences_as_cause_is_refused(db_path: str) -> None:
    result = declare(db_path, cause=ESCAPES + INVISIBLE)
    assert result.exit_code == 2
    assert_no_escape(result)
    assert read(db_path, Outage) == []


def test_outage_area_escape_sequence_is_not_split_into_areas(db_path: str) -> None:
    result = declare(db_path, area="朝阳区\x1b]52;c;aGk=\x07", cause="光缆被挖断", message="")
    assert result.exit_code == 0, result.output
    assert [a.area_name for a in read(db_path, OutageArea)] == ["朝阳区"]


# -- import customers -----------------------------------------------------------------------------


def hostile_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "hostile.csv", [
        [*ZH_HEADERS, "备注" + ESCAPES],  # an extra column, its header hostile too
        ["220100000001", "张三" + ESCAPES + INVISIBLE, "138 0013 8000" + INVISIBLE, MARKUP + ESCAPES,
         "朝阳区[bold]红旗街道" + ESCAPES, "城网", "普通", HOSTILE],
        ["220100000002", "[@click=app.quit]李四[/]", "１３９００１３９０００", HOSTILE, "南关区", "城网", "VIP", ""],
        # Rejected rows quote their cells in the report: a code, a tier and a phone that are hostile.
        ["2201" + ESCAPES + "00000003", "", "12800138000" + ESCAPES, "x", "x", "城网", "金牌" + ESCAPES, ""],
        ["[bold]U-4[/]", "王五", "not a phone" + ESCAPES, "x", "x", "网" + ESCAPES, "普通", ""],
    ])


@pytest.mark.parametrize("as_json", [False, True], ids=["report", "json"])
def test_import_customers_with_hostile_cells(as_json: bool, tmp_path: Path) -> None:
    db_path = str(tmp_path / "import.sqlite3")
    result = agentdesk("import", "customers", str(hostile_file(tmp_path)), "--db", db_path,
                       *(["--json"] if as_json else []))
    assert result.exit_code == 1, result.output  # two rows rejected
    assert_no_escape(result)
    if as_json:
        report = json.loads(result.stdout)
        assert (report["inserted"], report["rejected"]) == (2, 2)
        assert all("\x1b" not in e["reason"] + e["user_code"] for e in report["errors"])
    else:
        assert "U-4" in result.stdout  # the rejected code quoted, literally
    people = {c.user_code: c for c in read(db_path, Customer)}
    assert set(people) == {"220100000001", "220100000002"}
    zs, ls = people["220100000001"], people["220100000002"]
    assert zs.name == "张三" and ls.name == normalize_name("[@click=app.quit]李四[/]") == "[@click=app·quit]李四[/]"
    assert zs.address == MARKUP and zs.area_name == "朝阳区[bold]红旗街道"
    assert ls.address is not None
    assert_clean(ls.address)
    phones = {p.phone for p in read(db_path, CustomerPhone)}
    assert phones == {"13800138000", "13900139000"}  # invisible characters and full-width digits normalized


# -- what the CLI lists from rows already in the database -------------------------------------------


@pytest.fixture
def legacy_db(db_path: str) -> str:
    """A customer row written before the cleaning existed (or by another system) still holds
    escape sequences; a work order and a callback for it."""
    db = open_database(f"sqlite:///{db_path}", migrate=False)
    with db.write() as s:
        dept_id, customer_id = add_zhang_san(s, user_code="220100000009", name="张三" + ESCAPES, address="x",
                                             area="朝阳区")
        s.add(WorkOrder(number="GD20261123-000001", customer_id=customer_id, kind="repair", severity="general",
                        area_class="city", tier="regular", department_id=dept_id, status="dispatched",
                        description="宽带断网" + ESCAPES, created_at=T0, dispatched_at=T0,
                        resolve_by=T0 + timedelta(hours=24)))
        s.add(Callback(kind="after_repair", customer_id=customer_id, reason="维修回访" + ESCAPES,
                       due_at=T0 + timedelta(hours=2), status="pending", created_at=T0))
    db.dispose()
    return db_path


@pytest.mark.parametrize("command", [("workorders", "list"), ("callbacks", "list")], ids=lambda c: c[0])
def test_queue_lists_never_print_escape_sequences_from_stored_rows(command: tuple[str, str], legacy_db: str) -> None:
    result = agentdesk(*command, "--db", legacy_db)
    assert result.exit_code == 0, result.output
    assert "张三" in result.stdout
    assert_no_escape(result)


@pytest.mark.parametrize("command", [("workorders", "list", "--json"), ("callbacks", "list", "--json")],
                         ids=lambda c: c[0])
def test_queue_json_never_carries_a_raw_escape(command: tuple[str, ...], legacy_db: str) -> None:
    result = agentdesk(*command, "--db", legacy_db)
    assert result.exit_code == 0, result.output
    assert_no_escape(result)  # json.dumps escapes control characters (\\u001b)
    assert json.loads(result.stdout)
