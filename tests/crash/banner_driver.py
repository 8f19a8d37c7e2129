"""A desk in its own process, logged in, reporting when the outage banner appears.

Usage: python -m tests.crash.banner_driver DB_URL — prints READY when idle on the desk,
then BANNER <monotonic time> the moment the banner shows an active outage.
"""

from __future__ import annotations

import asyncio
import sys
import time

from agentdesk.app import make_app
from agentdesk.config import Settings
from tests.pilot.conftest import login


async def main(url: str) -> None:
    app = make_app(Settings(db_url=url, lang="zh_CN", policy="generic"))
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        await pilot.pause(1.0)  # the first outage poll has run: nothing active yet
        banner = app.screen.query_one("OutageBanner")
        print("READY", flush=True)
        deadline = time.monotonic() + 60
        while not banner.has_class("-active") and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        print("BANNER", time.monotonic(), str(banner.render()).replace("\n", " "), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
