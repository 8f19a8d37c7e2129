"""Snapshots of the login screen and the idle desk, in Chinese and in English."""

from __future__ import annotations

import pytest

from agentdesk.app import make_app
from tests.conftest import settings_for
from tests.workers import press, settle

LANGS = ["zh_CN", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_login(snap_compare, db, db_url, lead_and_agent, fixed_clock, lang) -> None:
    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=settle, terminal_size=(120, 36))


@pytest.mark.parametrize("lang", LANGS)
def test_login_wrong_pin(snap_compare, db, db_url, lead_and_agent, fixed_clock, lang) -> None:
    async def wrong(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await press(pilot, *"1024", "enter", *"0000", "enter")

    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=wrong, terminal_size=(120, 36))


@pytest.mark.parametrize("lang", LANGS)
def test_login_empty_database(snap_compare, db, db_url, fixed_clock, lang) -> None:
    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=settle, terminal_size=(120, 36))


@pytest.mark.parametrize("lang", LANGS)
def test_idle_desk(snap_compare, db, db_url, lead_and_agent, fixed_clock, lang) -> None:
    async def login(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await press(pilot, *"1024", "enter", *"1024", "enter")

    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=login, terminal_size=(120, 36))


@pytest.mark.parametrize("lang", LANGS)
def test_change_pin_dialog(snap_compare, db, db_url, lead_and_agent, fixed_clock, lang) -> None:
    async def open_it(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await press(pilot, *"1024", "enter", *"1024", "enter", "f9", *"1024", "enter", *"2468", "enter", *"2469",
                    "ctrl+s")
        await settle(pilot)

    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=open_it, terminal_size=(80, 24))
