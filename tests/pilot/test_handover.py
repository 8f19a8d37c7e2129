"""Shift handover by keys: logout → review → confirm → the next agent's login → acknowledge."""

from __future__ import annotations

from sqlalchemy import select

from agentdesk.dialogs.handover_ack import HandoverAckScreen
from agentdesk.models import HandoverAck, HandoverNote, Shift
from agentdesk.screens.desk import DeskScreen
from agentdesk.screens.handover_review import HandoverReviewScreen
from agentdesk.screens.login import LoginScreen
from tests.pilot.conftest import login, press, settle, take_call_for, type_text


async def test_logout_handover_then_next_agent_acknowledges(desk, demo_db) -> None:
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "1024", "1024")
        shift_id = app.screen.login.shift.id
        # A call left open (as after a crash: the desk itself never leaves a call open):
        # the handover insists on it.
        await take_call_for(pilot, "13800138000")
        app.pop_screen()
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await press(pilot, "f10")
        review = app.screen
        assert isinstance(review, HandoverReviewScreen)
        assert review.draft.open_call_ids and review.draft.items
        await type_text(pilot, "张三的工单请跟进")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, HandoverReviewScreen)  # refused: an open call
        assert app.screen.query_one("#form-error").has_class("-shown")
        assert "1" in str(app.screen.query_one("#handover-open-calls").render())
        app.screen.query_one("#hand-over-open").value = True
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, LoginScreen)

        await login(pilot, "1025", "1025")
        ack = app.screen
        assert isinstance(ack, HandoverAckScreen)
        assert "张三的工单请跟进" in " ".join(str(w.render()) for w in ack.query(".handover-note"))
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, DeskScreen)

    with demo_db.read() as session:
        note = session.execute(select(HandoverNote).where(HandoverNote.shift_id == shift_id)).scalar_one()
        ack_row = session.execute(select(HandoverAck).where(HandoverAck.note_id == note.id)).scalar_one()
        shift = session.get(Shift, shift_id)
    assert note.notes == "张三的工单请跟进" and note.confirmed_at is not None and shift.ended_at is not None
    assert ack_row.agent_id != note.agent_id and ack_row.acked_at is not None
