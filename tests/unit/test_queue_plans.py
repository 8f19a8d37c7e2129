"""The queues read through indexes: EXPLAIN QUERY PLAN of every statement they send (SQLite).

Each queue function runs against a populated database while its SQL is captured; every
SELECT on ``work_orders`` / ``callbacks`` is then explained, and no step may scan either
table without an index (a full scan would make a large center's queue slow).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from agentdesk.models import Callback, WorkOrder
from agentdesk.services import callbacks as cbs
from agentdesk.services import workorders as wo
from tests.conftest import T0
from tests.unit.test_workorders import Desk, make_desk

FULL_SCAN = re.compile(r"\bSCAN (work_orders|callbacks)\b(?! USING (COVERING )?INDEX)")


@pytest.fixture(params=[False, True], ids=["fresh", "analyzed"])
def desk(request, db, lead_and_agent) -> Desk:  # type: ignore[no-untyped-def]
    desk = make_desk(db, lead_and_agent)
    with db.write() as s:
        s.execute(insert(WorkOrder), [{
            "number": f"P{i:06d}", "customer_id": desk.customer_id, "kind": "repair", "severity": "general",
            "area_class": "city", "tier": "regular", "department_id": desk.dept_id, "owner_agent_id": desk.agent.id,
            "status": ("new", "dispatched", "in_progress", "closed")[i % 4], "description": "x",
            "created_at": T0 - timedelta(hours=i % 50), "resolve_by": T0 + timedelta(hours=(i % 90) - 30),
            "warn_at": T0 + timedelta(hours=(i % 90) - 40), "escalation_level": 0, "version": 1,
        } for i in range(400)])
        s.execute(insert(Callback), [{
            "kind": "after_repair", "customer_id": desk.customer_id, "reason": "r",
            "due_at": T0 + timedelta(minutes=i * 7 % 600), "status": ("pending", "claimed", "done")[i % 3],
            "attempts": i % 2, "created_at": T0,
        } for i in range(300)])
        if request.param:  # statistics as a database gathers them in use (PRAGMA optimize / ANALYZE)
            s.connection().exec_driver_sql("ANALYZE")
    return desk


@contextmanager
def captured(engine) -> Iterator[list[tuple[str, object]]]:  # type: ignore[no-untyped-def]
    statements: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def plans(desk: Desk, run: Callable[[], object]) -> list[tuple[str, list[str]]]:
    engine = desk.db.engine  # type: ignore[attr-defined]
    with captured(engine) as statements:
        run()
    out = []
    with engine.connect() as conn:
        for sql, params in statements:
            if not re.search(r"\b(work_orders|callbacks)\b", sql):
                continue
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            out.append((sql, [row[-1] for row in rows]))
    assert out, "nothing was captured"
    return out


def assert_indexed(found: list[tuple[str, list[str]]], table: str) -> None:
    used = False
    for sql, steps in found:
        bad = [s for s in steps if FULL_SCAN.search(s)]
        assert not bad, f"full scan in plan {steps} for:\n{sql}"
        used = used or any(re.search(rf"\b{table}\b.*USING (COVERING )?INDEX", s) for s in steps)
    assert used, found


def _read(desk: Desk, fn: Callable) -> Callable[[], object]:  # type: ignore[type-arg]
    def run() -> object:
        with desk.db.read() as s:  # type: ignore[attr-defined]
            return fn(s)

    return run


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"overdue": True}, {"warning": True}, {"status": "closed"}, {"status": ("new", "in_progress")}],
    ids=["default", "overdue", "warning", "closed", "two_statuses"],
)
def test_list_orders_uses_an_index(desk: Desk, kwargs: dict) -> None:
    first = plans(desk, _read(desk, lambda s: wo.list_orders(s, page_size=20, **kwargs)))
    assert_indexed(first, "work_orders")
    with desk.db.read() as s:  # type: ignore[attr-defined]
        cursor = wo.list_orders(s, page_size=20, **kwargs).next_cursor
    assert cursor is not None
    following = plans(desk, _read(desk, lambda s: wo.list_orders(s, page_size=20, cursor=cursor, **kwargs)))
    assert_indexed(following, "work_orders")


def test_list_orders_reads_the_index_in_order(desk: Desk) -> None:
    """The default queue needs no sort step: rows leave the index already ordered."""
    found = plans(desk, _read(desk, lambda s: wo.list_orders(s, page_size=20)))
    main = [steps for sql, steps in found if "FROM work_orders" in sql and "ORDER BY work_orders.resolve_by" in sql]
    assert main
    for steps in main:
        assert any("ix_work_orders_status_resolve_by" in s for s in steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps


def test_warning_and_overdue_use_an_index(desk: Desk) -> None:
    assert_indexed(plans(desk, _read(desk, wo.warning_and_overdue)), "work_orders")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"due_before": T0 + timedelta(hours=2)}, {"status": ("pending", "claimed")}],
    ids=["default", "due_before", "two_statuses"],
)
def test_callback_queue_uses_an_index(desk: Desk, kwargs: dict) -> None:
    found = plans(desk, _read(desk, lambda s: cbs.queue(s, page_size=20, **kwargs)))
    assert_indexed(found, "callbacks")
    for sql, steps in found:
        if "FROM callbacks" in sql and "ORDER BY callbacks.due_at" in sql:
            assert any("ix_callbacks_status_due_at" in s for s in steps), steps


def test_take_next_uses_an_index(desk: Desk) -> None:
    found = plans(desk, lambda: cbs.take_next(desk.db, actor=desk.agent))  # type: ignore[arg-type]
    assert_indexed(found, "callbacks")
