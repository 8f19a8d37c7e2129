"""Team lead screens: outage broadcast across two desks, the board, and refusal for agents."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from agentdesk.dialogs.outage_form import OutageFormScreen
from agentdesk.models import Callback, Outage, OutageCall
from agentdesk.screens.desk import DeskScreen
from agentdesk.screens.lead_board import LeadBoardScreen
from agentdesk.screens.outages import OutagesScreen
from tests.pilot.conftest import login, press, settle, take_call_for, type_text


async def wait_for(predicate, timeout: float, pilot) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        await pilot.pause(0.1)
    raise AssertionError("condition not met in time")


async def test_outage_declared_on_one_desk_shows_on_another(desk, demo_db) -> None:
    lead_app, agent_app = desk("zh_CN"), desk("zh_CN")
    async with lead_app.run_test(size=(120, 36)) as lead, agent_app.run_test(size=(120, 36)) as agent:
        await login(lead, "8001", "8001")
        await login(agent, "1024", "1024")
        banner = agent_app.screen.query_one("OutageBanner")
        assert not banner.has_class("-active")

        await lead.press("f8")
        await settle(lead)
        assert isinstance(lead_app.screen, LeadBoardScreen)
        await lead.press("f9")
        await settle(lead)
        assert isinstance(lead_app.screen, OutagesScreen)
        await lead.press("n")
        await settle(lead)
        assert isinstance(lead_app.screen, OutageFormScreen)
        await type_text(lead, "朝阳区红旗街道")
        await lead.press("tab", "space", "tab", "space")  # cable TV and broadband
        await lead.press("tab", "tab")
        await type_text(lead, "光缆被挖断")
        await lead.press("tab")
        await type_text(lead, "2026-11-23 12:00")
        await lead.press("tab")
        await type_text(lead, "请安抚用户")
        await lead.press("ctrl+s")
        await settle(lead)

        # The other desk's banner, within two seconds, through the shared file only.
        elapsed = await wait_for(lambda: banner.has_class("-active"), 2.0, agent)
        assert elapsed < 2.0
        text = str(banner.render())
        assert "朝阳区红旗街道" in text and "12:00" in text

        await take_call_for(agent, "13800138000")
        assert "光缆被挖断" in str(agent_app.screen.query_one("OutageAlert").render())
        await agent.press("o")
        await settle(agent)
        await agent.press("ctrl+s")
        await settle(agent)
        assert isinstance(agent_app.screen, DeskScreen)

        await lead.pause(0.5)
        await lead.press("c")
        await settle(lead)
        await lead.press("ctrl+s")
        await settle(lead)
        await wait_for(lambda: not banner.has_class("-active"), 2.0, agent)

    with demo_db.read() as session:
        outage = session.execute(select(Outage)).scalar_one()
        link = session.execute(select(OutageCall)).scalar_one()
        restoration = session.execute(select(Callback).where(Callback.kind == "restoration")).scalars().all()
    assert outage.status == "cleared"
    assert len(restoration) == 1 and restoration[0].outage_id == outage.id and restoration[0].call_id == link.call_id


async def test_agents_are_not_offered_the_lead_board(desk, demo_db) -> None:
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "lead_board" not in keys
        await press(pilot, "f8")
        assert isinstance(app.screen, DeskScreen)
        # Even pushed by hand, the board's data is refused by the services.
        app.push_screen(LeadBoardScreen(app.screen.login))
        await settle(pilot)
        await asyncio.sleep(0)
        assert app.screen.data is None


async def test_lead_board_urges_the_overdue_order(desk, demo_db, fixed_clock) -> None:
    from agentdesk.models import WorkOrderEvent

    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await press(pilot, "f8")
        board = app.screen
        assert board.data is not None and board.data.overdue
        first = board.data.overdue[0]
        await press(pilot, "u")
    with demo_db.read() as session:
        urged = session.execute(select(WorkOrderEvent).where(WorkOrderEvent.kind == "urge")).scalar_one()
    assert urged.work_order_id == first.id
