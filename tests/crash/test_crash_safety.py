"""Crash safety: drafts survive SIGTERM, SIGHUP and kill -9; acknowledged saves survive kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from agentdesk.db import open_database
from agentdesk.models import Call, Draft
from agentdesk.services.demo import build_demo
from tests.crash.desk_driver import SUMMARY

ROOT = Path(__file__).resolve().parents[2]


def start_desk(url: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.crash.desk_driver", url], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if line.strip() == "READY":
            return proc
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise AssertionError("the desk did not get ready: " + (proc.stderr.read() if proc.stderr else ""))


def draft_summary(url: str) -> str | None:
    import json

    db = open_database(url, migrate=False)
    try:
        with db.read() as session:
            draft = session.execute(select(Draft).where(Draft.form == "call")).scalar_one_or_none()
        return json.loads(draft.payload)["summary"] if draft else None
    finally:
        db.dispose()


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    db = open_database(url)
    build_demo(db, customers=100, handovers=False)
    db.dispose()
    return url


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_signal_saves_drafts_and_exits_cleanly(demo_url: str, sig: int) -> None:
    proc = start_desk(demo_url)
    # Wipe the debounced draft, so only the signal handler can have written the next one.
    db = open_database(demo_url, migrate=False)
    with db.write() as session:
        for draft in session.execute(select(Draft)).scalars():
            session.delete(draft)
    db.dispose()
    started = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert time.monotonic() - started < 10, "the desk spun instead of exiting"
    assert "EXITED 0" in out, err
    assert draft_summary(demo_url) == SUMMARY


async def test_kill_9_then_the_next_login_offers_the_draft(demo_url: str) -> None:
    from agentdesk.app import make_app
    from agentdesk.config import Settings
    from agentdesk.dialogs.resume_call import ResumeCallScreen
    from agentdesk.screens.call import CallScreen
    from tests.pilot.conftest import login, press

    proc = start_desk(demo_url)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert draft_summary(demo_url) == SUMMARY

    app = make_app(Settings(db_url=demo_url, lang="zh_CN", policy="generic"))
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        assert isinstance(app.screen, ResumeCallScreen)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.caller.name == "张三"
        assert screen.query_one("#summary").text == SUMMARY
        await press(pilot, "ctrl+s")
    db = open_database(demo_url, migrate=False)
    with db.read() as session:
        call = session.execute(select(Call)).scalar_one()
        left = session.execute(select(Draft)).scalars().all()
    db.dispose()
    assert call.status == "closed" and call.summary == SUMMARY and left == []


SAVER = """
import sys
from agentdesk.db import open_database
from agentdesk.services import accounts, calls
db = open_database(sys.argv[1])
with db.read() as s:
    agent = accounts.get_agent(s, "1024")
while True:
    with db.write() as s:
        info = calls.start_call(s, actor=agent, shift_id=None)
        calls.close_call(s, info.id, summary="第" + str(info.id) + "个", checklist=None, actor=agent)
    print(info.id, flush=True)
"""


def test_acknowledged_saves_survive_kill_9(demo_url: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SAVER, demo_url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    acknowledged: list[int] = []
    assert proc.stdout is not None
    started = time.monotonic()
    while time.monotonic() - started < 2.5 or len(acknowledged) < 20:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    path = demo_url.split("///", 1)[1]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT id FROM calls WHERE status = 'closed'")}
    conn.close()
    assert acknowledged and set(acknowledged) <= stored
