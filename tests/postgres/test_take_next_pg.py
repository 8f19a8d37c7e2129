"""take_next on PostgreSQL: separate processes empty one queue, each callback taken once
(``SELECT … FOR UPDATE SKIP LOCKED``), and the queue services behave as on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.db import open_database
from agentdesk.models import Callback, WorkOrder
from agentdesk.services import callbacks as cbs
from agentdesk.services import workorders as wo
from agentdesk.services.callbacks import rows as callback_rows
from tests.conftest import T0
from tests.processes.test_take_next_concurrency import check, fill_queue, run_workers
from tests.unit.test_workorders import POLICY, insert_order, make_desk

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("workers", [2, 3])
def test_processes_share_one_postgres_queue(pg_url: str, workers: int) -> None:
    ids, agents = fill_queue(pg_url, 200, workers)
    results = run_workers(pg_url, list(agents))
    check(pg_url, ids, agents, results)


def test_skip_locked_passes_a_row_another_desk_holds(pg_url: str) -> None:
    """While one transaction holds the earliest callback, another desk gets the next one."""
    ids, agents = fill_queue(pg_url, 3, 2)
    db = open_database(pg_url, migrate=False)
    try:
        from agentdesk.services import accounts

        with db.read() as s:
            first_agent = accounts.get_agent(s, "2001")
            second_agent = accounts.get_agent(s, "2002")
        with db.write() as holder:
            held = callback_rows._claim(holder, first_agent, postgres=True)  # open transaction, row locked
            assert held is not None
            other = cbs.take_next(db, actor=second_agent)
            assert other is not None and other.id != held.id
        with db.read() as s:
            claimed = dict(s.execute(select(Callback.id, Callback.claimed_by_id)).all())
        assert claimed[held.id] == first_agent.id and claimed[other.id] == second_agent.id
    finally:
        db.dispose()


def desk_on(db):  # type: ignore[no-untyped-def]
    """A lead (8001), an agent (1024), two departments and two customers on ``db``."""
    from agentdesk.services import accounts

    with db.write() as s:
        lead = accounts.create_agent(s, "8001", "王红梅", "lead", "8001")
        agent = accounts.create_agent(s, "1024", "李娜", "agent", "1024")
    return make_desk(db, (lead, agent))


def test_queues_and_life_cycle_on_postgres(pg_url: str, fixed_clock) -> None:
    db = open_database(pg_url)
    try:
        desk = desk_on(db)
        agent = desk.agent
        with db.write() as s:
            ids = [insert_order(s, desk, resolve_by=None if i % 7 == 0 else T0 + timedelta(hours=i % 30 - 10),
                                status=("new", "dispatched", "in_progress")[i % 3]) for i in range(60)]
        seen, cursor = [], None
        with db.read() as s:
            while True:
                page = wo.list_orders(s, page_size=25, cursor=cursor)
                seen += [r.id for r in page.rows]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert wo.list_orders(s, overdue=True, page_size=100).rows
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
        with db.read() as s:
            ordered = s.execute(select(WorkOrder).where(WorkOrder.id.in_(ids))).scalars().all()
        assert seen == [o.id for o in sorted(ordered, key=lambda o: (o.resolve_by is None, o.resolve_by or T0, o.id))]

        oid = ids[1]
        with db.write() as s:
            wo.pause(s, oid, actor=agent, reason="客户不在家")
        fixed_clock.advance(hours=2)
        with db.write() as s:
            wo.resume(s, oid, actor=agent)
            assert wo.change_status(s, oid, "in_progress", actor=agent, policy=POLICY).status == "in_progress"
            assert wo.change_status(s, oid, "resolved", actor=agent, policy=POLICY).status == "callback"
        taken = cbs.take_next(db, actor=agent)
        assert taken is not None and taken.order_number is not None
        with db.write() as s:
            result = cbs.record_outcome(s, taken.id, actor=agent, outcome="satisfied", satisfaction=5, policy=POLICY)
        assert result["order_status"] == "closed"
        with db.read() as s:
            kinds = [e.kind for e in wo.get_order(s, oid).events]
        assert kinds[:3] == ["created", "pause", "resume"] and kinds[-1] == "status"
    finally:
        db.dispose()
