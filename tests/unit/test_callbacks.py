"""The callback queue: paging, taking, outcomes, retries, periodic callbacks (no Textual)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from agentdesk.models import AuditEvent, Callback, Customer, CustomerPhone, WorkOrder
from agentdesk.services import accounts
from agentdesk.services import callbacks as cbs
from agentdesk.services import workorders as wo
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied
from agentdesk.services.messages import stored_text
from tests.conftest import T0
from tests.unit.test_workorders import POLICY, Desk, insert_order, make_desk


@pytest.fixture
def desk(db, lead_and_agent) -> Desk:  # type: ignore[no-untyped-def]
    return make_desk(db, lead_and_agent)


@pytest.fixture
def other(desk: Desk):  # type: ignore[no-untyped-def]
    with desk.db.write() as s:  # type: ignore[attr-defined]
        return accounts.create_agent(s, "1025", "张伟", "agent", "1025")


def add_callback(desk: Desk, *, due: datetime, kind: str = "after_repair", order_id: int | None = None,
                 status: str = "pending", attempts: int = 0, phone: str | None = "13800138000") -> int:
    with desk.db.write() as s:  # type: ignore[attr-defined]
        cb = Callback(kind=kind, customer_id=desk.customer_id, work_order_id=order_id, contact_name="张三",
                      contact_phone=phone, reason="维修完成回访", due_at=due, status=status, attempts=attempts,
                      created_at=T0)
        s.add(cb)
        s.flush()
        return cb.id  # type: ignore[return-value]


def resolved_order(desk: Desk, kind: str = "repair") -> tuple[int, int]:
    """A repair order resolved now, with the callback the policy owes for it."""
    with desk.db.write() as s:  # type: ignore[attr-defined]
        oid = insert_order(s, desk, kind=kind, status="in_progress")
        row = wo.change_status(s, oid, "resolved", actor=desk.agent, policy=POLICY)
        assert row.status == "callback"
        cb_id = s.execute(select(Callback.id).where(Callback.work_order_id == oid)).scalar_one()
    return oid, cb_id


def claim(desk: Desk, actor=None):  # type: ignore[no-untyped-def]
    return cbs.take_next(desk.db, actor=actor or desk.agent)  # type: ignore[arg-type]


def outcome(desk: Desk, cb_id: int, **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("actor", desk.agent)
    kwargs.setdefault("policy", POLICY)
    with desk.db.write() as s:  # type: ignore[attr-defined]
        return cbs.record_outcome(s, cb_id, **kwargs)


def order(desk: Desk, oid: int) -> WorkOrder:
    with desk.db.read() as s:  # type: ignore[attr-defined]
        found = s.get(WorkOrder, oid)
        assert found is not None
        return found


def callback(desk: Desk, cb_id: int) -> Callback:
    with desk.db.read() as s:  # type: ignore[attr-defined]
        found = s.get(Callback, cb_id)
        assert found is not None
        return found


# -- the queue ----------------------------------------------------------------------------------


def test_queue_pages_by_due_time(desk: Desk) -> None:
    ids = [add_callback(desk, due=T0 + timedelta(minutes=(i * 37) % 90)) for i in range(75)]
    add_callback(desk, due=T0, status="done")
    with desk.db.read() as s:
        seen, cursor = [], None
        while True:
            page = cbs.queue(s, page_size=20, cursor=cursor)
            seen += list(page.rows)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert [r.id for r in seen] == [c.id for c in sorted(
            (s.get(Callback, i) for i in ids), key=lambda c: (c.due_at, c.id))]
        due_soon = cbs.queue(s, due_before=T0 + timedelta(minutes=10), page_size=500).rows
        assert due_soon and all(r.due_at <= T0 + timedelta(minutes=10) for r in due_soon)
        assert len(cbs.queue(s, status=("pending", "done"), page_size=500).rows) == 76
        assert [r.status for r in cbs.queue(s, status="done").rows] == ["done"]
        with pytest.raises(InvalidInput) as err:
            cbs.queue(s, status="bogus")
        assert err.value.key == "callback.bad_status"
    row = seen[0]
    assert row.phone_masked == "138****8000" and row.customer_name == "张三" and row.claimed_by is None


def test_rows_fall_back_to_the_customer_record(desk: Desk) -> None:
    cb_id = add_callback(desk, due=T0, phone=None)
    with desk.db.write() as s:
        s.get(Callback, cb_id).contact_name = None  # type: ignore[union-attr]
    with desk.db.read() as s:
        row = cbs.get_callback(s, cb_id)
        with pytest.raises(NotFound):
            cbs.get_callback(s, 999)
    assert row.customer_name == "张三" and row.phone_masked == "138****8000"


# -- taking ---------------------------------------------------------------------------------------


def test_take_next_takes_the_earliest_and_never_a_claimed_one(desk: Desk, other) -> None:  # type: ignore[no-untyped-def]
    late = add_callback(desk, due=T0 + timedelta(hours=5))
    early = add_callback(desk, due=T0 - timedelta(hours=1))
    middle = add_callback(desk, due=T0 + timedelta(hours=1))
    add_callback(desk, due=T0 - timedelta(hours=9), status="done")
    first = claim(desk)
    assert first.id == early and first.status == "claimed" and first.claimed_by == "1024"
    second = claim(desk, other)
    assert second.id == middle and second.claimed_by == "1025"
    third = claim(desk)
    assert third.id == late
    assert claim(desk, other) is None
    with desk.db.read() as s:
        claimed = s.execute(select(Callback).where(Callback.status == "claimed")).scalars().all()
        audits = s.execute(select(AuditEvent.entity_id).where(AuditEvent.action == "callback.claim")).scalars().all()
    assert {c.id for c in claimed} == {early, middle, late}
    assert sorted(audits) == sorted([early, middle, late])


def test_a_retry_is_not_taken_before_its_time(desk: Desk, fixed_clock) -> None:
    retry = add_callback(desk, due=T0 + timedelta(hours=2), attempts=1)
    assert claim(desk) is None
    fixed_clock.advance(hours=2)
    assert claim(desk).id == retry


def test_release_gives_it_back(desk: Desk, other) -> None:  # type: ignore[no-untyped-def]
    cb_id = add_callback(desk, due=T0)
    claim(desk)
    with desk.db.write() as s, pytest.raises(PermissionDenied):
        cbs.release(s, cb_id, actor=other)
    with desk.db.write() as s:
        row = cbs.release(s, cb_id, actor=desk.agent)
    assert row.status == "pending" and row.claimed_by is None
    with desk.db.write() as s, pytest.raises(InvalidInput) as err:
        cbs.release(s, cb_id, actor=desk.agent)
    assert err.value.key == "callback.not_claimed"
    assert claim(desk, other).id == cb_id


# -- outcomes -----------------------------------------------------------------------------------


def test_only_the_claimer_or_a_lead_records(desk: Desk, other) -> None:  # type: ignore[no-untyped-def]
    oid, cb_id = resolved_order(desk)
    with pytest.raises(PermissionDenied):  # not claimed by anyone yet
        outcome(desk, cb_id, outcome="satisfied")
    claim(desk)
    with pytest.raises(PermissionDenied) as err:
        outcome(desk, cb_id, actor=other, outcome="satisfied")
    assert err.value.key == "callback.not_yours"
    result = outcome(desk, cb_id, actor=desk.lead, outcome="satisfied", satisfaction=4)
    assert result["status"] == "done"
    with pytest.raises(InvalidInput) as err2:
        outcome(desk, cb_id, actor=desk.lead, outcome="satisfied")
    assert err2.value.key == "callback.not_open"


def test_satisfied_closes_the_order(desk: Desk, fixed_clock) -> None:
    oid, cb_id = resolved_order(desk)
    claim(desk)
    fixed_clock.advance(hours=1)
    with pytest.raises(InvalidInput) as err:
        outcome(desk, cb_id, outcome="satisfied", satisfaction=6)
    assert err.value.key == "callback.bad_satisfaction"
    with pytest.raises(InvalidInput) as err:
        outcome(desk, cb_id, outcome="maybe")
    assert err.value.key == "callback.bad_outcome"
    result = outcome(desk, cb_id, outcome="satisfied", satisfaction=5, note="师傅很专业")
    assert result == {"callback_id": cb_id, "outcome": "satisfied", "status": "done", "attempts": 0,
                      "next_due": None, "order_number": order(desk, oid).number, "order_status": "closed",
                      "reopened": False, "new_order_number": None}
    cb = callback(desk, cb_id)
    assert cb.satisfaction == 5 and cb.outcome == "satisfied" and cb.done_at == T0 + timedelta(hours=1)
    assert order(desk, oid).status == "closed" and order(desk, oid).closed_at == T0 + timedelta(hours=1)
    with desk.db.read() as s:
        history = wo.get_order(s, oid).events
    closing = [e for e in history if e.data.get("to") == "closed"]
    assert closing and closing[0].data["callback_id"] == cb_id and closing[0].data["reason"] == "师傅很专业"


def test_unsatisfied_reopens_the_order(desk: Desk, fixed_clock) -> None:
    oid, cb_id = resolved_order(desk)
    claim(desk)
    fixed_clock.advance(hours=3)
    result = outcome(desk, cb_id, outcome="unsatisfied", satisfaction=2, note="还是经常掉线")
    assert result["reopened"] is True and result["order_status"] == "in_progress"
    assert result["new_order_number"] is None
    reopened = order(desk, oid)
    assert reopened.status == "in_progress"
    assert reopened.resolve_by == T0 + timedelta(hours=3 + 24)  # the clock restarted at the reopen
    assert callback(desk, cb_id).status == "done" and callback(desk, cb_id).outcome == "unsatisfied"
    # Solved again: a new callback is owed.
    with desk.db.write() as s:
        assert wo.change_status(s, oid, "resolved", actor=desk.agent, policy=POLICY).status == "callback"
        assert len(s.execute(select(Callback).where(Callback.work_order_id == oid)).all()) == 2


def test_unsatisfied_without_reopen_opens_a_new_order(desk: Desk) -> None:
    oid, cb_id = resolved_order(desk)
    claim(desk)
    result = outcome(desk, cb_id, outcome="unsatisfied", note="要求更换设备", reopen=False)
    assert result["reopened"] is False and result["new_order_number"]
    assert result["order_status"] == "closed"
    with desk.db.read() as s:
        new = s.execute(select(WorkOrder).where(WorkOrder.number == result["new_order_number"])).scalar_one()
        old_history = wo.get_order(s, oid).events
        new_history = wo.get_order(s, new.id).events
    assert new.kind == "repair" and new.customer_id == desk.customer_id and new.department_id == desk.dept_id
    assert new.status == "dispatched" and new.resolve_by == T0 + timedelta(hours=24)
    assert "要求更换设备" in new.description
    assert new_history[0].kind == "created" and new_history[0].data["from_order"] == order(desk, oid).number
    assert old_history[-1].data.get("follow_up") == new.number


def test_unsatisfied_without_an_order_opens_a_complaint(desk: Desk) -> None:
    cb_id = add_callback(desk, due=T0, kind="periodic")
    claim(desk)
    result = outcome(desk, cb_id, outcome="unsatisfied", note="对资费不满意")
    assert result["order_number"] is None and result["new_order_number"]
    with desk.db.read() as s:
        new = s.execute(select(WorkOrder).where(WorkOrder.number == result["new_order_number"])).scalar_one()
    assert new.kind == "complaint" and new.status == "new" and new.department_id is None
    assert new.reply_by == T0 + timedelta(hours=24)


def test_unreachable_retry_schedule_then_closed(desk: Desk, fixed_clock) -> None:
    oid, cb_id = resolved_order(desk)
    claim(desk)
    first = outcome(desk, cb_id, outcome="unreachable")
    assert first["status"] == "pending" and first["attempts"] == 1
    assert first["next_due"] == T0 + timedelta(hours=2)
    assert callback(desk, cb_id).claimed_by_id is None
    assert claim(desk) is None  # not before its time
    fixed_clock.advance(hours=2)
    assert claim(desk).id == cb_id
    second = outcome(desk, cb_id, outcome="unreachable", note="关机")
    assert second["attempts"] == 2
    assert second["next_due"] == datetime(2026, 11, 24, 10, 0)  # the next working day, 10:00
    fixed_clock.current = datetime(2026, 11, 24, 10, 0)
    assert claim(desk).id == cb_id
    third = outcome(desk, cb_id, outcome="unreachable")
    assert third["status"] == "unreachable" and third["attempts"] == 3 and third["next_due"] is None
    assert third["order_status"] == "closed"
    cb = callback(desk, cb_id)
    assert cb.outcome == "unreachable" and cb.done_at == datetime(2026, 11, 24, 10, 0)
    closed = order(desk, oid)
    assert closed.status == "closed"
    with desk.db.read() as s:
        reason = wo.get_order(s, oid).events[-1].detail  # the close note, read in this desk's language
    assert "3" in reason


def test_next_attempt_times() -> None:
    friday = datetime(2026, 11, 27, 15, 0)
    assert cbs.next_attempt_at(1, friday, POLICY) == friday + timedelta(hours=2)
    assert cbs.next_attempt_at(2, friday, POLICY) == datetime(2026, 11, 30, 10, 0)  # over the weekend
    assert cbs.next_attempt_at(3, friday, POLICY) == friday + timedelta(days=1)
    assert cbs.MAX_ATTEMPTS == 3


# -- periodic -----------------------------------------------------------------------------------


@pytest.fixture
def zh():  # type: ignore[no-untyped-def]
    """Stored texts (callback reasons) are written in the desk's language: Chinese here."""
    from agentdesk.i18n import get_language, set_language

    before = get_language()
    set_language("zh_CN")
    yield
    set_language(before)


def test_generate_periodic_is_idempotent_per_month(desk: Desk, zh) -> None:  # type: ignore[no-untyped-def]
    with desk.db.write() as s:
        for n, tier in enumerate(("big", "private", "regular", "vip")):
            c = Customer(user_code=f"3301{n:08d}", name=f"客户{n}", area_class="city", tier=tier, created_at=T0)
            s.add(c)
            s.flush()
            s.add(CustomerPhone(customer_id=c.id, phone=f"1350000000{n}"))
    with desk.db.write() as s:
        created = cbs.generate_periodic(s, policy=POLICY, now=T0)
    assert created == 4  # 李四 (VIP) + 客户0 (big) + 客户1 (private) + 客户3 (VIP)
    with desk.db.write() as s:
        assert cbs.generate_periodic(s, policy=POLICY, now=T0 + timedelta(days=3)) == 0
    with desk.db.read() as s:
        made = s.execute(select(Callback).order_by(Callback.id)).scalars().all()
    assert {c.kind for c in made} == {"periodic"} and {c.sample_draw for c in made} == {"periodic 2026-11"}
    assert all(c.due_at == datetime(2026, 11, 30, 17, 30) for c in made)  # the month's last working day
    vip = next(c for c in made if c.customer_id == desk.vip_id)
    assert vip.contact_phone == "13900139000" and "电话" in stored_text(vip.reason_message, vip.reason)
    big = next(c for c in made if c.contact_name == "客户0")
    assert "上门" in stored_text(big.reason_message, big.reason)
    with desk.db.write() as s:
        assert cbs.generate_periodic(s, policy=POLICY, now=datetime(2026, 12, 1, 9, 0)) == 4
