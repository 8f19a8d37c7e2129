"""Login by keys: wrong PIN message, lock-out, the desk, logout ending the shift."""

from __future__ import annotations

from sqlalchemy import select

from agentdesk.app import make_app
from agentdesk.models import Agent, Shift
from agentdesk.screens.desk import DeskScreen
from agentdesk.screens.login import LoginScreen
from tests.conftest import settings_for
from tests.workers import press, settle


def message(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#login-message").render())


async def test_wrong_pin_then_right_pin_opens_the_desk(db, db_url, lead_and_agent, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "zh_CN"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await press(pilot, *"1024", "enter", *"9999", "enter")
        assert message(app) == "工号或 PIN 码不正确。"
        assert app.screen.query_one("#pin").value == ""
        await press(pilot, *"1024", "enter")
        assert isinstance(app.screen, DeskScreen)
        assert app.screen.login.agent.number == "1024"
    with db.read() as session:
        shifts = session.execute(select(Shift)).scalars().all()
    assert len(shifts) == 1 and shifts[0].ended_at is None


async def test_five_wrong_tries_lock_in_english(db, db_url, lead_and_agent, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*"1024", "enter")
        for _ in range(5):
            await press(pilot, *"0000", "enter")
        assert message(app).startswith("Too many wrong tries")
        await press(pilot, *"1024", "enter")
        assert isinstance(app.screen, LoginScreen)
    with db.read() as session:
        agent = session.execute(select(Agent).where(Agent.number == "1024")).scalar_one()
        assert agent.locked_until is not None


async def test_empty_fields_are_explained(db, db_url, lead_and_agent, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "enter")
        assert message(app) == "Enter your agent number and PIN."


async def test_logout_ends_the_shift_and_returns_to_login(db, db_url, lead_and_agent, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, *"8001", "enter", *"8001", "enter")
        assert isinstance(app.screen, DeskScreen)
        fixed_clock.advance(hours=2)
        await press(pilot, "f10")
        await pilot.press("ctrl+s")  # confirm the handover note
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
    with db.read() as session:
        shift = session.execute(select(Shift)).scalar_one()
    assert shift.ended_at is not None and (shift.ended_at - shift.started_at).total_seconds() == 7200


async def test_empty_database_says_how_to_create_the_first_lead(db, db_url, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        hint = str(app.screen.query_one("#login-hint").render())
        assert "agentdesk agent add" in hint and "--role lead" in hint


async def test_command_palette_lists_screen_actions(db, db_url, lead_and_agent, fixed_clock) -> None:
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, *"1024", "enter", *"1024", "enter")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Log out" in titles and "Quit" in titles and "Keys" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Log out")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await pilot.press("ctrl+s")  # confirm the handover note
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)


async def test_the_key_panel_speaks_the_desks_language(desk) -> None:
    """F1 lists the focused field's own keys (Textual's Input) in Chinese, and the desk's."""
    from textual.widgets import KeyPanel

    from tests.pilot.conftest import login

    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await pilot.press("f2")  # the caller search: an Input has focus
        await settle(pilot)
        await press(pilot, "f1")
        assert app.screen.query(KeyPanel)
        text = app.export_screenshot()
        for words in ("光标左移", "删除左侧一个字", "全选"):
            assert words in text, words
        assert "Move cursor left" not in text
