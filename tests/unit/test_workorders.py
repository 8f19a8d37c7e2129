"""Work orders after the call: life cycle, deadlines, delays, lead actions, queues (no Textual)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from agentdesk.models import AuditEvent, Callback, Customer, CustomerPhone, Department, WorkOrder, WorkOrderEvent
from agentdesk.services import callbacks
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.deadlines import work_order_deadlines
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from tests.conftest import T0

POLICY = "generic"


@dataclass
class Desk:
    db: object
    lead: AgentInfo
    agent: AgentInfo
    dept_id: int
    dept2_id: int
    customer_id: int
    vip_id: int


def make_desk(db, lead_and_agent) -> Desk:  # type: ignore[no-untyped-def]
    lead, agent = lead_and_agent
    with db.write() as s:
        net = Department(code="NET", name="网络维护部")
        cs = Department(code="CS", name="客服中心")
        s.add(net)
        s.add(cs)
        zs = Customer(user_code="220100000001", name="张三", address="朝阳区 1 栋", area_name="朝阳区",
                      area_class="city", tier="regular", created_at=T0 - timedelta(days=400))
        vip = Customer(user_code="220100000002", name="李四", address="南关区 2 栋", area_name="南关区",
                       area_class="city", tier="vip", created_at=T0 - timedelta(days=400))
        s.add(zs)
        s.add(vip)
        s.flush()
        s.add(CustomerPhone(customer_id=zs.id, phone="13800138000"))
        s.add(CustomerPhone(customer_id=vip.id, phone="13900139000"))
        return Desk(db, lead, agent, net.id, cs.id, zs.id, vip.id)  # type: ignore[arg-type]


@pytest.fixture
def desk(db, lead_and_agent) -> Desk:  # type: ignore[no-untyped-def]
    return make_desk(db, lead_and_agent)


_counter = iter(range(1, 10**9))


def insert_order(
    session,  # type: ignore[no-untyped-def]
    desk: Desk,
    *,
    kind: str = "repair",
    severity: str = "general",
    status: str = "dispatched",
    created: datetime | None = None,
    customer_id: int | None = None,
    department_id: int | None = None,
    owner_id: int | None = None,
    tier: str = "regular",
    resolve_by: datetime | None | str = "policy",
) -> int:
    """A work order as calls.create_work_order leaves it (deadlines from the policy)."""
    created = created or T0
    clocks = work_order_deadlines(POLICY, kind, severity, "city", tier, created)
    if resolve_by != "policy":
        clocks["resolve_by"] = resolve_by  # type: ignore[assignment]
        clocks["warn_at"] = created + (resolve_by - created) * 0.75 if resolve_by else None  # type: ignore[operator]
    order = WorkOrder(
        number=f"T{next(_counter):08d}", customer_id=desk.customer_id if customer_id is None else customer_id,
        kind=kind, severity=severity, area_class="city", tier=tier,
        department_id=desk.dept_id if department_id is None else department_id,
        owner_agent_id=desk.agent.id if owner_id is None else owner_id, status=status, description="宽带频繁掉线",
        created_at=created, dispatched_at=created if status != "new" else None,
        resolved_at=created if status in wo.DONE_STATUSES else None,
        closed_at=created if status == "closed" else None, **clocks,
    )
    session.add(order)
    session.flush()
    session.add(WorkOrderEvent(work_order_id=order.id, at=created, kind="created", agent_id=order.owner_agent_id))
    return order.id  # type: ignore[return-value]


def new_order(desk: Desk, **kwargs) -> int:  # type: ignore[no-untyped-def]
    with desk.db.write() as s:  # type: ignore[attr-defined]
        return insert_order(s, desk, **kwargs)


def load(desk: Desk, order_id: int) -> WorkOrder:
    with desk.db.read() as s:  # type: ignore[attr-defined]
        order = s.get(WorkOrder, order_id)
        assert order is not None
        return order


def change(desk: Desk, order_id: int, to: str, **kwargs) -> wo.OrderRow:  # type: ignore[no-untyped-def]
    kwargs.setdefault("actor", desk.agent)
    kwargs.setdefault("policy", POLICY)
    with desk.db.write() as s:  # type: ignore[attr-defined]
        return wo.change_status(s, order_id, to, **kwargs)


# -- transitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), sorted(wo.TRANSITIONS))
def test_allowed_transitions(desk: Desk, old: str, new: str) -> None:
    # "restore" has no callback rule in the generic policy, so "resolved" stays resolved.
    oid = new_order(desk, kind="restore", status=old)
    row = change(desk, oid, new, reason="客户来电说明情况")
    assert row.status == new
    order = load(desk, oid)
    assert order.version == 2
    if new == "resolved":
        assert order.resolved_at == T0 and row.badge == "done"
    if new == "closed":
        assert order.closed_at == T0
    if new == "dispatched":
        assert order.dispatched_at == T0
    if new == "in_progress" and old in wo.DONE_STATUSES:
        assert order.resolved_at is None and order.closed_at is None
    with desk.db.read() as s:  # type: ignore[attr-defined]
        kinds = [e.kind for e in s.execute(select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == oid)).scalars()]
        actions = [a.action for a in s.execute(select(AuditEvent).where(AuditEvent.entity_id == oid,
                                                                        AuditEvent.entity == "work_order")).scalars()]
    assert kinds[-1] in ("status", "reopen")
    assert actions[-1] in ("workorder.status", "workorder.reopen")


REFUSED = sorted({(a, b) for a in wo.STATUSES for b in wo.STATUSES} - wo.TRANSITIONS)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_transitions(desk: Desk, old: str, new: str) -> None:
    oid = new_order(desk, kind="restore", status=old)
    with pytest.raises(InvalidInput) as err:
        change(desk, oid, new, reason="x")
    assert err.value.key == "workorder.bad_transition"
    assert err.value.params == {"from_": old, "to": new}
    assert load(desk, oid).status == old and load(desk, oid).version == 1


def test_bad_transition_message_names_the_statuses(desk: Desk) -> None:
    oid = new_order(desk, status="closed")
    with pytest.raises(InvalidInput) as err:
        change(desk, oid, "dispatched")
    assert err.value.message("zh_CN") == "工单不能从“已关闭”改为“已派单”。"
    assert "closed" in err.value.message("en") and "dispatched" in err.value.message("en")


def test_unknown_status_and_order(desk: Desk) -> None:
    oid = new_order(desk)
    with pytest.raises(InvalidInput) as err:
        change(desk, oid, "done")
    assert err.value.key == "workorder.bad_status"
    with pytest.raises(NotFound):
        change(desk, 999_999, "in_progress")


def test_reopen_needs_a_reason(desk: Desk) -> None:
    oid = new_order(desk, kind="restore", status="resolved")
    with pytest.raises(InvalidInput) as err:
        change(desk, oid, "in_progress", reason="   ")
    assert err.value.key == "field.required" and err.value.field == "reason"


def test_version_conflict(desk: Desk) -> None:
    oid = new_order(desk, status="dispatched")
    with desk.db.read() as s:  # type: ignore[attr-defined]
        version = wo.get_order(s, oid).version
    change(desk, oid, "in_progress", expected_version=version)
    with pytest.raises(wo.Conflict) as err:
        change(desk, oid, "resolved", expected_version=version)  # someone else moved it meanwhile
    assert isinstance(err.value, ServiceError)
    assert err.value.key == "workorder.conflict"
    assert "T" in err.value.message("en")
    assert load(desk, oid).status == "in_progress"
    change(desk, oid, "resolved", expected_version=version + 1)


def test_closing_refused_while_a_callback_is_owed(desk: Desk) -> None:
    oid = new_order(desk, kind="repair", status="in_progress")
    assert change(desk, oid, "resolved").status == "callback"
    with pytest.raises(InvalidInput) as err:
        change(desk, oid, "closed")
    assert err.value.key == "workorder.callback_owed"


# -- deadlines: pause, resume, delay -----------------------------------------------------------


def test_pause_and_resume_move_the_deadlines(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, kind="repair")  # resolve_by T0+24h, contact_by T0+1h, warn_at T0+18h
    before = load(desk, oid)
    assert before.resolve_by == T0 + timedelta(hours=24)
    fixed_clock.advance(hours=1)
    with desk.db.write() as s:
        row = wo.pause(s, oid, actor=desk.agent, reason="客户不在家")
    assert row.badge == "paused"
    paused = load(desk, oid)
    assert paused.resolve_by == before.resolve_by  # the clock stopped; nothing moved yet
    fixed_clock.advance(hours=3)
    with desk.db.read() as s:
        assert wo.order_row(s, oid).badge == "paused"
        assert wo.is_paused(s, oid)
    with desk.db.write() as s:
        row = wo.resume(s, oid, actor=desk.agent)
    after = load(desk, oid)
    assert after.resolve_by == before.resolve_by + timedelta(hours=3)
    assert after.contact_by == before.contact_by + timedelta(hours=3)  # type: ignore[operator]
    assert after.warn_at == before.warn_at + timedelta(hours=3)  # type: ignore[operator]
    assert row.badge == "on_time" and row.resolve_by == after.resolve_by
    assert after.version == 3
    # A full rebuild from the policy and the history gives the same stored columns.
    with desk.db.write() as s:
        order = s.get(WorkOrder, oid)
        rebuilt = wo.recompute_deadlines(s, order, POLICY)
    assert rebuilt["resolve_by"] == after.resolve_by and rebuilt["warn_at"] == after.warn_at
    assert rebuilt["contact_by"] == after.contact_by


def test_pause_rules(desk: Desk) -> None:
    oid = new_order(desk)
    with desk.db.write() as s:
        with pytest.raises(InvalidInput) as err:
            wo.pause(s, oid, actor=desk.agent, reason="")
        assert err.value.key == "field.required"
        with pytest.raises(InvalidInput) as err:
            wo.resume(s, oid, actor=desk.agent)
        assert err.value.key == "workorder.not_paused"
        wo.pause(s, oid, actor=desk.agent, reason="联系不上客户")
        with pytest.raises(InvalidInput) as err:
            wo.pause(s, oid, actor=desk.agent, reason="again")
        assert err.value.key == "workorder.already_paused"
    closed = new_order(desk, status="closed")
    with desk.db.write() as s, pytest.raises(InvalidInput) as err:
        wo.pause(s, closed, actor=desk.agent, reason="x")
    assert err.value.key == "workorder.not_open"


def test_paused_orders_are_neither_overdue_nor_warning(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, kind="repair")
    fixed_clock.advance(hours=23)
    with desk.db.read() as s:
        assert [r.id for r in wo.list_orders(s, warning=True).rows] == [oid]
    with desk.db.write() as s:
        wo.pause(s, oid, actor=desk.agent, reason="客户不在家")
    fixed_clock.advance(hours=5)  # past the original deadline
    with desk.db.read() as s:
        assert wo.list_orders(s, overdue=True).rows == ()
        assert wo.list_orders(s, warning=True).rows == ()
        assert [r.badge for r in wo.list_orders(s).rows] == ["paused"]
    with desk.db.write() as s:
        wo.resume(s, oid, actor=desk.agent)
    with desk.db.read() as s:
        assert wo.list_orders(s, overdue=True).rows == ()
        assert [r.id for r in wo.list_orders(s, warning=True).rows] == [oid]  # 1 h left, as when paused
    assert load(desk, oid).resolve_by == T0 + timedelta(hours=29)


def test_another_orders_resume_does_not_resume_this_one(desk: Desk, fixed_clock) -> None:
    paused = new_order(desk, kind="repair")
    other = new_order(desk, kind="repair")
    fixed_clock.advance(hours=1)
    with desk.db.write() as s:
        wo.pause(s, paused, actor=desk.agent, reason="客户不在家")
        wo.pause(s, other, actor=desk.agent, reason="客户不在家")
    fixed_clock.advance(hours=1)
    with desk.db.write() as s:
        wo.resume(s, other, actor=desk.agent)
    fixed_clock.advance(days=3)
    with desk.db.read() as s:
        assert [r.id for r in wo.list_orders(s, overdue=True).rows] == [other]
        assert {r.id: r.badge for r in wo.list_orders(s).rows} == {paused: "paused", other: "overdue"}


def test_resolving_a_paused_order_resumes_its_clock(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, kind="restore", status="in_progress")
    with desk.db.write() as s:
        wo.pause(s, oid, actor=desk.agent, reason="客户不在家")
    fixed_clock.advance(hours=2)
    row = change(desk, oid, "resolved")
    assert row.status == "resolved" and row.badge == "done"
    with desk.db.read() as s:
        kinds = [e.kind for e in wo.get_order(s, oid).events if e.source == "event"]
    assert kinds == ["created", "pause", "resume", "status"]


def test_delay_request_rules(desk: Desk) -> None:
    oid = new_order(desk)
    deadline = load(desk, oid).resolve_by
    assert deadline is not None
    with desk.db.write() as s:
        with pytest.raises(InvalidInput) as err:
            wo.request_delay(s, oid, actor=desk.agent, reason="需要更换光缆", proposed_deadline=deadline)
        assert err.value.key == "delay.not_later"
        with pytest.raises(InvalidInput) as err:
            wo.request_delay(s, oid, actor=desk.agent, reason=" ", proposed_deadline=deadline + timedelta(hours=1))
        assert err.value.key == "field.required"
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="需要更换光缆",
                                proposed_deadline=deadline + timedelta(days=1))
    assert info.status == "pending" and info.requested_by == "1024" and info.decided_by is None
    with desk.db.write() as s, pytest.raises(InvalidInput) as err:
        wo.request_delay(s, oid, actor=desk.agent, reason="再延", proposed_deadline=deadline + timedelta(days=2))
    assert err.value.key == "delay.pending_exists"
    with desk.db.read() as s:
        assert [d.id for d in wo.pending_delays(s)] == [info.id]
        assert wo.get_order(s, oid).delays[0].reason == "需要更换光缆"


def test_delay_decision_is_lead_only(desk: Desk) -> None:
    oid = new_order(desk)
    deadline = load(desk, oid).resolve_by
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="缺料", proposed_deadline=deadline + timedelta(days=1))
    for actor in (desk.agent, None):
        with desk.db.write() as s, pytest.raises(PermissionDenied):
            wo.decide_delay(s, info.id, actor=actor, approve=True)  # type: ignore[arg-type]
    with desk.db.write() as s, pytest.raises(PermissionDenied):
        wo.decide_delay(s, 999_999, actor=desk.agent, approve=True)  # refused before the lookup
    assert load(desk, oid).resolve_by == deadline


def test_approved_delay_moves_the_deadline(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk)
    deadline = load(desk, oid).resolve_by
    assert deadline is not None
    proposed = deadline + timedelta(days=2)
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="缺料", proposed_deadline=proposed)
    fixed_clock.advance(hours=2)
    with desk.db.write() as s:
        decided = wo.decide_delay(s, info.id, actor=desk.lead, approve=True, note="同意")
    assert decided.status == "approved" and decided.decided_by == "8001"
    order = load(desk, oid)
    assert order.resolve_by == proposed
    assert order.warn_at == T0 + (proposed - T0) * 0.75
    assert order.version == 2
    with desk.db.read() as s:
        assert wo.pending_delays(s) == []
        events = wo.get_order(s, oid).events
    extend = next(e for e in events if e.kind == "extend")
    assert extend.agent_number == "8001" and extend.data["new_deadline"] == proposed.isoformat()
    with desk.db.write() as s:
        rebuilt = wo.recompute_deadlines(s, s.get(WorkOrder, oid), POLICY)
    assert rebuilt["resolve_by"] == proposed and rebuilt["warn_at"] == order.warn_at
    with desk.db.write() as s, pytest.raises(InvalidInput) as err:
        wo.decide_delay(s, info.id, actor=desk.lead, approve=False)
    assert err.value.key == "delay.already_decided"


def test_rejected_delay_leaves_the_deadline(desk: Desk) -> None:
    oid = new_order(desk)
    deadline = load(desk, oid).resolve_by
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="缺料", proposed_deadline=deadline + timedelta(days=1))
    with desk.db.write() as s:
        decided = wo.decide_delay(s, info.id, actor=desk.lead, approve=False, note="请按时处理")
    assert decided.status == "rejected"
    assert load(desk, oid).resolve_by == deadline and load(desk, oid).version == 1
    with desk.db.read() as s:
        assert any(e.kind == "delay_rejected" for e in wo.get_order(s, oid).events)


def test_approved_delay_never_makes_the_deadline_earlier(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk)
    deadline = load(desk, oid).resolve_by
    assert deadline is not None
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="缺料",
                                proposed_deadline=deadline + timedelta(hours=1))
    with desk.db.write() as s:
        wo.pause(s, oid, actor=desk.agent, reason="客户不在家")
    fixed_clock.advance(hours=3)
    with desk.db.write() as s:
        wo.resume(s, oid, actor=desk.agent)
    pushed = load(desk, oid).resolve_by
    assert pushed == deadline + timedelta(hours=3)
    with desk.db.write() as s:
        wo.decide_delay(s, info.id, actor=desk.lead, approve=True)
    assert load(desk, oid).resolve_by == pushed  # the approval cannot pull it back to +1 h
    with desk.db.write() as s:
        assert wo.recompute_deadlines(s, s.get(WorkOrder, oid), POLICY)["resolve_by"] == pushed


@pytest.mark.parametrize("policy", [None, POLICY], ids=["incremental", "rebuilt"])
def test_delay_approved_during_a_pause_then_resume(desk: Desk, fixed_clock, policy: str | None) -> None:
    """Incremental updates (no policy given) and the full rebuild (policy given, as the desk
    does) agree on a tangled history."""
    oid = new_order(desk, kind="complaint")
    deadline = load(desk, oid).resolve_by
    assert deadline is not None
    fixed_clock.advance(hours=1)
    with desk.db.write() as s:
        wo.pause(s, oid, actor=desk.agent, reason="客户出差", policy=policy)
    fixed_clock.advance(hours=2)
    with desk.db.write() as s:
        info = wo.request_delay(s, oid, actor=desk.agent, reason="等待客户回来",
                                proposed_deadline=deadline + timedelta(days=1))
        wo.decide_delay(s, info.id, actor=desk.lead, approve=True, policy=policy)
    fixed_clock.advance(hours=4)
    with desk.db.write() as s:
        wo.resume(s, oid, actor=desk.agent, policy=policy)
    incremental = load(desk, oid)
    # The pause before the approval is absorbed by it; the 4 h after it still count.
    assert incremental.resolve_by == deadline + timedelta(days=1, hours=4)
    # reply_by is not delayed by an approval but is paused the whole 6 h.
    assert incremental.reply_by == T0 + timedelta(hours=24 + 6)
    with desk.db.write() as s:
        rebuilt = wo.recompute_deadlines(s, s.get(WorkOrder, oid), POLICY)
    for col in ("resolve_by", "reply_by", "warn_at", "respond_by", "contact_by"):
        assert rebuilt[col] == getattr(incremental, col), col


@pytest.mark.parametrize("policy", [None, POLICY], ids=["incremental", "rebuilt"])
def test_deadlines_never_earlier_over_random_histories(desk: Desk, fixed_clock, policy: str | None) -> None:
    rng = random.Random(7)
    for _ in range(5):
        oid = new_order(desk, kind="repair", created=fixed_clock.now())
        last = load(desk, oid).resolve_by
        for _ in range(8):
            fixed_clock.advance(minutes=rng.randrange(10, 300))
            with desk.db.write() as s:
                action = rng.choice(["pause", "resume", "delay"])
                try:
                    if action == "pause":
                        wo.pause(s, oid, actor=desk.agent, reason="联系不上", policy=policy)
                    elif action == "resume":
                        wo.resume(s, oid, actor=desk.agent, policy=policy)
                    else:
                        info = wo.request_delay(s, oid, actor=desk.agent, reason="缺料",
                                                proposed_deadline=last + timedelta(hours=rng.randrange(1, 30)))
                        wo.decide_delay(s, info.id, actor=desk.lead, approve=rng.random() < 0.7,
                                        policy=policy)
                except InvalidInput:
                    pass
            now_deadline = load(desk, oid).resolve_by
            assert now_deadline >= last
            last = now_deadline
        with desk.db.write() as s:
            order = s.get(WorkOrder, oid)
            stored = (order.resolve_by, order.warn_at, order.contact_by)
            rebuilt = wo.recompute_deadlines(s, order, POLICY)
        assert (rebuilt["resolve_by"], rebuilt["warn_at"], rebuilt["contact_by"]) == stored


def test_reopen_recomputes_deadlines_from_now(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, kind="repair", status="in_progress")
    fixed_clock.advance(hours=2)
    assert change(desk, oid, "resolved").status == "callback"
    fixed_clock.advance(hours=3)
    row = change(desk, oid, "in_progress", reason="客户反映仍然掉线")
    order = load(desk, oid)
    reopened_at = T0 + timedelta(hours=5)
    assert row.status == "in_progress" and order.resolved_at is None and order.callback_by is None
    assert order.resolve_by == reopened_at + timedelta(hours=24)
    assert order.contact_by == reopened_at + timedelta(hours=1)
    with desk.db.read() as s:
        statuses = s.execute(select(Callback.status).where(Callback.work_order_id == oid)).scalars().all()
    assert statuses == ["cancelled"]  # the owed callback goes; the next resolve owes a new one


# -- lead actions -------------------------------------------------------------------------------


def test_urge_is_lead_only(desk: Desk) -> None:
    oid = new_order(desk)
    with desk.db.write() as s, pytest.raises(PermissionDenied):
        wo.urge(s, oid, actor=desk.agent, note="请尽快处理")
    with desk.db.write() as s:
        assert wo.urge(s, oid, actor=desk.lead, note="请今天内处理") is None
    with desk.db.read() as s:
        detail = wo.get_order(s, oid)
    urge = [e for e in detail.events if e.kind == "urge"]
    assert len(urge) == 1 and urge[0].agent_number == "8001" and urge[0].agent_name == "王红梅"
    assert urge[0].data["note"] == "请今天内处理" and "请今天内处理" in urge[0].detail
    assert not any(e.kind == "workorder.urge" for e in detail.events)  # its audit row is not shown twice


def test_escalate_is_lead_only_and_stops_at_national(desk: Desk) -> None:
    oid = new_order(desk)
    with desk.db.write() as s, pytest.raises(PermissionDenied):
        wo.escalate(s, oid, actor=desk.agent, reason="客户投诉多次")
    with desk.db.write() as s, pytest.raises(InvalidInput):
        wo.escalate(s, oid, actor=desk.lead, reason="")
    levels = []
    for _ in range(3):
        with desk.db.write() as s:
            levels.append(wo.escalate(s, oid, actor=desk.lead, reason="超时未处理"))
    assert levels == ["branch", "province", "national"]
    with desk.db.write() as s, pytest.raises(InvalidInput) as err:
        wo.escalate(s, oid, actor=desk.lead, reason="超时未处理")
    assert err.value.key == "workorder.escalation_max"
    with desk.db.read() as s:
        assert wo.order_row(s, oid).escalation_level == "national"
    assert wo.ESCALATION_LEVELS == ("window", "branch", "province", "national")


# -- history ------------------------------------------------------------------------------------


def test_history_has_who_and_when_oldest_first(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, status="dispatched")
    fixed_clock.advance(minutes=10)
    change(desk, oid, "in_progress")
    fixed_clock.advance(minutes=10)
    with desk.db.write() as s:
        wo.urge(s, oid, actor=desk.lead, note="请尽快")
        # an audit row with no WorkOrderEvent twin is part of the history too
        from agentdesk.services import audit

        audit.record(s, "workorder.print", actor_id=desk.agent.id, entity="work_order", entity_id=oid)
    with desk.db.read() as s:
        detail = wo.get_order(s, oid)
    assert [e.kind for e in detail.events] == ["created", "status", "urge", "workorder.print"]
    assert [e.at for e in detail.events] == sorted(e.at for e in detail.events)
    assert detail.events[1].agent_number == "1024" and detail.events[1].data == {
        "from": "dispatched", "to": "in_progress", "reason": ""}
    assert detail.events[3].source == "audit"
    assert detail.row.phone_masked == "138****8000" and detail.row.customer_name == "张三"
    assert detail.deadlines["resolve_by"] == T0 + timedelta(hours=24) and detail.version == 2


# -- callbacks on resolution --------------------------------------------------------------------


def test_resolving_a_repair_always_creates_a_callback(desk: Desk, fixed_clock) -> None:
    oid = new_order(desk, kind="repair", status="in_progress")
    fixed_clock.advance(hours=5)
    row = change(desk, oid, "resolved")
    assert row.status == "callback" and row.badge == "done"
    with desk.db.read() as s:
        cb = s.execute(select(Callback).where(Callback.work_order_id == oid)).scalar_one()
        order = s.get(WorkOrder, oid)
        audit_detail = json.loads(s.execute(select(AuditEvent.detail).where(
            AuditEvent.action == "workorder.status", AuditEvent.entity_id == oid)).scalars().all()[-1])
    done = T0 + timedelta(hours=5)
    assert cb.kind == "after_repair" and cb.status == "pending" and cb.customer_id == desk.customer_id
    assert cb.due_at == done + timedelta(hours=72)  # generic: within 72 h of completion
    assert cb.contact_phone == "13800138000" and cb.contact_name == "张三"
    assert order.resolved_at == done and order.callback_by == cb.due_at
    assert "宽带频繁掉线" in cb.reason and cb.sample_draw is None
    assert audit_detail["callback_id"] == cb.id and audit_detail["callback_rule"] == "always"


def test_resolving_without_a_rule_creates_no_callback(desk: Desk) -> None:
    oid = new_order(desk, kind="restore", status="in_progress")
    assert change(desk, oid, "resolved").status == "resolved"
    with desk.db.read() as s:
        assert s.execute(select(Callback).where(Callback.work_order_id == oid)).first() is None
    assert change(desk, oid, "closed").status == "closed"


def test_sampled_callbacks_are_reproducible(desk: Desk) -> None:
    ids = [new_order(desk, kind="business", status="in_progress") for _ in range(40)]
    expected = {oid for oid in ids if random.Random(f"{oid}:{POLICY}").random() < 0.10}
    assert expected and len(expected) < len(ids)  # both outcomes occur in this set
    rows = {oid: change(desk, oid, "resolved") for oid in ids}
    with desk.db.read() as s:
        made = {cb.work_order_id: cb for cb in s.execute(select(Callback)).scalars()}
        audits = {a.entity_id: json.loads(a.detail) for a in s.execute(
            select(AuditEvent).where(AuditEvent.action == "workorder.status")).scalars()}
    assert set(made) == expected
    for oid in ids:
        draw = random.Random(f"{oid}:{POLICY}").random()
        if oid in expected:
            assert rows[oid].status == "callback"
            assert made[oid].sample_draw == f"sampled {draw:.4f} < 0.10"
            assert made[oid].kind == "after_business"
            assert made[oid].due_at.weekday() == 4  # the weekly Friday sample
        else:
            assert rows[oid].status == "resolved"
            assert audits[oid]["sample_draw"] == f"not sampled {draw:.4f} >= 0.10"
    assert callbacks.sample_draw(ids[0], POLICY) == random.Random(f"{ids[0]}:{POLICY}").random()


def test_callback_requested_by_hand(desk: Desk) -> None:
    oid = new_order(desk, kind="restore", status="resolved")
    assert change(desk, oid, "callback").status == "callback"
    with desk.db.read() as s:
        cb = s.execute(select(Callback).where(Callback.work_order_id == oid)).scalar_one()
    assert cb.kind == "after_restore" and cb.due_at == T0 + timedelta(hours=24)


# -- queues -------------------------------------------------------------------------------------


@pytest.fixture
def big_set(desk: Desk) -> tuple[Desk, list[int]]:
    """120 open orders: equal deadlines (ties broken by id), no deadline (last), three
    statuses, two departments and owners, plus closed ones that never show by default."""
    rng = random.Random(5)
    with desk.db.write() as s:
        ids = []
        for i in range(120):
            created = T0 - timedelta(hours=rng.randrange(0, 72))
            deadline = None if i % 17 == 0 else created + timedelta(hours=rng.randrange(1, 120))
            ids.append(insert_order(
                s, desk, status=("new", "dispatched", "in_progress")[i % 3], created=created,
                kind=("repair", "install")[i % 2], resolve_by=deadline,
                department_id=desk.dept_id if i % 4 else desk.dept2_id,
                owner_id=desk.agent.id if i % 5 else desk.lead.id,
            ))
        for _ in range(15):
            insert_order(s, desk, status="closed", resolve_by=T0 - timedelta(days=30))
    return desk, ids


def _all_pages(session, page_size: int = 50, **kwargs) -> list[list[wo.OrderRow]]:  # type: ignore[no-untyped-def]
    pages, cursor = [], None
    while True:
        page = wo.list_orders(session, page_size=page_size, cursor=cursor, **kwargs)
        pages.append(list(page.rows))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) <= 200  # no endless loop


def test_list_orders_pages_without_gaps_or_duplicates(big_set) -> None:
    desk, ids = big_set
    with desk.db.read() as s:
        pages = _all_pages(s)
        orders = s.execute(select(WorkOrder).where(WorkOrder.status.in_(wo.OPEN_STATUSES))).scalars().all()
    assert [len(p) for p in pages] == [50, 50, 20]
    got = [r.id for p in pages for r in p]
    assert len(got) == len(set(got)) == 120 and set(got) == set(ids)
    expected = [o.id for o in sorted(orders, key=lambda o: (o.resolve_by is None, o.resolve_by or T0, o.id))]
    assert got == expected
    deadlines = [r.resolve_by for p in pages for r in p]
    assert deadlines[-1] is None and deadlines[0] is not None


@pytest.mark.parametrize("page_size", [1, 7, 13, 119, 120, 121])
def test_list_orders_any_page_size(big_set, page_size: int) -> None:
    desk, ids = big_set
    with desk.db.read() as s:
        got = [r.id for p in _all_pages(s, page_size=page_size) for r in p]
    assert len(got) == 120 and set(got) == set(ids)


def test_list_orders_filters(big_set) -> None:
    desk, _ = big_set
    with desk.db.read() as s:
        by_dept = [r for p in _all_pages(s, department_id=desk.dept2_id) for r in p]
        assert by_dept and {r.department for r in by_dept} == {"客服中心"} and len(by_dept) == 30
        by_kind = [r for p in _all_pages(s, kind="install") for r in p]
        assert len(by_kind) == 60 and {r.kind for r in by_kind} == {"install"}
        by_owner = [r for p in _all_pages(s, owner_id=desk.lead.id) for r in p]
        assert len(by_owner) == 24 and {r.owner_number for r in by_owner} == {"8001"}
        new = [r for p in _all_pages(s, status="new") for r in p]
        assert len(new) == 40 and {r.status for r in new} == {"new"}
        closed = wo.list_orders(s, status="closed").rows
        assert len(closed) == 15 and {r.badge for r in closed} == {"done"}
        both = [r for p in _all_pages(s, status=("new", "closed"), page_size=9) for r in p]
        assert len(both) == 55
        with pytest.raises(InvalidInput):
            wo.list_orders(s, status="bogus")


def test_overdue_and_warning_lists(big_set, fixed_clock) -> None:
    desk, _ = big_set
    now = fixed_clock.now()
    with desk.db.read() as s:
        every = [r for p in _all_pages(s) for r in p]
        overdue = [r for p in _all_pages(s, overdue=True, page_size=11) for r in p]
        warning = [r for p in _all_pages(s, warning=True, page_size=11) for r in p]
        orders = {o.id: o for o in s.execute(select(WorkOrder)).scalars()}
        warn_short, late_short = wo.warning_and_overdue(s, limit=5)
    assert {r.id for r in overdue} == {o.id for o in orders.values()
                                       if o.status in wo.OPEN_STATUSES and o.resolve_by and o.resolve_by < now}
    assert {r.id for r in warning} == {o.id for o in orders.values() if o.status in wo.OPEN_STATUSES
                                       and o.resolve_by and o.warn_at and o.warn_at <= now <= o.resolve_by}
    assert overdue and warning
    assert {r.badge for r in overdue} == {"overdue"} and {r.badge for r in warning} == {"warning"}
    badges = {r.id: r.badge for r in every}
    assert {i for i, b in badges.items() if b == "overdue"} == {r.id for r in overdue}
    assert {i for i, b in badges.items() if b == "warning"} == {r.id for r in warning}
    assert [r.id for r in late_short] == [r.id for r in overdue[:5]]
    assert [r.id for r in warn_short] == [r.id for r in warning[:5]]
    fixed_clock.advance(days=10)
    with desk.db.read() as s:
        assert len([r for p in _all_pages(s, overdue=True) for r in p]) == 120 - 8  # all but the undated


def test_rows_use_the_callers_details_when_unregistered(desk: Desk) -> None:
    from agentdesk.services import calls

    with desk.db.write() as s:
        call = calls.start_call(s, actor=desk.agent, shift_id=None)
        calls.register_unregistered(s, call.id, name="王五", address="绿园区 3 栋", phone="13712345678",
                                    actor=desk.agent)
        info = calls.create_work_order(s, call.id, kind="repair", severity="general", description="无信号",
                                       department_id=desk.dept_id, policy=POLICY, actor=desk.agent)
    with desk.db.read() as s:
        row = wo.order_row(s, info.id)
    assert row.customer_name == "王五" and row.phone_masked == "137****5678" and row.department == "网络维护部"
    change(desk, info.id, "resolved")
    with desk.db.read() as s:
        cb = s.execute(select(Callback).where(Callback.work_order_id == info.id)).scalar_one()
    assert cb.contact_phone == "13712345678" and cb.customer_id is None
