"""Every step of a call, in Chinese and in English, at 120×36."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agentdesk.models import Outage, OutageArea
from tests.pilot.conftest import login, press, settle, take_call_for, type_text

LANGS = ["zh_CN", "en"]


async def identify(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await press(pilot, "f2")
    await type_text(pilot, "zs")
    await settle(pilot)


async def card(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await take_call_for(pilot, "13800138000")


async def unregistered(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await press(pilot, "f2")
    await press(pilot, "ctrl+n")
    await type_text(pilot, "王五")
    await pilot.press("tab", "tab")
    await type_text(pilot, "12800138000")
    await press(pilot, "ctrl+s")


async def consult(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "1")
    await type_text(pilot, "机顶盒")
    await settle(pilot)
    await press(pilot, "enter")


async def follow_up(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "1")
    await type_text(pilot, "月租费")
    await settle(pilot)
    await press(pilot, "ctrl+n")


async def repair(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "3")
    await type_text(pilot, "机顶盒无信号，不知道怎么搞的")
    await settle(pilot)


async def business(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "4")
    await press(pilot, "tab", "enter", "down", "enter")
    await press(pilot, "tab", "space")


async def praise(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "5")
    await type_text(pilot, "装机师傅很耐心")
    await settle(pilot)


async def checklist(pilot) -> None:  # type: ignore[no-untyped-def]
    await repair(pilot)
    await press(pilot, "ctrl+s")
    await type_text(pilot, "已派单网络维护部")
    await press(pilot, "ctrl+s")
    await press(pilot, "space", "down", "space")


async def closing(pilot) -> None:  # type: ignore[no-untyped-def]
    await consult(pilot)
    await press(pilot, "ctrl+a")
    await type_text(pilot, "已指导客户切换信号源")
    await settle(pilot)


async def complaint(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)
    await press(pilot, "2")
    await type_text(pilot, "上门维修人员")
    await pilot.press("tab")
    await type_text(pilot, "约好上午来，下午才到")
    await settle(pilot)


async def outage(pilot) -> None:  # type: ignore[no-untyped-def]
    await card(pilot)


STEPS = {
    "identify": identify, "card": card, "unregistered": unregistered, "consult": consult,
    "follow_up": follow_up, "repair": repair, "business": business, "praise": praise,
    "checklist": checklist, "closing": closing, "outage": outage, "complaint": complaint,
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step", list(STEPS))
def test_call_step(snap_compare, desk, demo_db, fixed_clock, step: str, lang: str) -> None:
    if step == "outage":
        with demo_db.write() as session:
            declared = Outage(services='["tv", "broadband"]', cause="光缆被挖断", message="请安抚用户，无需报修",
                              declared_by_id=1, declared_at=fixed_clock.now(), updated_at=fixed_clock.now(),
                              eta=fixed_clock.now() + timedelta(hours=3))
            session.add(declared)
            session.flush()
            session.add(OutageArea(outage_id=declared.id, area_name="朝阳区红旗街道"))
    assert snap_compare(desk(lang), run_before=STEPS[step], terminal_size=(120, 36))
