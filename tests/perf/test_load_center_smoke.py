"""The shipped load test (load_center.py) runs end to end at a tiny scale on PostgreSQL: two
servers, twenty desks, every mode, every check (no timing assertions: the figures of a full
run are in docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.perf import load_mix
from tests.perf.load_center import percentile

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_and_roles() -> None:
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0
    assert percentile([float(i) for i in range(1, 101)], 0.99) == 99.0
    assert percentile([7.0], 0.5) == 7.0
    roles = [load_mix.role_of(n, 500) for n in range(500)]
    for role, share in load_mix.ROLES:
        assert abs(roles.count(role) - share * 500) <= 5, role
    # Any slice of the desks (one worker process's) gets every role.
    assert {load_mix.role_of(n, 500) for n in range(0, 500, 2)} == {r for r, _ in load_mix.ROLES}


@pytest.mark.postgres
def test_load_test_runs_tiny(pg_server: str) -> None:
    prefix = f"loadtest_smoke_{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.perf.load_center", "--pg", pg_server, "--customers", "2000",
         "--workorders", "2000", "--desks", "20", "--duration", "5", "--pace", "0.2", "--idle-seconds", "4",
         "--no-cache", "--prefix", prefix],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr[-3000:]
    assert "checks: all passed" in out
    for line in ("search_customers", "  search: phone", "save: create_work_order", "save: close_call",
                 "take_next_callback", "list_orders", "through the servers", "with the embedded desk's change poll",
                 "no change poll", "transactions/s", "idle (", "work orders acknowledged", "2,000 customers"):
        assert line in out, line
    with psycopg.connect(pg_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres") as conn:
        preload = str(conn.execute("SHOW shared_preload_libraries").fetchone()[0])  # type: ignore[index]
        if "pg_stat_statements" in preload:  # as .ci/run starts its cluster
            assert "statements/s" in out and "statements too (pg_stat_statements" in out
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",)).fetchall()
    assert left == [], "the load test leaves no database behind"
