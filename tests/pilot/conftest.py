"""Pilot fixtures: a demo database, and helpers to drive the desk by keys."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from agentdesk.app import make_app
from tests.conftest import settings_for
from tests.workers import press, settle


@pytest.fixture
def demo_db(db):  # type: ignore[no-untyped-def]
    from agentdesk.services.demo import build_demo

    # No past handovers: a note waiting to be acknowledged would greet every login.
    build_demo(db, customers=200, handovers=False)
    return db


THROUGH_SERVER = bool(os.environ.get("AGENTDESK_TEST_THROUGH_SERVER"))


@pytest.fixture
def desk(db_url, demo_db, fixed_clock):  # type: ignore[no-untyped-def]
    """Build the app for a language; the test drives it.

    With ``AGENTDESK_TEST_THROUGH_SERVER=1`` every such desk runs on a server over the same
    database (``agentdesk serve`` in a thread, on loopback): the same key scripts, the same
    rows expected, through the network facade (CI runs the Pilot lane that way too)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        servers: tuple[str, ...] = ()
        if THROUGH_SERVER:
            from tests.serving import serving

            servers = (stack.enter_context(serving(demo_db)),)

        def build(lang: str = "zh_CN"):  # type: ignore[no-untyped-def]
            settings = replace(settings_for(db_url, lang), servers=servers)
            return make_app(settings, clock=fixed_clock)

        yield build


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type as a terminal would deliver it.

    Pilot.press loses the character of full-width punctuation (，、？) because it looks the
    key name up in a different spelling than the terminal parser; those keys are sent the
    way the parser builds them (Key(name, character)).
    """
    from textual import events
    from textual.keys import _character_to_key

    for ch in text:
        if ch == " ":
            await pilot.press("space")
        elif ord(ch) > 127 and not ch.isalnum():
            pilot.app._driver.send_message(events.Key(_character_to_key(ch), ch))
            await pilot.pause()
        else:
            await pilot.press(ch)


async def login(pilot, number: str = "1024", pin: str = "1024") -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await press(pilot, *number, "enter", *pin, "enter")


async def take_call_for(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    """F2, type the search, pick the first result."""
    await press(pilot, "f2")
    await type_text(pilot, query)
    await settle(pilot)
    await press(pilot, "down", "enter")


async def unregistered_caller(pilot, name: str, address: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    """F2, Ctrl+N, the caller who is not a customer typed field by field, Ctrl+S."""
    await press(pilot, "f2")
    await press(pilot, "ctrl+n")
    await type_text(pilot, name)
    await pilot.press("tab")
    await type_text(pilot, address)
    await pilot.press("tab")
    await type_text(pilot, phone)
    await press(pilot, "ctrl+s")


@asynccontextmanager
async def on_a_call(app, query: str) -> AsyncIterator:  # type: ignore[no-untyped-def]
    """Run the desk at 120×36, log in as 1024 and take a call from the customer ``query`` finds."""
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await take_call_for(pilot, query)
        yield pilot
