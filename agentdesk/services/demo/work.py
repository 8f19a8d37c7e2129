"""The demo's work: a few hand-made open orders, or a center's history of them in bulk, with
their callbacks."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from faker import Faker
from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from agentdesk.db import Database
from agentdesk.models import Agent, Callback, Customer, CustomerPhone, Department, WorkOrder, WorkOrderEvent
from agentdesk.services import audit
from agentdesk.services.demo.bulk import BATCH, _BulkLoad, _insert, _set_sequence, _sqlite_rows

_ORDER_KINDS = [("repair", "NET"), ("repair", "NET"), ("install", "INST"), ("complaint", "CS"),
                ("business", "BILL"), ("restore", "NET")]
_DESCRIPTIONS = {
    "repair": ["机顶盒无信号，重启无效", "宽带频繁掉线", "电视画面马赛克严重", "光猫 LOS 灯闪红"],
    "install": ["新装 200M 宽带", "新装数字电视一台", "楼宇干线开通"],
    "complaint": ["维修人员未按约定时间上门", "月租费扣费有误"],
    "business": ["办理移机", "更换套餐为 200M"],
    "restore": ["欠费停机后已缴费，请求恢复"],
}
_CALLBACK_REASONS = {"after_repair": "维修完成回访", "after_install": "新装开通回访",
                     "after_complaint": "投诉处理结果回访", "periodic": "VIP 客户月度回访", "followup": "咨询问题答复"}


def _open_work(
    db: Database, rng: random.Random, fake: Faker, policy_name: str, now: datetime, orders: int = 30
) -> tuple[int, int]:
    """Some open work orders (a few near or past their deadline) and callbacks due."""
    from agentdesk.services.deadlines import work_order_deadlines

    with db.write() as session:
        agents = session.execute(select(col(Agent.id), col(Agent.number)).where(col(Agent.role) == "agent")).all()
        depts = {code: did for did, code in session.execute(select(col(Department.id), col(Department.code))).all()}
        max_id = session.execute(select(col(Customer.id)).order_by(col(Customer.id).desc()).limit(1)).scalar_one()
        kinds, descriptions = _ORDER_KINDS, _DESCRIPTIONS
        statuses = ["new", "dispatched", "in_progress"]
        count = 0
        for n in range(1, orders + 1):
            kind, dept = rng.choice(kinds)
            cust = session.get(Customer, rng.randrange(1, max_id + 1))
            assert cust is not None
            created = now - timedelta(minutes=rng.randrange(20, 60 * 72))
            severity = rng.choices(["general", "major", "critical"], [80, 15, 5])[0]
            if cust.tier == "private":
                dept = "PRIV"
            elif cust.tier in ("vip", "big") and kind == "repair":
                dept = "VIP"
            clocks = work_order_deadlines(policy_name, kind, severity, cust.area_class, cust.tier, created)
            agent_id = rng.choice(agents)[0]
            status = rng.choice(statuses)
            wo = WorkOrder(
                number=f"demo-{n}",  # numbered below from the id, as calls.create_work_order does
                customer_id=cust.id,
                kind=kind,
                severity=severity,
                area_class=cust.area_class,
                tier=cust.tier,
                department_id=depts[dept],
                owner_agent_id=agent_id,
                status=status,
                description=rng.choice(descriptions[kind]),
                created_at=created,
                dispatched_at=created + timedelta(minutes=5) if status != "new" else None,
                respond_by=clocks["respond_by"], reply_by=clocks["reply_by"], resolve_by=clocks["resolve_by"],
                callback_by=clocks["callback_by"], contact_by=clocks["contact_by"], warn_at=clocks["warn_at"],
            )
            session.add(wo)
            session.flush()
            assert wo.id is not None  # the flush gave it one
            wo.number = f"GD{created:%Y%m%d}-{wo.id:06d}"
            session.add(WorkOrderEvent(work_order_id=wo.id, at=created, kind="created", agent_id=agent_id))
            audit.record(session, "workorder.create", actor_id=agent_id, entity="work_order", entity_id=wo.id)
            count += 1

        callbacks = 0
        reasons = _CALLBACK_REASONS
        for _ in range(20):
            kind = rng.choice(list(reasons))
            cust = session.get(Customer, rng.randrange(1, max_id + 1))
            assert cust is not None
            phone = session.execute(
                select(col(CustomerPhone.phone)).where(col(CustomerPhone.customer_id) == cust.id).limit(1)
            ).scalar_one_or_none()
            session.add(Callback(
                kind=kind, customer_id=cust.id, contact_name=cust.name, contact_phone=phone,
                reason=reasons[kind], due_at=now + timedelta(minutes=rng.randrange(-600, 2880)),
                created_at=now - timedelta(hours=rng.randrange(1, 48)),
            ))
            callbacks += 1
    return count, callbacks


# The bulk history: (age below, in days; share still open). Older than the last band: 0.5 %
# open — stuck, so overdue.
_OPEN_SHARE = ((1, 0.9), (3, 0.6), (7, 0.3), (30, 0.05))
_AFTER = {"repair": "after_repair", "install": "after_install", "complaint": "after_complaint"}
ORDERS_A_DAY = 1400  # a center of a million customers: about half a million orders a year


_ORDER_COLUMNS = ("id", "number", "customer_id", "kind", "severity", "area_class", "tier", "department_id",
                  "owner_agent_id", "status", "description", "phrase_flag", "created_at", "dispatched_at",
                  "resolved_at", "closed_at", "respond_by", "reply_by", "resolve_by", "callback_by", "contact_by",
                  "warn_at", "escalation_level", "version")
_EVENT_COLUMNS = ("work_order_id", "at", "kind", "agent_id")
_CALLBACK_COLUMNS = ("kind", "customer_id", "work_order_id", "reason", "due_at", "status", "attempts", "outcome",
                     "satisfaction", "created_at", "done_at")


def _bulk_work(
    db: Database, rng: random.Random, policy_name: str, now: datetime, count: int,
    *, after_customers: _BulkLoad | None = None,
) -> tuple[int, int]:
    """A center's history of ``count`` work orders and their callbacks (the package docstring).

    ``after_customers``: the customers' bulk load still to be restored. Its indexes and FTS
    tables are then built on a thread — SQLite work, the GIL released — while the orders
    are made here into a staging file (the main database is that thread's to write), and
    copied over in one ``INSERT … SELECT`` per table once it is done.
    """
    from agentdesk.policy import AREAS, PAUSE, TIERS
    from agentdesk.services.deadlines import work_order_deadlines

    with db.read() as session:
        agents = list(session.execute(select(col(Agent.id)).where(col(Agent.role) == "agent").order_by(col(Agent.id)))
                      .scalars())
        depts = {code: did for did, code in session.execute(select(col(Department.id), col(Department.code))).all()}
        max_id = session.execute(select(func.max(Customer.id))).scalar_one() or 0
        first_order = (session.execute(select(func.max(WorkOrder.id))).scalar_one() or 0) + 1
        # Each customer's tier and area class in two bytes, not a million row objects.
        tier_of, area_of = bytearray(max_id + 1), bytearray(max_id + 1)
        for cid, tier, area in session.connection().exec_driver_sql(
                "SELECT id, tier, area_class FROM customers"):
            tier_of[cid], area_of[cid] = TIERS.index(tier) + 1, AREAS.index(area) + 1
    if max_id == 0 or not agents:
        if after_customers is not None:
            after_customers.restore()
        return 0, 0
    span = max(14.0, min(730.0, count / ORDERS_A_DAY)) * 1440  # minutes of history
    rnd = rng.random
    minute = timedelta(minutes=1)
    now_minute = now.replace(second=0, microsecond=0)
    orders: list[tuple] = []
    events: list[tuple] = []
    callbacks: list[tuple] = []
    made_callbacks = 0
    made = False
    staging = restoring = None
    if after_customers is not None:
        if after_customers.saved is not None and db.engine.url.database not in (None, "", ":memory:"):
            staging = _Staging(db)
            restoring = _Background(after_customers.restore)
        else:
            after_customers.restore()

    def flush() -> None:
        if staging is not None:
            staging.write(orders, events, callbacks)
        else:
            with db.write() as session:
                _insert(session, WorkOrder, _ORDER_COLUMNS, orders)
                _insert(session, WorkOrderEvent, _EVENT_COLUMNS, events)
                _insert(session, Callback, _CALLBACK_COLUMNS, callbacks)
        orders.clear()
        events.clear()
        callbacks.clear()

    try:
        for n in range(count):
            oid = first_order + n
            age = 20 + int(rnd() * span)
            days = age / 1440
            share = next((s for below, s in _OPEN_SHARE if days < below), 0.005)
            created = now_minute - age * minute
            cid = 1 + int(rnd() * max_id)
            while not tier_of[cid]:
                cid = 1 + int(rnd() * max_id)
            tier, area = TIERS[tier_of[cid] - 1], AREAS[area_of[cid] - 1]
            kind, dept = _ORDER_KINDS[int(rnd() * len(_ORDER_KINDS))]
            roll = rnd()
            severity = "general" if roll < 0.8 else "major" if roll < 0.95 else "critical"
            if tier == "private":
                dept = "PRIV"
            elif tier in ("vip", "big") and kind == "repair":
                dept = "VIP"
            agent_id = agents[int(rnd() * len(agents))]
            resolved = closed = None
            if rnd() < share:
                status = ("new", "dispatched", "in_progress")[int(rnd() * 3) if days < 1 else 1 + int(rnd() * 2)]
            else:
                status = ("resolved", "callback", "closed", "closed")[int(rnd() * 4)] if days < 7 else "closed"
                resolved = min(created + (30 + int(rnd() * 2880)) * minute, now - minute)
                if status == "closed":
                    closed = min(resolved + (60 + int(rnd() * 4320)) * minute, now)
            clocks = work_order_deadlines(policy_name, kind, severity, area, tier, created, done_at=resolved)
            descriptions = _DESCRIPTIONS[kind]
            orders.append((
                oid, f"GD{created:%Y%m%d}-{oid:06d}", cid, kind, severity, area, tier, depts[dept], agent_id, status,
                descriptions[int(rnd() * len(descriptions))], False, created,
                created + (5 + int(rnd() * 25)) * minute if status != "new" else None, resolved, closed,
                clocks["respond_by"], clocks["reply_by"], clocks["resolve_by"], clocks["callback_by"],
                clocks["contact_by"], clocks["warn_at"], 0, 1,
            ))
            events.append((oid, created, "created", agent_id))
            if resolved is None:
                if rnd() < 0.02:  # the customer was not at home: the clock stands still
                    events.append((oid, min(created + (10 + int(rnd() * max(1, age - 10))) * minute, now), PAUSE,
                                   agent_id))
            elif status != "closed" or rnd() < 0.19:
                done = status == "closed"
                after = _AFTER.get(kind, "followup")
                callbacks.append((
                    after, cid, oid, _CALLBACK_REASONS[after], clocks["callback_by"] or resolved + 1440 * minute,
                    "done" if done else "pending", 1 if done else 0, "satisfied" if done else None,
                    3 + int(rnd() * 3) if done else None, resolved, closed if done else None,
                ))
            if rnd() < 0.01:  # a VIP's periodic call, no order behind it
                vip = 1 + int(rnd() * max_id)
                if tier_of[vip] == 2:
                    callbacks.append((
                        "periodic", vip, None, _CALLBACK_REASONS["periodic"],
                        now + (int(rnd() * 47520) - 4320) * minute, "pending", 0, None, None,
                        now - (1 + int(rnd() * 29)) * 1440 * minute, None,
                    ))
            if len(orders) >= 2 * BATCH:
                made_callbacks += len(callbacks)
                flush()
        made_callbacks += len(callbacks)
        flush()
        made = True
    finally:
        if staging is not None:
            staging.close()
        try:
            if restoring is not None:
                restoring.join()  # raises what the thread raised
        finally:
            if staging is not None and not (made and restoring is not None and restoring.error is None):
                staging.path.unlink(missing_ok=True)
    if staging is not None:
        staging.copy_into(db)
    with db.write() as session:
        _set_sequence(session, "work_orders")
    return count, made_callbacks


class _Background(threading.Thread):
    """``target`` on a thread; :meth:`join` raises what it raised."""

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__(name="demo-restore", daemon=True)
        self._call = target
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._call()
        except BaseException as exc:  # handed to the joining thread
            self.error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


class _Staging:
    """A scratch SQLite file beside the database for the work tables' rows (no indexes, no
    journal), copied into the database with one ``INSERT … SELECT`` each."""

    TABLES: tuple[tuple[type[SQLModel], tuple[str, ...]], ...] = (
        (WorkOrder, _ORDER_COLUMNS), (WorkOrderEvent, _EVENT_COLUMNS), (Callback, _CALLBACK_COLUMNS))

    def __init__(self, db: Database) -> None:
        import sqlite3

        main = Path(str(db.engine.url.database))
        self.path = main.with_name(main.name + ".demo-staging")
        self.path.unlink(missing_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        for model, columns in self.TABLES:
            self.conn.execute(f"CREATE TABLE {model.__tablename__} ({', '.join(columns)})")

    def write(self, *batches: list[tuple]) -> None:
        self.conn.execute("BEGIN")
        for (model, columns), rows in zip(self.TABLES, batches, strict=True):
            if rows:
                self.conn.executemany(
                    f"INSERT INTO {model.__tablename__} VALUES ({', '.join('?' * len(columns))})",
                    _sqlite_rows(model, columns, rows))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def copy_into(self, db: Database) -> None:
        try:
            with db.engine.connect() as connection:
                raw = connection.connection.driver_connection
                assert raw is not None
                raw.execute("ATTACH DATABASE ? AS demo_staging", (str(self.path),))
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    for model, columns in self.TABLES:
                        names = ", ".join(columns)
                        raw.execute(f"INSERT INTO main.{model.__tablename__} ({names}) "
                                    f"SELECT {names} FROM demo_staging.{model.__tablename__}")
                    raw.execute("COMMIT")
                except BaseException:
                    raw.execute("ROLLBACK")
                    raise
                finally:
                    raw.execute("DETACH DATABASE demo_staging")
        finally:
            self.path.unlink(missing_ok=True)
