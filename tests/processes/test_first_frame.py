"""The first frame of a fresh desk process is drawn before the database stack is imported."""

from __future__ import annotations

import subprocess
import sys


def test_first_frame_is_drawn_before_the_database_stack_is_imported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The login screen starts a worker at mount; the app holds it until the database is
    open, so its imports (SQLModel, SQLAlchemy) neither compete with the first paint nor
    race the opening thread's (which failed one start in two: "partially initialized
    module 'sqlalchemy.engine'", and the desk never got its database)."""
    code = (
        "import asyncio, sys\n"
        "from agentdesk.app import AgentDeskApp, make_app\n"
        "from agentdesk.config import Settings\n"
        "seen = []\n"
        "open_database = AgentDeskApp.open_database\n"
        "def after_first_frame(self):\n"
        "    stack = ('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic')\n"
        "    seen.append(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in stack}))\n"
        "    return open_database(self)\n"
        "AgentDeskApp.open_database = after_first_frame\n"
        f"app = make_app(Settings(db_url='sqlite:///{tmp_path / 'x.sqlite3'}', lang='en', policy='generic'))\n"
        "async def main():\n"
        "    async with app.run_test() as pilot:\n"
        "        for _ in range(600):  # the database opens after the first frame\n"
        "            await pilot.pause(0.05)\n"
        "            if app._db_future.done():\n"
        "                break\n"
        "        assert app._db_future.done() and app._db_future.exception() is None\n"
        "        for _ in range(600):  # the login's worker runs, after that\n"
        "            await pilot.pause(0.05)\n"
        "            if not [w for w in app.workers if w.group == 'login-check']:\n"
        "                break\n"
        "        assert 'sqlalchemy' in sys.modules\n"
        "asyncio.run(main())\n"
        "print(seen)\n"
    )
    for _ in range(3):  # the imports race only in a fresh process
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "[[]]", done.stdout
