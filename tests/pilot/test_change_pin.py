"""An agent changes their own PIN at the desk (F9): the current one first, the new one twice."""

from __future__ import annotations

import pytest

from agentdesk.dialogs.change_pin import ChangePinScreen
from agentdesk.screens.desk import DeskScreen
from agentdesk.services import accounts
from agentdesk.services.errors import LoginFailed
from tests.pilot.conftest import login
from tests.workers import press, settle


def error(app, field: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#{field}-error").render())


async def test_own_pin_changed_at_the_desk(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "1024", "1024")
        assert isinstance(app.screen, DeskScreen)
        await press(pilot, "f9")
        assert isinstance(app.screen, ChangePinScreen)
        # Two new PINs that differ: said under the second, nothing sent.
        await press(pilot, *"1024", "enter", *"246810", "enter", *"246811", "ctrl+s")
        assert error(app, "again") == "The two PINs differ."
        # A wrong current PIN: said under it, and the field emptied for another try.
        for field in ("old", "again"):
            app.screen.query_one(f"#{field}").value = ""
        await press(pilot, "shift+tab", "shift+tab")
        await press(pilot, *"9999")
        await press(pilot, "tab", "tab", *"246810", "ctrl+s")
        await settle(pilot)
        assert error(app, "old") == "The current PIN is wrong. Nothing was changed."
        assert app.screen.query_one("#old").value == ""
        await press(pilot, "shift+tab", "shift+tab", *"1024", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    assert accounts.login(demo_db, "1024", "246810").agent.number == "1024"
    with pytest.raises(LoginFailed):
        accounts.login(demo_db, "1024", "1024")


async def test_typed_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "1024", "1024")
        await pilot.press("f9", *"1024", "enter", *"135790", "enter", *"135790", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
    assert accounts.login(demo_db, "1024", "135790").agent.number == "1024"
