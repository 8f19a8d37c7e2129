"""Lead screens, the outage banner and the handover screens, in Chinese and in English."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agentdesk.services import accounts, outages
from tests.pilot.conftest import login, press, settle, take_call_for

LANGS = ["zh_CN", "en"]


async def board(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "8001", "8001")
    await press(pilot, "f8")


async def outage_list(pilot) -> None:  # type: ignore[no-untyped-def]
    await board(pilot)
    await press(pilot, "f9")


async def outage_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await outage_list(pilot)
    await press(pilot, "n")


async def banner_on_desk(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await pilot.pause(0.8)  # the outage poll
    await settle(pilot)


async def handover_review(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await take_call_for(pilot, "13800138000")
    await press(pilot, "3")
    from tests.pilot.conftest import type_text

    await type_text(pilot, "宽带断网")
    await press(pilot, "ctrl+s")
    await press(pilot, "ctrl+s")
    await press(pilot, "space", "down", "space", "down", "space", "down", "space", "ctrl+s")
    await press(pilot, "f10")


async def handover_export(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot)
    await press(pilot, "f7")


async def accounts_list(pilot) -> None:  # type: ignore[no-untyped-def]
    await login(pilot, "8001", "8001")
    await press(pilot, "f6")
    await settle(pilot)


async def account_form(pilot) -> None:  # type: ignore[no-untyped-def]
    await accounts_list(pilot)
    await press(pilot, "e")


STEPS = {"board": board, "outage_list": outage_list, "outage_form": outage_form, "banner_on_desk": banner_on_desk,
         "handover_review": handover_review, "handover_export": handover_export, "accounts": accounts_list,
         "account_form": account_form}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step", list(STEPS))
def test_lead_and_handover_screen(snap_compare, desk, demo_db, fixed_clock, monkeypatch, step: str,
                                  lang: str) -> None:
    if step in ("banner_on_desk", "outage_list"):
        with demo_db.write() as session:
            lead = accounts.get_agent(session, "8001")
            outages.declare(session, actor=lead, areas=["朝阳区红旗街道", "南关区"], services=["tv", "broadband"],
                            cause="光缆被挖断", eta=fixed_clock.now() + timedelta(hours=3),
                            message="请安抚用户，无需报修")
    app = desk(lang)
    if step == "handover_export":
        # A fixed path, so the snapshot does not show the test machine's home directory.
        from pathlib import Path

        monkeypatch.setattr(Path, "home", staticmethod(lambda: Path("/home/agent")))
    assert snap_compare(app, run_before=STEPS[step], terminal_size=(120, 36))


@pytest.mark.parametrize("lang", LANGS)
def test_handover_ack_at_login(snap_compare, db, db_url, fixed_clock, lang) -> None:
    from agentdesk.app import make_app
    from agentdesk.services.demo import build_demo
    from tests.conftest import settings_for

    build_demo(db, customers=200)  # with past handovers: 1024 has one to acknowledge
    app = make_app(settings_for(db_url, lang), clock=fixed_clock)
    assert snap_compare(app, run_before=login, terminal_size=(120, 36))
