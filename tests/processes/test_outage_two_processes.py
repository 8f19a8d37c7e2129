"""The outage banner's signal crosses processes: a separate process runs the real CLI
(``python -m agentdesk outage declare``) while this process's Watcher polls the same
SQLite file, as another desk would; the watcher sees the declaration within 2 seconds.

Measuring from the moment the declaration commits: the CLI needs over a second just to
start, so the test first holds the database's write gate (SQLite: a ``BEGIN IMMEDIATE``
transaction; PostgreSQL: the ``outages`` counter row locked ``FOR UPDATE``). The CLI
starts, reaches its write and waits; the test checks the watcher sees nothing yet, then
releases the gate at ``t_release`` — the CLI can only commit after that, so
``seen - t_release`` bounds the real delay from above. The same check runs against
PostgreSQL in tests/postgres/test_outage_pg.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from agentdesk.db import open_database
from agentdesk.models import ChangeCounter
from agentdesk.services import broadcast, outages
from agentdesk.services.demo import build_demo

POLL_EVERY = 0.2
WITHIN = 2.0


def cli(url: str, *args: str, pin: str = "8001") -> subprocess.Popen:
    env = {**os.environ, "AGENTDESK_PIN": pin, "AGENTDESK_LANG": "en"}
    env.pop("AGENTDESK_DB", None)
    return subprocess.Popen([sys.executable, "-m", "agentdesk", "--db", url, "outage", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1]).resolve()


def _waiting_on_gate(url: str, db, proc: subprocess.Popen) -> bool:  # type: ignore[no-untyped-def]
    """Has the CLI got as far as waiting for the gate?"""
    if url.startswith("postgresql"):
        with db.engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one())
    # SQLite: the CLI has the database file open (it then waits in BEGIN IMMEDIATE).
    fd_dir = Path(f"/proc/{proc.pid}/fd")
    if not fd_dir.exists():  # pragma: no cover - not Linux: give it time to start
        time.sleep(3)
        return True
    target = _sqlite_path(url)
    for fd in fd_dir.iterdir():
        try:
            if Path(os.readlink(fd)) == target:
                return True
        except OSError:
            continue
    return False


def _wait_for_change(watcher: broadcast.Watcher, since: float, limit: float = 10.0) -> float:
    """Poll every 0.2 s, as a desk's worker would; seconds from ``since`` to the first change."""
    while time.monotonic() - since < limit:
        if watcher.poll():
            return time.monotonic() - since
        time.sleep(POLL_EVERY)
    raise AssertionError(f"the watcher saw no change within {limit} s")


def check_declaration_reaches_watcher(url: str) -> None:
    db = open_database(url)
    proc = None
    try:
        build_demo(db, customers=20)  # lead 8001 (PIN 8001)
        with db.write() as session:
            broadcast.bump(session)  # the counter row exists, so PostgreSQL can lock it
        watcher = broadcast.Watcher(db)
        watcher.prime()

        with db.write() as gate:
            gate.execute(select(ChangeCounter).where(ChangeCounter.topic == "outages").with_for_update())
            proc = cli(url, "declare", "--area", "朝阳区", "--area", "南关区曙光街道", "--services", "tv,broadband",
                       "--cause", "光缆被挖断", "--message", "请安抚用户", "--agent", "8001", "--json")
            started = time.monotonic()
            while not _waiting_on_gate(url, db, proc):
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() - started < 60, "the CLI never reached the database"
                time.sleep(0.05)
            time.sleep(0.3)
            assert proc.poll() is None, proc.communicate()  # still waiting for the gate
            assert watcher.poll() is False  # nothing committed, nothing seen
        t_release = time.monotonic()

        delay = _wait_for_change(watcher, t_release)
        assert delay < WITHIN, f"the watcher saw the declaration after {delay:.2f} s"
        with db.read() as session:
            active = outages.active_outages(session)
        assert len(active) == 1
        seen = active[0]
        assert seen.areas == ("朝阳区", "南关区曙光街道") and seen.services == ("tv", "broadband")
        assert seen.cause == "光缆被挖断" and seen.declared_by == "8001"

        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert json.loads(out)["id"] == seen.id

        # And the other way round: the CLI clears, this process's watcher sees it.
        proc = cli(url, "clear", str(seen.id), "--agent", "8001")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert _wait_for_change(watcher, time.monotonic()) < WITHIN
        with db.read() as session:
            assert outages.active_outages(session) == []
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()
        db.dispose()


def test_another_process_declares_and_this_watcher_sees_it(db_url: str) -> None:
    check_declaration_reaches_watcher(db_url)
