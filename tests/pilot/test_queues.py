"""Work orders and callbacks by keys: status changes, delays (and their refusal), callback outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.models import Callback, DelayRequest, WorkOrder
from agentdesk.screens.callback_call import CallbackCallScreen
from agentdesk.screens.callback_queue import CallbackQueueScreen
from agentdesk.screens.work_order_detail import WorkOrderDetailScreen
from agentdesk.screens.work_orders import WorkOrdersScreen
from tests.pilot.conftest import login, press, settle, type_text


def first_order(db) -> WorkOrder:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(
            select(WorkOrder).where(WorkOrder.status.in_(("new", "dispatched", "in_progress")),
                                    WorkOrder.kind == "repair")
            .order_by(WorkOrder.resolve_by, WorkOrder.id)
        ).scalars().first()


async def open_first_order(pilot) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "f4")
    assert isinstance(pilot.app.screen, WorkOrdersScreen)
    pilot.app.screen.query_one("#filter-kind").value = "repair"  # repairs: a callback is always owed
    await settle(pilot)
    pilot.app.screen.query_one("#orders").focus()
    await pilot.pause()
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, WorkOrderDetailScreen)


async def request_delay(pilot, reason: str = "客户要求改约周末上门") -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "d")
    await type_text(pilot, reason)
    deadline = pilot.app.screen.query_one("#deadline")
    current = deadline.value
    deadline.value = ""
    deadline.focus()
    await type_text(pilot, "2027-01-10 18:00" if current else "")
    await press(pilot, "ctrl+s")


async def test_delay_requested_by_agent_approved_by_lead(desk, demo_db) -> None:
    order = first_order(demo_db)
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await open_first_order(pilot)
        assert app.screen.order_id == order.id
        await request_delay(pilot)
        # An agent is not offered the approval, and the service refuses it anyway.
        footer_keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "decide_delay(True)" not in footer_keys
        app.screen.act("decide", request_id=1, approve=True, note="")
        await settle(pilot)
    with demo_db.read() as session:
        delay = session.execute(select(DelayRequest)).scalar_one()
    assert delay.status == "pending" and delay.reason == "客户要求改约周末上门"

    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await open_first_order(pilot)
        await press(pilot, "a")
        await press(pilot, "ctrl+s")
    with demo_db.read() as session:
        delay = session.execute(select(DelayRequest)).scalar_one()
        updated = session.get(WorkOrder, order.id)
    assert delay.status == "approved" and updated.resolve_by == delay.proposed_deadline


async def test_delay_rejected_by_lead_needs_a_reason(desk, demo_db) -> None:
    order = first_order(demo_db)
    before = order.resolve_by
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await open_first_order(pilot)
        await request_delay(pilot, "parts on order")
        await press(pilot, "x")
        await press(pilot, "ctrl+s")
        assert "required" in str(app.screen.query_one("#reason-error").render())
        await type_text(pilot, "no parts needed")
        await press(pilot, "ctrl+s")
    with demo_db.read() as session:
        delay = session.execute(select(DelayRequest)).scalar_one()
        assert session.get(WorkOrder, order.id).resolve_by == before
    assert delay.status == "rejected"


async def resolve_first_order(pilot) -> None:  # type: ignore[no-untyped-def]
    """s → pick "resolved" from the choices → save (through in_progress when needed)."""
    for _ in range(3):
        status = pilot.app.screen.detail.row.status
        if status == "resolved" or status == "callback":
            return
        await press(pilot, "s")
        select_widget = pilot.app.screen.query_one("#new-status")
        choices = [value for _, value in select_widget._options if value != select_widget.NULL]
        select_widget.value = "resolved" if "resolved" in choices else choices[0]
        await press(pilot, "ctrl+s")


async def take_callback(pilot) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "f5")
    assert isinstance(pilot.app.screen, CallbackQueueScreen)
    await press(pilot, "t")
    assert isinstance(pilot.app.screen, CallbackCallScreen)


@pytest.fixture
def lone_order(demo_db) -> WorkOrder:  # type: ignore[no-untyped-def]
    """The first open repair, with the queue emptied: only its own callback will wait there."""
    order = first_order(demo_db)
    with demo_db.write() as session:
        for cb in session.execute(select(Callback)).scalars():
            session.delete(cb)
    return order


async def resolve_as_callback_agent(pilot) -> None:  # type: ignore[no-untyped-def]
    """2048 logs in, resolves the first repair (its callback is queued) and goes back to the desk."""
    await login(pilot, "2048", "2048")
    await open_first_order(pilot)
    await resolve_first_order(pilot)
    await press(pilot, "escape", "escape")


async def test_callback_satisfied_closes_the_order(desk, demo_db, fixed_clock, lone_order) -> None:
    order = lone_order
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await resolve_as_callback_agent(pilot)
        await take_callback(pilot)
        assert app.screen.row.order_number == order.number
        assert "2048号回访员" in str(app.screen.query_one("#script").query(".script-line")[0].render())
        await press(pilot, "f6")
        assert "****" not in str(app.screen.query_one("#callback-phone").render())
        await press(pilot, "ctrl+y")
        assert isinstance(app.screen, CallbackQueueScreen)
    with demo_db.read() as session:
        cb = session.execute(select(Callback).where(Callback.work_order_id == order.id)).scalar_one()
        assert (cb.status, cb.outcome, cb.satisfaction) == ("done", "satisfied", 5)
        assert session.get(WorkOrder, order.id).status == "closed"


async def test_callback_not_satisfied_reopens(desk, demo_db, lone_order) -> None:
    order = lone_order
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await resolve_as_callback_agent(pilot)
        await take_callback(pilot)
        await press(pilot, "ctrl+n")
        assert "Record why" in str(app.screen.query_one("#note-error").render())
        await type_text(pilot, "still no signal")
        await press(pilot, "ctrl+n")
    with demo_db.read() as session:
        cb = session.execute(select(Callback).where(Callback.work_order_id == order.id)).scalar_one()
        reopened = session.get(WorkOrder, order.id)
    assert cb.outcome == "unsatisfied" and reopened.status == "in_progress"


async def test_callback_unreachable_retries_then_closes(desk, demo_db, fixed_clock, lone_order) -> None:
    from tests.pilot.conftest import THROUGH_SERVER

    if THROUGH_SERVER:
        pytest.skip("moves the clock on by days: a server's session expires meanwhile (tests/server checks that)")
    order = lone_order
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await resolve_as_callback_agent(pilot)
        for attempt in range(3):
            await take_callback(pilot)
            await press(pilot, "ctrl+u")
            fixed_clock.advance(days=2)  # past the retry time
            with demo_db.read() as session:
                cb = session.execute(select(Callback).where(Callback.work_order_id == order.id)).scalar_one()
            assert cb.attempts == attempt + 1
            if attempt < 2:
                assert cb.status == "pending" and cb.due_at > fixed_clock.now() - timedelta(days=2)
            await press(pilot, "escape")
    with demo_db.read() as session:
        cb = session.execute(select(Callback).where(Callback.work_order_id == order.id)).scalar_one()
        closed = session.get(WorkOrder, order.id)
    assert cb.status == "unreachable" and closed.status == "closed"


async def test_stale_save_gets_a_conflict_dialog(desk, demo_db) -> None:
    from agentdesk.dialogs.conflict import ConflictScreen
    from agentdesk.services import accounts
    from agentdesk.services import workorders as wo

    order = first_order(demo_db)
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await open_first_order(pilot)
        status_seen = app.screen.detail.row.status
        await press(pilot, "s")
        # Another desk moves the order on while the status dialog is open (the detail screen
        # reloads itself on a change, but not under a dialog: the choice was made on what it showed).
        with demo_db.write() as session:
            other = accounts.get_agent(session, "1025")
            target = "in_progress" if status_seen != "in_progress" else "resolved"
            wo.change_status(session, order.id, target, actor=other, reason="", policy="generic")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictScreen)
        await press(pilot, "enter")
        assert app.screen.detail.row.status == target
    with demo_db.read() as session:
        assert session.get(WorkOrder, order.id).status == target
