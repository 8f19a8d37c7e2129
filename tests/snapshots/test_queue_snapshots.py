"""The work-order and callback screens, in Chinese and in English."""

from __future__ import annotations

import pytest

from tests.pilot.conftest import login, settle, type_text

LANGS = ["zh_CN", "en"]


async def orders(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "8001", "8001")
    await pilot.press("f4")
    await settle(pilot)


async def detail(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    await type_text(pilot, "客户要求改约周末")
    deadline = pilot.app.screen.query_one("#deadline")
    deadline.value = "2027-01-10 18:00"
    await pilot.press("ctrl+s")
    await settle(pilot)


async def delay_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)


async def status_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


async def callbacks(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "2048", "2048")
    await pilot.press("f5")
    await settle(pilot)


async def callback_call(pilot) -> None:  # type: ignore[no-untyped-def]
    await callbacks(pilot)
    await pilot.press("t")
    await settle(pilot)


STEPS = {"orders": orders, "detail": detail, "delay_form": delay_form, "status_form": status_form,
         "callbacks": callbacks, "callback_call": callback_call}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step", list(STEPS))
def test_queue_screen(snap_compare, desk, demo_db, step: str, lang: str) -> None:
    assert snap_compare(desk(lang), run_before=STEPS[step], terminal_size=(120, 36))
