"""Several processes writing one SQLite file: calls with work orders, nothing lost, never "locked".

    python tests/perf/stress_writes.py [--processes 4] [--calls 500] [--db PATH]

Each worker process takes calls as its own agent: a call, a repair work order, the
checklist, the close — one write transaction each, as on the desk. The script then checks
every acknowledged call and order is in the file and PRAGMA integrity_check says ok.
Bounded: it stops after the given number of calls per process.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def worker(url: str, number: str, calls_per_process: int, queue) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from agentdesk.db import open_database
    from agentdesk.models import Department
    from agentdesk.services import accounts, calls

    db = open_database(url, migrate=False, check=False)
    with db.read() as session:
        agent = accounts.get_agent(session, number)
        dept = session.execute(select(Department.id).where(Department.code == "NET")).scalar_one()
    done, errors = [], []
    for i in range(calls_per_process):
        try:
            with db.write() as session:
                info = calls.start_call(session, actor=agent, shift_id=None)
                calls.identify_customer(session, info.id, 1 + (i % 50), actor=agent)
            with db.write() as session:
                order = calls.create_work_order(session, info.id, kind="repair", severity="general",
                                                description=f"压力测试 {number}-{i}", department_id=dept,
                                                policy="generic", actor=agent)
            with db.write() as session:
                calls.close_call(session, info.id, summary="已派单", actor=agent,
                                 checklist=dict.fromkeys(calls.CHECKLIST_ITEMS, True))
            done.append((info.id, order.id))
        except Exception as exc:  # reported, not raised: the parent counts them
            errors.append(f"{type(exc).__name__}: {exc}")
    db.dispose()
    queue.put((number, done, errors))


def run(processes: int = 4, calls_per_process: int = 500, db_path: Path | None = None) -> dict:
    from agentdesk.db import open_database
    from agentdesk.services import accounts
    from agentdesk.services.demo import build_demo

    path = db_path or Path(tempfile.mkdtemp(prefix="agentdesk-stress-")) / "stress.sqlite3"
    url = f"sqlite:///{path}"
    db = open_database(url)
    build_demo(db, customers=100, handovers=False)
    numbers = [f"{3000 + n}" for n in range(processes)]
    with db.write() as session:
        for number in numbers:
            accounts.create_agent(session, number, f"压测{number}", "agent", "1234")
    db.dispose()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    started = time.perf_counter()
    procs = [ctx.Process(target=worker, args=(url, n, calls_per_process, queue)) for n in numbers]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    acknowledged = [pair for _, done, _ in results for pair in done]
    errors = [e for _, _, errs in results for e in errs]
    conn = sqlite3.connect(path)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    calls_stored = {r[0] for r in conn.execute("SELECT id FROM calls WHERE status = 'closed'")}
    orders_stored = {r[0] for r in conn.execute("SELECT id FROM work_orders")}
    conn.close()
    missing = [p for p in acknowledged if p[0] not in calls_stored or p[1] not in orders_stored]
    return {"processes": processes, "calls_per_process": calls_per_process, "acknowledged": len(acknowledged),
            "missing": len(missing), "errors": errors, "integrity": integrity, "seconds": round(elapsed, 2),
            "path": str(path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    report = run(args.processes, args.calls, args.db)
    locked = sum("locked" in e for e in report["errors"])
    print(f"{report['processes']} processes × {report['calls_per_process']} calls: "
          f"{report['acknowledged']} acknowledged, {report['missing']} missing, {len(report['errors'])} errors "
          f"({locked} 'database is locked'), integrity {report['integrity']}, {report['seconds']} s "
          f"({report['acknowledged'] / max(report['seconds'], 1e-9):.0f} calls/s)")
    sys.exit(0 if not report["errors"] and not report["missing"] and report["integrity"] == "ok" else 1)


if __name__ == "__main__":
    main()
