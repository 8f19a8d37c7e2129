"""Two desks (two separate processes) empty one callback queue: each callback taken exactly once.

Each worker is a fresh ``python -c`` process with its own engine and connections, as two
workstations sharing a SQLite file would be. The workers start together (a barrier on
stdin) and call ``take_next`` until the queue is empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from agentdesk.db import open_database
from agentdesk.models import Callback
from agentdesk.services import accounts
from tests.conftest import T0

WORKER = r"""
import json, sys, time
from agentdesk.db import Database
from agentdesk.services import accounts, callbacks

url, number = sys.argv[1], sys.argv[2]
db = Database(url)
with db.read() as session:
    actor = accounts.get_agent(session, number)
print("ready", flush=True)
sys.stdin.readline()
taken = []
while True:
    row = callbacks.take_next(db, actor=actor)
    if row is None:
        break
    assert row.claimed_by == number and row.status == "claimed", row
    taken.append(row.id)
    time.sleep(0.002)  # the agent dials: the queue is free for a moment, as between real claims
db.dispose()
print(json.dumps(taken), flush=True)
"""


def fill_queue(url: str, count: int, workers: int) -> tuple[list[int], dict[str, int]]:
    """Agents 2001… and ``count`` pending callbacks; returns (callback ids, agent ids by number)."""
    db = open_database(url)
    try:
        numbers = {}
        with db.write() as s:
            for n in range(workers):
                info = accounts.create_agent(s, f"{2001 + n}", f"回访员{n}", "agent", "2001")
                numbers[info.number] = info.id
            s.execute(insert(Callback), [{
                "kind": "after_repair", "reason": f"回访 {i}", "contact_name": "张三", "contact_phone": "13800138000",
                "due_at": T0 + timedelta(minutes=(i * 37) % 500), "status": "pending", "attempts": 0,
                "created_at": T0,
            } for i in range(count)])
        with db.read() as s:
            ids = list(s.execute(select(Callback.id)).scalars())
        return ids, numbers
    finally:
        db.dispose()


def run_workers(url: str, numbers: list[str], timeout: float = 120) -> dict[str, list[int]]:
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, number], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for number in numbers]
    try:
        for p in procs:
            line = p.stdout.readline()  # type: ignore[union-attr]
            assert line.strip() == "ready", (line, p.stderr.read() if p.poll() is not None else "")  # type: ignore[union-attr]
        for p in procs:  # go, all at once
            p.stdin.write("go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        results = {}
        for number, p in zip(numbers, procs, strict=True):
            out, err = p.communicate(timeout=timeout)
            assert "database is locked" not in err, err
            assert p.returncode == 0, err
            results[number] = json.loads(out.strip().splitlines()[-1])
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def check(url: str, ids: list[int], agents: dict[str, int], results: dict[str, list[int]]) -> None:
    taken = [cid for got in results.values() for cid in got]
    assert len(taken) == len(set(taken)), "a callback was taken twice"
    assert set(taken) == set(ids), "a callback was left behind"
    # The desks really competed (SQLite's busy handler is not fair, so not necessarily evenly).
    assert sum(1 for got in results.values() if got) >= 2, {n: len(v) for n, v in results.items()}
    db = open_database(url, migrate=False)
    try:
        with db.read() as s:
            rows = s.execute(select(Callback.id, Callback.status, Callback.claimed_by_id)).all()
    finally:
        db.dispose()
    owner = {cid: agents[number] for number, got in results.items() for cid in got}
    assert all(status == "claimed" and owner[cid] == claimed_by for cid, status, claimed_by in rows)


@pytest.mark.parametrize("workers", [2, 3])
def test_two_processes_share_one_sqlite_queue(tmp_path, workers: int) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    ids, agents = fill_queue(url, 200, workers)
    results = run_workers(url, list(agents))
    check(url, ids, agents, results)
