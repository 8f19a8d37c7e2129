"""Audit and privacy (Issue 8, item 3): PINs and full phone numbers never reach the logs;
every export and unmasked view is audited; phones are masked in lists and exports.

The full flow runs every piece of the desk that handles a PIN or a phone number — agents
added (the CLI too), logins right and wrong, calls from registered and unregistered callers,
a follow-up owed, a complaint, an outage linked and cleared (restoration callbacks), a
callback taken, its number revealed and its outcome recorded, a shift handed over,
customers imported, every export and list (services and CLI) — with Python logging
captured at DEBUG, once as shipped and once with SQLAlchemy's statement log on (what
``create_engine(echo=True)`` turns on: the ``sqlalchemy.engine`` logger at INFO).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agentdesk import clock
from agentdesk.cli.root import app as cli_app
from agentdesk.clock import FixedClock
from agentdesk.db import open_database
from agentdesk.models import AuditEvent, Customer, Department
from agentdesk.services import accounts, callbacks, calls, complaints, contact, handover, handover_export, outages
from agentdesk.services.errors import LoginFailed
from tests.conftest import T0, add_zhang_san
from tests.unit.test_importer import ZH_HEADERS, write_csv

runner = CliRunner()
POLICY = "generic"
PINS = {"8001": "802517", "1024": "739146", "2001": "468213"}
WRONG_PIN = "135790"
#: Every full number the flow handles: imported, typed for an unregistered caller, given for a follow-up.
PHONES = ("13800138000", "13900139000", "043188881234", "13912345678", "13712345678", "13612345678")
FULL_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
MASKED = re.compile(r"138\\?\*\\?\*\\?\*\\?\*8000")  # 138****8000, Markdown-escaped or not
ALL_TICKED = dict.fromkeys(calls.CHECKLIST_ITEMS, True)


def agentdesk(*args: str, pin: str | None = None, new_pin: str | None = None):  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": "en", "COLUMNS": "250"}
    if pin is not None:
        env["AGENTDESK_PIN"] = pin
    if new_pin is not None:
        env["AGENTDESK_NEW_PIN"] = new_pin
    result = runner.invoke(cli_app, list(args), env=env)
    assert result.exit_code == 0, (args, result.output)
    return result


def secrets_in(text: str) -> list[str]:
    found = [p for p in (*PINS.values(), WRONG_PIN) if p in text]
    found += [p for p in PHONES if p in text or p in re.sub(r"[\s\-]", "", text)]
    return found + FULL_MOBILE.findall(text)


def logged_text(records: list[logging.LogRecord]) -> str:
    parts = []
    for r in records:
        try:
            message = r.getMessage()
        except Exception:  # a record whose args do not fit its format: keep both
            message = str(r.msg)
        parts.append(f"{r.name} {message} {r.args!r} {r.exc_text or ''}")
    return "\n".join(parts)


# -- the flow ---------------------------------------------------------------------------------------


def full_flow(db, db_path: str, tmp_path: Path, fixed_clock) -> dict:  # type: ignore[no-untyped-def]
    """Everything that touches a PIN or a phone; returns what later checks need."""
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", PINS["8001"], team="甲班")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", PINS["1024"], team="甲班")
        s.add(Department(code="NET", name="网络维护部"))
        s.add(Department(code="CS", name="客服中心"))
    agentdesk("agent", "add", "2001", "--name", "陈静", "--team", "回访组", "--by", "8001", "--db", db_path,
              pin=PINS["8001"], new_pin=PINS["2001"])
    with pytest.raises(LoginFailed):
        accounts.login(db, "1024", WRONG_PIN)
    shift = accounts.login(db, "1024", PINS["1024"]).shift
    accounts.login(db, "8001", PINS["8001"])

    people = write_csv(tmp_path / "customers.csv", [
        ZH_HEADERS,
        ["220100000001", "张三", "138 0013 8000", "朝阳区红旗街道 1 栋", "朝阳区红旗街道", "城网", "普通"],
        ["220100000002", "李四", "0431-88881234；13900139000", "南关区 2 栋", "南关区", "城网", "VIP"],
    ])
    agentdesk("import", "customers", str(people), "--db", db_path)

    with db.write() as s:
        zs = s.execute(select(Customer.id).where(Customer.user_code == "220100000001")).scalar_one()
        net = s.execute(select(Department.id).where(Department.code == "NET")).scalar_one()
        cs = s.execute(select(Department.id).where(Department.code == "CS")).scalar_one()
        first = calls.start_call(s, actor=agent, shift_id=shift.id)
        caller = calls.identify_customer(s, first.id, zs, actor=agent)
        assert caller.phone == "13800138000"
        calls.consult_follow_up(s, first.id, question="退费什么时候到账", contact_phone="139-1234-5678",
                                policy=POLICY, actor=agent)
        calls.create_work_order(s, first.id, kind="repair", severity="general", description="宽带断网",
                                department_id=net, policy=POLICY, actor=agent)
        calls.close_call(s, first.id, summary="已派单", checklist=ALL_TICKED, actor=agent)
        second = calls.start_call(s, actor=agent, shift_id=shift.id)
        calls.register_unregistered(s, second.id, name="王五", address="朝阳区红旗街道 5 号", phone="+86 137 1234 5678",
                                    actor=agent)
        complaints.accept_complaint(s, second.id, name="王五", phone="13612345678", target="装机人员",
                                    content="迟到两小时", category="service", subcategory=None, fee_dispute=False,
                                    department_id=cs, policy=POLICY, actor=agent)
        outage = outages.declare(s, actor=lead, areas=["朝阳区"], services=["tv"], cause="光缆被挖断", eta=None,
                                 message="")
        outages.link_call(s, second.id, outage.id, actor=agent)
        calls.close_call(s, second.id, summary="", checklist=ALL_TICKED, actor=agent)
        outages.clear(s, outage.id, actor=lead)

    revealed = []
    taken = callbacks.take_next(db, actor=agent)
    assert taken is not None
    with db.write() as s:
        revealed.append(contact.reveal_callback_phone(s, taken.id, actor=agent))
        revealed.append(contact.reveal_callback_phone(s, taken.id, actor=lead))
        callbacks.record_outcome(s, taken.id, actor=agent, outcome="unreachable", note="无人接听", policy=POLICY)
    assert all(FULL_MOBILE.fullmatch(n) for n in revealed)

    fixed_clock.advance(hours=8)
    with db.write() as s:
        note = handover.confirm_handover(s, shift.id, actor=agent, notes="张三的工单请跟进")
        assert any(item.phone for item in note.items)
        notes = handover.find_notes(s)
        for fmt in handover.EXPORT_FORMATS:
            handover_export.export(notes, fmt, lang="zh_CN")
            handover.record_export(s, notes, fmt=fmt, actor=agent, destination=f"/tmp/x.{fmt}")
        handover_export.export(notes, "json", lang="en", unmasked=True)
        handover.record_export(s, notes, fmt="json", actor=lead, unmasked=True)

    outputs = {
        "export json": agentdesk("handover", "export", "--format", "json", "--out", "-", "--db", db_path).stdout,
        "export csv": agentdesk("handover", "export", "--format", "csv", "--out", "-", "--db", db_path).stdout,
        "export md": agentdesk("handover", "export", "--format", "md", "--out", "-", "--db", db_path).stdout,
        "workorders": agentdesk("workorders", "list", "--db", db_path).stdout,
        "workorders json": agentdesk("workorders", "list", "--json", "--db", db_path).stdout,
        "callbacks": agentdesk("callbacks", "list", "--db", db_path).stdout,
        "callbacks json": agentdesk("callbacks", "list", "--json", "--db", db_path).stdout,
        "pending": agentdesk("handover", "pending", "--lead", "8001", "--json", "--db", db_path,
                             pin=PINS["8001"]).stdout,
        "audit": agentdesk("audit", "list", "--json", "--db", db_path).stdout,
    }
    xlsx = tmp_path / "handover.xlsx"
    agentdesk("handover", "export", "--format", "xlsx", "--out", str(xlsx), "--db", db_path)
    book = openpyxl.load_workbook(xlsx)
    outputs["export xlsx"] = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row
                                      if c.value is not None)
    unmasked = agentdesk("handover", "export", "--format", "json", "--out", "-", "--unmasked", "--lead", "8001",
                         "--db", db_path, pin=PINS["8001"]).stdout
    return {"outputs": outputs, "unmasked": unmasked, "lead": lead, "agent": agent, "callback_id": taken.id}


@pytest.fixture
def db_path(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


@pytest.mark.parametrize("sql_log", [False, True], ids=["as-shipped", "sqlalchemy-echo"])
def test_no_pin_and_no_full_phone_in_any_log_record(sql_log: bool, db, db_path: str, tmp_path: Path,
                                                    fixed_clock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    if sql_log:  # statements and their parameters, as create_engine(echo=True) logs them
        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    flow = full_flow(db, db_path, tmp_path, fixed_clock)
    records = caplog.records
    if sql_log:  # the statement log was really on: the test saw the SQL go by
        assert any(r.name.startswith("sqlalchemy.engine") and "INSERT INTO calls" in r.getMessage() for r in records)
    assert secrets_in(logged_text(records)) == []
    assert "13800138000" in flow["unmasked"]  # the numbers were there to leak


@pytest.fixture(scope="module")
def flowed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The full flow run once (no log capture) for the checks of what it left behind."""
    from agentdesk.i18n import get_language, set_language

    before_clock, before_lang = clock.get_clock(), get_language()
    fixed = FixedClock(T0)
    clock.set_clock(fixed)
    tmp = tmp_path_factory.mktemp("flow")
    path = tmp / "desk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    try:
        flow = full_flow(db, str(path), tmp, fixed)
    finally:
        clock.set_clock(before_clock)
        set_language(before_lang)
    yield db, flow
    db.dispose()


def test_the_audit_log_holds_no_pin_and_no_full_phone(flowed) -> None:  # type: ignore[no-untyped-def]
    db, flow = flowed
    with db.read() as s:
        details = "\n".join(d or "" for d in s.execute(select(AuditEvent.detail)).scalars())
    assert details and secrets_in(details) == []
    assert secrets_in(flow["outputs"]["audit"]) == []


def test_phones_are_masked_in_lists_and_exports_by_default(flowed) -> None:  # type: ignore[no-untyped-def]
    _db, flow = flowed
    outputs = flow["outputs"]
    leaks = {name: secrets_in(text) for name, text in outputs.items() if secrets_in(text)}
    assert leaks == {}
    assert "138****8000" in outputs["workorders"] and MASKED.search(outputs["export md"])
    for row in json.loads(outputs["workorders json"]) + json.loads(outputs["callbacks json"]):
        assert set(row) >= {"phone_masked"} and not FULL_MOBILE.search(json.dumps(row))
    assert "****" in outputs["callbacks"]
    items = json.loads(outputs["export json"])
    assert "138****8000" in json.dumps(items, ensure_ascii=False)
    csv_rows = list(csv.reader(io.StringIO(outputs["export csv"].lstrip("\ufeff"))))
    assert any("138****8000" in cell for row in csv_rows for cell in row)
    # A lead's unmasked export is the one place the number shows in full.
    assert "13800138000" in flow["unmasked"]


def test_a_handover_item_never_prints_its_full_number(flowed) -> None:  # type: ignore[no-untyped-def]
    db, _flow = flowed
    with db.read() as s:
        [note] = handover.find_notes(s)
    item = next(i for i in note.items if i.phone)
    assert item.phone not in repr(item) and item.phone not in repr(note)  # a logged object leaks nothing
    assert item.phone_masked and item.phone_masked != item.phone


# -- every export and unmasked view writes an audit row ----------------------------------------------


def audit_rows(db, prefix: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                              .order_by(AuditEvent.id)).scalars())


@pytest.fixture
def handed_over(db, fixed_clock):  # type: ignore[no-untyped-def]
    """1024's shift handed over with 张三's order (full number in the note's body)."""
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", PINS["8001"], team="甲班")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", PINS["1024"], team="甲班")
        dept_id, customer_id = add_zhang_san(s, address="朝阳区 1 栋", area="朝阳区")
    shift = accounts.login(db, "1024", PINS["1024"]).shift
    with db.write() as s:
        call = calls.start_call(s, actor=agent, shift_id=shift.id)
        calls.identify_customer(s, call.id, customer_id, actor=agent)
        calls.consult_follow_up(s, call.id, question="退费什么时候到账", contact_phone="13800138000", policy=POLICY,
                                actor=agent)
        calls.create_work_order(s, call.id, kind="repair", severity="general", description="宽带断网",
                                department_id=dept_id, policy=POLICY, actor=agent)
        calls.close_call(s, call.id, summary="", checklist=ALL_TICKED, actor=agent)
    fixed_clock.advance(hours=8)
    with db.write() as s:
        note = handover.confirm_handover(s, shift.id, actor=agent, notes="张三明早回电")
    return lead, agent, note


def test_cli_exports_are_audited(db, db_path: str, tmp_path: Path, handed_over) -> None:
    lead, _agent, note = handed_over
    agentdesk("handover", "export", "--format", "md", "--out", "-", "--db", db_path)
    out = tmp_path / "note.csv"
    agentdesk("handover", "export", "--format", "csv", "--out", str(out), "--db", db_path)
    agentdesk("handover", "export", "--format", "json", "--out", "-", "--unmasked", "--lead", "8001", "--db", db_path,
              pin=PINS["8001"])
    rows = audit_rows(db, "handover.export")
    assert [r.action for r in rows] == ["handover.export", "handover.export", "handover.export",
                                        "handover.export_unmasked"]
    details = [json.loads(r.detail) for r in rows]
    assert [d["format"] for d in details] == ["md", "csv", "json", "json"]
    assert all(d["notes"] == [note.id] for d in details)
    assert [d["destination"] for d in details] == ["-", str(out.resolve()), "-", "-"]
    assert [d.get("unmasked") for d in details[:3]] == [False, False, True]
    assert [r.agent_id for r in rows] == [None, None, lead.id, lead.id]


def test_service_exports_are_audited(db, handed_over) -> None:
    lead, agent, note = handed_over
    with db.write() as s:
        notes = handover.find_notes(s)
        handover.record_export(s, notes, fmt="xlsx", actor=agent, destination="/home/li/h.xlsx")
        handover.record_export(s, notes, fmt="csv", actor=lead, unmasked=True, destination="/home/wang/h.csv")
    rows = audit_rows(db, "handover.export")
    assert [(r.action, r.agent_id) for r in rows] == [
        ("handover.export", agent.id), ("handover.export", lead.id), ("handover.export_unmasked", lead.id)]
    assert json.loads(rows[2].detail)["destination"] == "/home/wang/h.csv"


def test_every_revealed_callback_number_is_audited(db, handed_over) -> None:
    lead, agent, _note = handed_over
    with db.read() as s:
        queued = callbacks.queue(s).rows
    assert queued and queued[0].phone_masked == "138****8000"  # the queue shows it masked
    taken = callbacks.take_next(db, actor=agent)
    assert taken is not None and taken.phone_masked == "138****8000"
    with db.write() as s:
        assert contact.reveal_callback_phone(s, taken.id, actor=agent) == "13800138000"
    with db.write() as s:
        assert contact.reveal_callback_phone(s, taken.id, actor=agent) == "13800138000"
        assert contact.reveal_callback_phone(s, taken.id, actor=lead) == "13800138000"
    rows = audit_rows(db, "phone.unmask")
    assert [(r.agent_id, r.entity, r.entity_id) for r in rows] == [
        (agent.id, "callback", taken.id), (agent.id, "callback", taken.id), (lead.id, "callback", taken.id)]
