"""A desk in a child process, driven to the middle of a call, for the crash tests.

Usage: python -m tests.crash.desk_driver DB_URL  — prints READY once the summary is typed
and its draft written, then idles until the app exits (SIGTERM/SIGHUP) or is killed.
"""

from __future__ import annotations

import asyncio
import sys

from agentdesk.app import make_app
from agentdesk.config import Settings
from tests.pilot.conftest import login, press, settle, take_call_for, type_text

SUMMARY = "客户说晚上八点后在家,请网络维护部上门"


async def main(url: str) -> None:
    app = make_app(Settings(db_url=url, lang="zh_CN", policy="generic"))
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await take_call_for(pilot, "13800138000")
        await press(pilot, "ctrl+e")
        await type_text(pilot, SUMMARY)
        await pilot.pause(1.5)  # past the draft debounce
        await settle(pilot)
        print("READY", flush=True)
        while app.is_running:
            await asyncio.sleep(0.05)
        print("EXITED", app.return_code, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
