"""The desk survives its server being killed (kill -9) and restarted in the middle of a call:
nothing typed is lost, the save that failed says so, and the call is saved once the server
is back — with a real `agentdesk serve` process and the desk driven by keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import httpx

from agentdesk.app import make_app
from agentdesk.models import Call
from agentdesk.screens.call import CallScreen
from agentdesk.screens.desk import DeskScreen
from tests.conftest import settings_for
from tests.pilot.conftest import login, press, settle, take_call_for, type_text
from tests.serving import free_port


def start_server(db_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "agentdesk", "serve", "--db", db_url, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server exited")
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def test_a_call_is_saved_after_the_server_comes_back(db, db_url) -> None:  # type: ignore[no-untyped-def]
    from agentdesk import clock
    from agentdesk.clock import SystemClock
    from agentdesk.services.demo import build_demo

    clock.set_clock(SystemClock())  # the server process keeps real time: so does this desk
    build_demo(db, customers=50, handovers=False)
    port = free_port()
    server = start_server(db_url, port)
    app = make_app(replace(settings_for(db_url), servers=(f"http://127.0.0.1:{port}",)))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await login(pilot)
            await take_call_for(pilot, "13800138000")
            await press(pilot, "1")
            await type_text(pilot, "机顶盒")
            await settle(pilot)
            await press(pilot, "enter")
            await press(pilot, "ctrl+a")
            assert isinstance(app.screen, CallScreen) and app.screen.step == "step-closing"
            await type_text(pilot, "服务器重启前写的小结")

            server.send_signal(signal.SIGKILL)
            server.wait(10)
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CallScreen), "a save the server never acknowledged is not shown as saved"
            error = str(app.screen.query_one("#closing-error").render())
            assert "服务器" in error and "保留着" in error  # what was typed is kept
            assert app.screen.query_one("#summary").text == "服务器重启前写的小结"
            for _ in range(40):  # the status bar says the link is down
                await pilot.pause(0.05)
                if app.link_offline:
                    break
            assert app.link_offline

            server = start_server(db_url, port)
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, DeskScreen)
    finally:
        server.kill()
        server.wait(10)
    with db.read() as session:
        [call] = session.query(Call).all()
    assert (call.status, call.summary) == ("closed", "服务器重启前写的小结")
