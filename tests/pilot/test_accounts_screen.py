"""A lead manages accounts at the desk (F6): a new agent, a change, a PIN reset; an agent has no such key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agentdesk.dialogs.account_form import AccountFormScreen
from agentdesk.models import Agent
from agentdesk.screens.accounts import AccountsScreen
from agentdesk.screens.desk import DeskScreen
from agentdesk.services import accounts
from agentdesk.services.errors import LoginFailed
from tests.pilot.conftest import login, type_text
from tests.workers import press, settle, until


def account(db, number: str) -> Agent | None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(Agent).where(Agent.number == number)).scalar_one_or_none()



async def test_a_lead_adds_changes_and_resets(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "8001", "8001")
        await press(pilot, "f6")
        assert isinstance(app.screen, AccountsScreen)
        await settle(pilot)
        assert app.screen.query_one("#accounts").row_count >= 3
        # n: a new agent, typed in one go; the role stays 坐席.
        await press(pilot, "n")
        assert isinstance(app.screen, AccountFormScreen)
        await press(pilot, *"3001", "tab")
        await type_text(pilot, "欧阳·𠮷")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "乙班")
        await press(pilot, "tab", *"300130", "tab", *"300130", "ctrl+s")
        await settle(pilot)
        assert await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
        made = account(demo_db, "3001")
        assert made is not None and (made.name, made.role, made.team) == ("欧阳·𠮷", "agent", "乙班")
        # A number already taken: said under the number, the form kept.
        await press(pilot, "n", *"1024", "tab", *"重名", "tab", "tab", "tab", *"300130", "tab", *"300130", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountFormScreen)
        assert "1024" in str(app.screen.query_one("#number-error").render())
        await press(pilot, "escape")
        # e on 3001: disabled.
        table = app.screen.query_one("#accounts")
        assert await until(pilot, lambda: "3001" in [r.value for r in table.rows])
        table.move_cursor(row=table.get_row_index("3001"))
        await press(pilot, "e")
        assert isinstance(app.screen, AccountFormScreen)
        app.screen.query_one("#active").focus()
        await press(pilot, "space", "ctrl+s")
        await settle(pilot)
        assert await until(pilot, lambda: not account(demo_db, "3001").active)  # type: ignore[union-attr]
        # p on 1024: a new PIN twice.
        assert isinstance(app.screen, AccountsScreen)
        table.move_cursor(row=table.get_row_index("1024"))
        await press(pilot, "p", *"864200", "tab", *"864200", "ctrl+s")
        await settle(pilot)
        assert await until(pilot, lambda: isinstance(app.screen, AccountsScreen))
    assert accounts.login(demo_db, "1024", "864200").agent.number == "1024"
    with pytest.raises(LoginFailed):
        accounts.login(demo_db, "3001", "300130")  # disabled


async def test_an_agent_has_no_accounts_key(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "1024", "1024")
        await press(pilot, "f6")
        assert isinstance(app.screen, DeskScreen)
        assert "Accounts" not in str(app.screen.query_one("Footer").render())
