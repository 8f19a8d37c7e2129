"""A Chinese desk shows in Chinese the history an English desk wrote, and the other way round."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from agentdesk.i18n import set_language, t
from agentdesk.services import workorders as wo
from agentdesk.services.accounts import get_agent
from tests.pilot.conftest import login, press, settle
from tests.pilot.test_queues import first_order, open_first_order


@pytest.mark.parametrize("writer, reader", [("en", "zh_CN"), ("zh_CN", "en")])
async def test_history_reads_in_the_readers_language(desk, demo_db, writer: str, reader: str) -> None:
    order = first_order(demo_db)
    set_language(writer)  # the writing desk: its process language, as a desk would have it
    with demo_db.write() as s:
        lead = get_agent(s, "8001")
        wo.escalate(s, order.id, actor=lead, reason="超时")
    app = desk(reader)
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await open_first_order(pilot)
        await settle(pilot)
        table = app.screen.query_one("#history", DataTable)
        cells = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        await press(pilot, "escape")
    escalated = next(c for c in cells if t("escalation.branch", lang=reader) in c)
    assert t("escalation.window", lang=reader) in escalated and "超时" in escalated
    assert t("escalation.branch", lang=writer) not in escalated and "from:" not in escalated
