"""Stale saves on PostgreSQL: two desks change one work order at the same moment.

SQLite serializes writers at BEGIN IMMEDIATE; PostgreSQL lets both transactions start, so
the version check behind the row lock is what keeps the second desk from overwriting the
first: it waits for the lock, then sees the new version and gets ``Conflict`` (the desk
shows the conflict dialog, tests/pilot/test_queues.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from agentdesk.db import open_database
from agentdesk.models import WorkOrder, WorkOrderEvent
from agentdesk.services import workorders as wo
from tests.postgres.test_take_next_pg import desk_on
from tests.unit.test_workorders import POLICY, insert_order

pytestmark = pytest.mark.postgres


def test_the_second_of_two_simultaneous_saves_gets_a_conflict(pg_url: str, fixed_clock) -> None:
    db = open_database(pg_url)
    try:
        desk = desk_on(db)
        lead, agent = desk.lead, desk.agent
        with db.write() as s:
            oid = insert_order(s, desk, status="dispatched")
        with db.read() as s:
            seen = wo.get_order(s, oid).version  # both desks opened the order at this version

        outcome: dict[str, object] = {}
        first_holds_lock = threading.Event()

        def second_desk() -> None:
            first_holds_lock.wait(10)
            try:
                with db.write() as s:  # blocks on the row lock until the first desk commits
                    wo.change_status(s, oid, "in_progress", actor=lead, policy=POLICY, expected_version=seen,
                                     reason="组长改派")
                outcome["second"] = "saved"
            except wo.Conflict as exc:
                outcome["second"] = exc

        other = threading.Thread(target=second_desk)
        other.start()
        with db.write() as s:
            wo.change_status(s, oid, "in_progress", actor=agent, policy=POLICY, expected_version=seen)
            first_holds_lock.set()
            other.join(0.5)
            assert other.is_alive(), "the second save did not wait for the first desk's row lock"
        other.join(10)

        conflict = outcome["second"]
        assert isinstance(conflict, wo.Conflict), conflict
        assert conflict.key == "workorder.conflict"
        with db.read() as s:
            order = s.get(WorkOrder, oid)
            assert order is not None and order.version == seen + 1 and order.status == "in_progress"
            statuses = s.execute(select(func.count()).select_from(WorkOrderEvent).where(
                WorkOrderEvent.work_order_id == oid, WorkOrderEvent.kind == "status")).scalar_one()
        assert statuses == 1  # the first desk's change only, recorded once
    finally:
        db.dispose()
