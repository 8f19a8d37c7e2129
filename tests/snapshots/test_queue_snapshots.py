"""The work-order and callback screens, in Chinese and in English."""

from __future__ import annotations

import pytest

from tests.pilot.conftest import login, press, type_text

LANGS = ["zh_CN", "en"]


async def orders(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "8001", "8001")
    await press(pilot, "f4")


async def detail(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await press(pilot, "enter")
    await press(pilot, "d")
    await type_text(pilot, "客户要求改约周末")
    deadline = pilot.app.screen.query_one("#deadline")
    deadline.value = "2027-01-10 18:00"
    await press(pilot, "ctrl+s")


async def delay_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await press(pilot, "enter")
    await press(pilot, "d")


async def status_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await orders(pilot)
    await press(pilot, "enter")
    await press(pilot, "s")


async def callbacks(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "2048", "2048")
    await press(pilot, "f5")


async def callback_call(pilot) -> None:  # type: ignore[no-untyped-def]
    await callbacks(pilot)
    await press(pilot, "t")


STEPS = {"orders": orders, "detail": detail, "delay_form": delay_form, "status_form": status_form,
         "callbacks": callbacks, "callback_call": callback_call}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step", list(STEPS))
def test_queue_screen(snap_compare, desk, demo_db, step: str, lang: str) -> None:
    assert snap_compare(desk(lang), run_before=STEPS[step], terminal_size=(120, 36))
