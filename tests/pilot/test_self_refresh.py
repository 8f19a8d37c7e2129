"""Screens read their data again when another desk changes it: no stale status, no `r` needed.

On one PC the desk polls the change events; on a server (AGENTDESK_TEST_THROUGH_SERVER=1)
they are pushed. Either way the change shows without a key press."""

from __future__ import annotations

from agentdesk.services import accounts
from agentdesk.services import workorders as wo
from tests.pilot.conftest import login
from tests.pilot.test_queues import first_order, open_first_order
from tests.workers import until


async def test_an_open_order_shows_another_desks_change_by_itself(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    order = first_order(demo_db)
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await open_first_order(pilot)
        assert app.screen.order_id == order.id
        seen = app.screen.detail.row.status
        target = "in_progress" if seen != "in_progress" else "resolved"
        with demo_db.write() as session:
            wo.change_status(session, order.id, target, actor=accounts.get_agent(session, "1025"), reason="",
                             policy="generic")
        assert await until(pilot, lambda: app.screen.detail.row.status == target)


async def test_the_order_list_shows_a_new_status_by_itself(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    order = first_order(demo_db)
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await open_first_order(pilot)
        await pilot.press("escape")
        await pilot.pause()
        table = app.screen.query_one("#orders")
        with demo_db.write() as session:
            wo.change_status(session, order.id, "in_progress" if order.status != "in_progress" else "resolved",
                             actor=accounts.get_agent(session, "1025"), reason="", policy="generic")
            wanted = "in progress" if order.status != "in_progress" else "resolved"

        def shows_it() -> bool:
            return any(wanted in str(cell) for cell in table.get_row(str(order.id))) if str(order.id) in \
                {k.value for k in table.rows} else False

        assert await until(pilot, shows_it)


async def test_the_desk_watches_the_topics_of_the_screens_on_show(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")

    def watching() -> frozenset[str] | None:
        return getattr(app._desk, "_watching", None)

    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        assert await until(pilot, lambda: watching() == frozenset())  # the desk alone: outages only
        await open_first_order(pilot)  # the list, and an order over it
        assert await until(pilot, lambda: watching() == frozenset({"order"}))
        await pilot.press("escape", "escape")
        assert await until(pilot, lambda: watching() == frozenset())
        await pilot.press("f5")  # the callback queue
        assert await until(pilot, lambda: watching() == frozenset({"callback"}))
