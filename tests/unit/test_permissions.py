"""Every guarded action refused in the services, with nothing written (Issue 8, item 1).

One small call center is built once through the services themselves (agents, a call with
a work order, a pending delay request, a claimed callback, an outage, a confirmed handover
note) and copied for each test. Each case names a service call and who may **not** make
it: that actor gets ``PermissionDenied`` and the database is exactly as it was — checked
in the refused transaction itself (flushed, so a change made before the refusal would
show) and again after committing that transaction anyway, the way a careless front end
might. Each case is also made by the rightful actor, so a refusal can never come from a
world that does not fit (a closed call, a missing row).

``test_every_guarded_service_function_is_walked`` reads the services' source and fails
when a function that checks permissions (``require_lead``, ``PermissionDenied``, or one of
the guard helpers) has no case here.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from agentdesk import clock
from agentdesk.clock import FixedClock
from agentdesk.db import Database, open_database
from agentdesk.services import (
    account_admin,
    accounts,
    board,
    callbacks,
    calls,
    complaints,
    contact,
    handover,
    outages,
    sessions,
)
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.cti import popup as cti_popup
from agentdesk.services.cti import systems as cti_systems
from agentdesk.services.cti import taking as cti_taking
from agentdesk.services.errors import PermissionDenied
from tests.conftest import T0, add_zhang_san

POLICY = "generic"
PINS = {"8001": "802517", "1024": "739146", "1025": "615284"}
ALL_TICKED = {"reason": True, "department": True, "order": True, "callback": True}
SERVICES_DIR = Path(calls.__file__).parent


def service_modules() -> list[tuple[str, Path]]:
    """(name the services are called by, file) for every source file of agentdesk/services: a
    module inside a package (services/importer/read.py) goes by its package's name, which
    re-exports its public functions."""
    return [(path.relative_to(SERVICES_DIR).parts[0].removesuffix(".py"), path)
            for path in sorted(SERVICES_DIR.rglob("*.py"))]


@dataclass(frozen=True)
class World:
    lead: AgentInfo
    agent: AgentInfo  # 1024: took the call, owns the order, claimed the callback
    mate: AgentInfo  # 1025: another agent of the same team
    customer_id: int
    dept_id: int
    call_id: int  # 1024's call, still open
    order_id: int  # opened on that call, dispatched
    delay_id: int  # 1024's pending delay request on it
    callback_id: int  # the call's follow-up, claimed by 1024
    outage_id: int  # declared by the lead, active
    agent_shift: int  # 1024's shift, running
    mate_shift: int  # 1025's shift, handed over (a confirmed note)
    leg_id: int  # a call from the phone system ringing on 1024's extension
    db: Database | None = None
    nobody: None = None


def _build(path: Path) -> World:
    db = open_database(f"sqlite:///{path}")
    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", PINS["8001"], team="甲班")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", PINS["1024"], team="甲班")
        mate = accounts.create_agent(s, "1025", "张伟", "agent", PINS["1025"], team="甲班")
        dept_id, customer_id = add_zhang_san(s)
    agent_login = accounts.login(db, "1024", PINS["1024"])
    mate_login = accounts.login(db, "1025", PINS["1025"])
    with db.write() as s:
        call = calls.start_call(s, actor=agent, shift_id=agent_login.shift.id)
        calls.identify_customer(s, call.id, customer_id, actor=agent)
        follow = calls.consult_follow_up(s, call.id, question="退费什么时候到账", contact_phone="13912345678",
                                         policy=POLICY, actor=agent)
        order = calls.create_work_order(s, call.id, kind="repair", severity="general", description="宽带断网",
                                        department_id=dept_id, policy=POLICY, actor=agent)
    assert order.resolve_by is not None
    with db.write() as s:
        delay = wo.request_delay(s, order.id, actor=agent, reason="用户不在家",
                                 proposed_deadline=order.resolve_by + timedelta(days=1))
    claimed = callbacks.take_next(db, actor=agent)
    assert claimed is not None and claimed.id == follow.callback_id
    with db.write() as s:
        outage = outages.declare(s, actor=lead, areas=["朝阳区"], services=["tv"], cause="光缆被挖断", eta=None,
                                 message="请安抚用户")
        handover.confirm_handover(s, mate_login.shift.id, actor=mate, notes="夜班无事")
    with db.write() as s:
        from agentdesk.models import Agent
        from agentdesk.services.cti.events import parse_event, record_event

        s.get(Agent, agent.id).extension = "801"  # type: ignore[union-attr]
        cti_systems.issue_token(s, "pbx", actor=lead)
        system = s.execute(select(cti_systems.CtiSystem.id)).scalar_one()
        leg = record_event(s, system, parse_event({"event": "newCall", "callId": "c1", "from": "13800138000",
                                                   "extension": "801"}), T0)
    db.dispose()
    return World(lead, agent, mate, customer_id, dept_id, call.id, order.id, delay.id, follow.callback_id,
                 outage.id, agent_login.shift.id, mate_login.shift.id, leg.leg_id)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    before = clock.get_clock()
    clock.set_clock(FixedClock(T0))
    try:
        path = tmp_path_factory.mktemp("permissions") / "world.sqlite3"
        world = _build(path)
        copy = path.with_name("template.sqlite3")
        source = Database(f"sqlite:///{path}")
        source.backup(copy)
        source.dispose()
        return copy, world
    finally:
        clock.set_clock(before)


@pytest.fixture
def world(template: tuple[Path, World], tmp_path: Path):  # type: ignore[no-untyped-def]
    source, built = template
    path = tmp_path / "world.sqlite3"
    shutil.copyfile(source, path)
    db = open_database(f"sqlite:///{path}", migrate=False)
    yield replace(built, db=db)
    db.dispose()


def dump(session) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of every table, as seen by ``session`` (its own pending writes included)."""
    session.flush()
    return {name: sorted((tuple(row) for row in session.execute(select(table)).all()), key=repr)
            for name, table in SQLModel.metadata.tables.items()}


def snapshot(db: Database) -> dict[str, list[tuple]]:
    with db.read() as session:
        return dump(session)


# -- the cases: (service call, who may not, who may) --------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str  # module.function, as the meta test finds it
    call: Callable  # (session, world, actor) -> object
    refused: str  # World attribute: the actor who must be refused
    allowed: str  # World attribute: the actor who may
    note: str = ""


def _complaint(s, w, a):  # type: ignore[no-untyped-def]
    return complaints.accept_complaint(
        s, w.call_id, name="张三", phone="13800138000", target="上门人员", content="迟到两小时", category="service",
        subcategory=None, fee_dispute=False, department_id=w.dept_id, policy=POLICY, actor=a)


CASES = [
    # Lead only.
    Case("workorders.decide_delay", lambda s, w, a: wo.decide_delay(s, w.delay_id, actor=a, approve=True,
                                                                    note="同意", policy=POLICY), "agent", "lead"),
    Case("workorders.decide_delay", lambda s, w, a: wo.decide_delay(s, w.delay_id, actor=a, approve=False),
         "agent", "lead", "reject"),
    Case("workorders.urge", lambda s, w, a: wo.urge(s, w.order_id, actor=a, note="请尽快"), "agent", "lead"),
    Case("workorders.escalate", lambda s, w, a: wo.escalate(s, w.order_id, actor=a, reason="超时未处理"),
         "agent", "lead"),
    Case("outages.declare", lambda s, w, a: outages.declare(s, actor=a, areas=["南关区"], services=["broadband"],
                                                            cause="停电", eta=None, message=""), "agent", "lead"),
    Case("outages.update", lambda s, w, a: outages.update(s, w.outage_id, actor=a, cause="抢修中"), "agent", "lead"),
    Case("outages.clear", lambda s, w, a: outages.clear(s, w.outage_id, actor=a), "agent", "lead"),
    Case("board.board", lambda s, w, a: board.board(s, actor=a, now=T0, since=T0), "agent", "lead"),
    Case("handover.unacknowledged_overview", lambda s, w, a: handover.unacknowledged_overview(s, actor=a),
         "agent", "lead"),
    Case("handover.record_export", lambda s, w, a: handover.record_export(
        s, handover.find_notes(s), fmt="csv", actor=a, unmasked=True), "agent", "lead", "unmasked"),
    Case("handover.record_export", lambda s, w, a: handover.record_export(
        s, handover.find_notes(s), fmt="json", actor=a, unmasked=True), "nobody", "lead", "unmasked, no one named"),
    Case("account_admin.add_agent", lambda s, w, a: account_admin.add_agent(
        s, "3001", "新人", "agent", "300130", actor=a), "agent", "lead"),
    Case("account_admin.add_agent", lambda s, w, a: account_admin.add_agent(
        s, "3002", "新班长", "lead", "300230", actor=a), "mate", "lead", "a lead made by an agent"),
    Case("account_admin.add_agent", lambda s, w, a: account_admin.add_agent(
        s, "3003", "冒充", "lead", "300330", actor=a), "nobody", "lead", "no one named, once a lead exists"),
    Case("account_admin.update_agent", lambda s, w, a: account_admin.update_agent(s, "1024", role="lead", actor=a),
         "agent", "lead", "an agent making themself a lead"),
    Case("account_admin.update_agent", lambda s, w, a: account_admin.update_agent(s, "1024", active=False, actor=a),
         "mate", "lead"),
    Case("account_admin.list_accounts", lambda s, w, a: account_admin.list_accounts(s, actor=a), "agent", "lead"),
    Case("cti.issue_token", lambda s, w, a: cti_systems.issue_token(s, "pbx", actor=a), "agent", "lead"),
    Case("cti.call_popup", lambda s, w, a: cti_popup.call_popup(s, w.leg_id, actor=a, now=T0), "mate", "agent",
         "the agent the call rings for"),
    Case("cti.take_call", lambda s, w, a: cti_taking.take_call(s, w.leg_id, actor=a, shift_id=None, now=T0),
         "mate", "agent", "the agent the call rings for"),
    # One's own, or a lead.
    Case("sessions.force_logout", lambda s, w, a: sessions.force_logout(s, "1025", actor=a), "agent", "lead"),
    Case("accounts.end_shift", lambda s, w, a: accounts.end_shift(s, w.agent_shift, actor=a), "mate", "lead"),
    Case("account_admin.change_pin", lambda s, w, a: account_admin.change_pin(s, "1024", "246810", actor=a),
         "mate", "lead"),
    Case("account_admin.change_pin", lambda s, w, a: account_admin.change_pin(
        s, "8001", "246810", actor=a, old_pin=PINS["8001"]), "agent", "lead", "a lead's PIN, its own with the old one"),
    Case("calls.identify_customer", lambda s, w, a: calls.identify_customer(s, w.call_id, w.customer_id, actor=a),
         "mate", "agent"),
    Case("calls.register_unregistered", lambda s, w, a: calls.register_unregistered(
        s, w.call_id, name="王五", address="南关区曙光街道 5 号", phone="13912345678", actor=a), "mate", "agent"),
    Case("calls.set_request_type", lambda s, w, a: calls.set_request_type(s, w.call_id, "praise", actor=a),
         "mate", "agent"),
    Case("calls.consult_answered", lambda s, w, a: calls.consult_answered(
        s, w.call_id, article_id=None, question="怎么缴费", actor=a), "mate", "agent"),
    Case("calls.consult_follow_up", lambda s, w, a: calls.consult_follow_up(
        s, w.call_id, question="套餐怎么改", contact_phone="13912345678", policy=POLICY, actor=a), "mate", "agent"),
    Case("calls.create_work_order", lambda s, w, a: calls.create_work_order(
        s, w.call_id, kind="repair", severity="general", description="无信号", department_id=w.dept_id,
        policy=POLICY, actor=a), "mate", "agent"),
    Case("calls.record_materials_missing", lambda s, w, a: calls.record_materials_missing(
        s, w.call_id, business="install", missing=["身份证"], actor=a), "mate", "agent"),
    Case("calls.record_praise", lambda s, w, a: calls.record_praise(
        s, w.call_id, kind="praise", content="师傅很耐心", forward=True, actor=a), "mate", "agent"),
    Case("calls.close_call", lambda s, w, a: calls.close_call(s, w.call_id, summary="已处理", checklist=ALL_TICKED,
                                                            actor=a), "mate", "agent"),
    Case("calls.close_call", lambda s, w, a: calls.close_call(s, w.call_id, summary="班长代结", checklist=ALL_TICKED,
                                                            actor=a), "mate", "lead", "a lead may close it"),
    Case("complaints.accept_complaint", _complaint, "mate", "agent"),
    Case("complaints.refuse_complaint", lambda s, w, a: complaints.refuse_complaint(
        s, w.call_id, name="", phone="", actor=a), "mate", "agent"),
    Case("callbacks.record_outcome", lambda s, w, a: callbacks.record_outcome(
        s, w.callback_id, actor=a, outcome="satisfied", satisfaction=5, policy=POLICY), "mate", "agent"),
    Case("callbacks.record_outcome", lambda s, w, a: callbacks.record_outcome(
        s, w.callback_id, actor=a, outcome="unreachable", policy=POLICY), "mate", "lead", "a lead may"),
    Case("callbacks.release", lambda s, w, a: callbacks.release(s, w.callback_id, actor=a), "mate", "agent"),
    Case("contact.reveal_callback_phone", lambda s, w, a: contact.reveal_callback_phone(s, w.callback_id, actor=a),
         "mate", "agent"),
    Case("contact.reveal_callback_phone", lambda s, w, a: contact.reveal_callback_phone(s, w.callback_id, actor=a),
         "mate", "lead", "a lead may"),
    Case("handover.compile_handover", lambda s, w, a: handover.compile_handover(s, w.agent_shift, actor=a),
         "mate", "agent"),
    Case("handover.save_draft_notes", lambda s, w, a: handover.save_draft_notes(s, w.agent_shift, actor=a,
                                                                               notes="张三明早回电"), "mate", "agent"),
    Case("handover.confirm_handover", lambda s, w, a: handover.confirm_handover(
        s, w.agent_shift, actor=a, notes="交给你了", hand_over_open_calls=True), "mate", "agent"),
    Case("calls.resume_call", lambda s, w, a: calls.resume_call(s, w.call_id, actor=a), "mate", "agent"),
    Case("outages.link_call", lambda s, w, a: outages.link_call(s, w.call_id, w.outage_id, actor=a), "mate", "agent"),
]

def case_id(case: Case) -> str:
    return f"{case.name}[{case.note}]" if case.note else case.name


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_refused_and_nothing_written(case: Case, world: World) -> None:
    db = world.db
    assert db is not None
    actor = getattr(world, case.refused)
    before = snapshot(db)
    with db.write() as session:
        with pytest.raises(PermissionDenied) as refused:
            case.call(session, world, actor)
        assert refused.value.message(), "a refusal says why"
        # Refused before anything was written: not even a pending change in this transaction.
        assert dump(session) == before
        # And committed anyway (a front end that forgot to roll back): still nothing.
    assert snapshot(db) == before


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_rightful_actor_may(case: Case, world: World) -> None:
    db = world.db
    assert db is not None
    with db.write() as session:
        case.call(session, world, getattr(world, case.allowed))


# -- every guarded function has a case ----------------------------------------------------------

GUARDS = {"require_lead", "PermissionDenied", "_call", "_require_holder", "_require_own_or_lead", "_require"}


def guarded_functions() -> set[str]:
    """module.function for each public top-level function of agentdesk/services that calls a
    guard (require_lead, a guard helper) or raises PermissionDenied itself."""
    found = set()
    for module, path in service_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_") or node.name == "require_lead":
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    func = inner.func
                    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
                        else None
                    if name in GUARDS:
                        found.add(f"{module}.{node.name}")
                        break
    return found


def test_every_guarded_service_function_is_walked() -> None:
    guarded = guarded_functions()
    assert "workorders.decide_delay" in guarded and "contact.reveal_callback_phone" in guarded  # the scan works
    covered = {case.name for case in CASES}
    missing = sorted(guarded - covered)
    assert not missing, f"guarded service functions without a permission case here: {missing}"


def test_every_lead_only_function_is_refused_to_an_agent_here() -> None:
    """The lead-only functions (require_lead) each have a case refusing a plain agent."""
    lead_only = set()
    for module, path in service_modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and any(
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "require_lead"
                    for n in ast.walk(node)):
                lead_only.add(f"{module}.{node.name}")
    refused_to_agents = {c.name for c in CASES if c.refused in ("agent", "mate", "nobody") and c.allowed == "lead"}
    assert lead_only and not sorted(lead_only - refused_to_agents)
