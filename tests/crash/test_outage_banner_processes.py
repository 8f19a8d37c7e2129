"""The CLI declares an outage in one process; a desk in another shows the banner within 2 s.

On a shared SQLite file and on PostgreSQL. The time is taken from the moment the CLI's
declaration has committed (the CLI process has exited) to the banner on the desk.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentdesk.db import open_database
from agentdesk.services.demo import build_demo

ROOT = Path(__file__).resolve().parents[2]


def run_case(url: str) -> tuple[float, str]:
    db = open_database(url)
    build_demo(db, customers=60, handovers=False)
    db.dispose()
    desk = subprocess.Popen([sys.executable, "-m", "tests.crash.banner_driver", url], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert desk.stdout is not None
    assert desk.stdout.readline().strip() == "READY", desk.stderr.read() if desk.stderr else ""
    env = {**os.environ, "AGENTDESK_PIN": "8001", "AGENTDESK_LANG": "en"}
    declared = subprocess.run(
        [sys.executable, "-m", "agentdesk", "outage", "declare", "--area", "朝阳区红旗街道", "--services", "tv",
         "--cause", "光缆被挖断", "--message", "请安抚用户", "--agent", "8001", "--db", url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    committed = time.monotonic()
    assert declared.returncode == 0, declared.stderr + declared.stdout
    line = desk.stdout.readline().split(" ", 2)
    desk.wait(timeout=30)
    assert line[0] == "BANNER"
    # CLOCK_MONOTONIC is one clock for every process on the machine.
    return float(line[1]) - committed, line[2]


def test_banner_across_processes_on_sqlite(tmp_path: Path) -> None:
    delay, text = run_case(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    assert delay < 2.0 and "朝阳区红旗街道" in text


@pytest.mark.postgres
def test_banner_across_processes_on_postgres(pg_url: str) -> None:
    delay, text = run_case(pg_url)
    assert delay < 2.0 and "朝阳区红旗街道" in text
