"""Keys arriving all at once (as a terminal delivers a burst: pasted-in keystrokes, a fast
typist, tmux send-keys) give what the same keys give one at a time.

Pilot's press waits for each key to be handled; here every key is queued at the app before
the first is handled, as the terminal driver queues them.
"""

from __future__ import annotations

from textual import events

from agentdesk.screens.call import CallScreen
from agentdesk.screens.desk import DeskScreen
from agentdesk.services import accounts
from tests.workers import settle, until

CHARACTERS = {"enter": "\r", "tab": "\t"}


def burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))



async def test_login_number_enter_pin_enter_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, *"1024", "enter", *"1024", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, DeskScreen))


async def test_f2_and_the_callers_number_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, *"1024", "enter", *"1024", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, DeskScreen))
        await settle(pilot)
        burst(app, "f2", *"13800138000")
        assert await until(pilot, lambda: isinstance(app.screen, CallScreen))
        assert await until(pilot, lambda: app.screen.query_one("#caller-search").value == "13800138000")


async def test_a_form_filled_and_saved_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, *"1024", "enter", *"1024", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, DeskScreen))
        await settle(pilot)
        burst(app, "f9", *"1024", "enter", *"246810", "enter", *"246810", "ctrl+s")
        assert await until(pilot, lambda: "246810" not in str(getattr(app.screen, "number", "")) and
                           isinstance(app.screen, DeskScreen) and bool(app._notifications))
    assert accounts.login(demo_db, "1024", "246810").agent.number == "1024"


async def test_tab_between_fields_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, *"1024", "tab", *"1024", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, DeskScreen))


async def test_a_new_account_typed_in_one_burst(desk, demo_db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from agentdesk.models import Agent
    from agentdesk.screens.accounts import AccountsScreen

    app = desk("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, *"8001", "enter", *"8001", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, DeskScreen))
        await settle(pilot)
        burst(app, "f6", "n", *"3003", "tab", *"Wang", "tab", "tab", *"C", "tab", *"302030", "tab", *"302030",
              "ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and bool(app._notifications))
    with demo_db.read() as s:
        made = s.execute(select(Agent).where(Agent.number == "3003")).scalar_one()
    assert (made.name, made.role, made.team) == ("Wang", "agent", "C")
