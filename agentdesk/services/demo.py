"""The demo database: realistic Chinese customers, staff, open work and a knowledge base.

Bulk inserts (one executemany per batch, not one ORM object per row) keep a large demo
quick: ``agentdesk demo --customers 1000000 --workorders 1000000`` builds a center's worth
of data in about a minute (docs/performance.md). Same seed, same people, numbers,
addresses and work; times are relative to the clock.

Scale paths:

* customers — the first ``FAKER_NAMES`` are named by Faker zh_CN, one call per row, as
  the demo always was (so a small demo's people do not change); beyond, names are drawn
  from the same Faker surname (weighted) and given-name pools with the seeded RNG, a third
  of them with a two-character given name, and their pinyin is the cached pinyin of the
  parts — Faker and pypinyin per row would take most of the minute;
* work orders — up to ``BULK_WORK`` the hand-made open orders (with events and audit rows
  each); above, a history: orders spread over two years, the recent ones mostly open, the
  old ones closed (a few stuck open, so overdue), deadlines from the policy
  (``services.deadlines.work_order_deadlines``, one call per order: the pure engine makes
  hundreds of thousands a second), a ``created`` event each, one in fifty open orders
  paused; and their callbacks — owed for orders resolved or awaiting the callback, done
  for a share of the closed ones, and a few periodic VIP calls — about one per five orders.

From ``BULK_LOAD`` rows (SQLite) a table is loaded without its secondary indexes and
search triggers, which are built whole afterwards (:class:`_BulkLoad`); with customers
and work orders both in bulk, the customers' indexes are built on a thread while the
orders are generated into a staging file (:func:`_bulk_work`).
"""

from __future__ import annotations

import random
import threading
import tomllib
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate, chain
from pathlib import Path

from faker import Faker
from sqlalchemy import DateTime, func, select, text

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import (
    Agent,
    Callback,
    Customer,
    CustomerPhone,
    Department,
    KbArticle,
    WorkOrder,
    WorkOrderEvent,
)
from agentdesk.normalize import normalize_name, parse_phone, pinyin_keys
from agentdesk.paths import data_dir
from agentdesk.services import accounts, audit

DEFAULT_SEED = 96633
TIER_WEIGHTS = {"regular": 90, "vip": 6, "big": 3, "private": 1}
BATCH = 5000
#: Customers up to this id are named by Faker per row; the rest from its pools (see above).
FAKER_NAMES = 20_000
#: More work orders than this are built by the bulk path (a history, with callbacks).
BULK_WORK = 200


@dataclass(frozen=True)
class DemoLogin:
    number: str
    name: str
    role: str
    pin: str


@dataclass
class DemoSummary:
    customers: int = 0
    work_orders: int = 0
    callbacks: int = 0
    handovers: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _load(name: str) -> dict:
    with open(data_dir() / name, "rb") as fh:
        return tomllib.load(fh)


def _customer_rows(
    count: int, start_index: int, rng: random.Random, fake: Faker, areas: list[dict], area_code: str, now: datetime
):
    tiers = list(TIER_WEIGHTS)
    weights = list(TIER_WEIGHTS.values())
    for i in range(start_index, start_index + count):
        area = areas[rng.randrange(len(areas))]
        name = fake.name()
        initials, full = pinyin_keys(name)
        phones = [("1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}", "mobile")]
        if rng.random() < 0.3:
            phones.append((f"{area_code}{rng.randrange(8_0000_000, 9_0000_000)}", "landline"))
        building = rng.randrange(1, 40)
        unit = rng.randrange(1, 7)
        room = rng.randrange(1, 19) * 100 + rng.randrange(1, 5)
        yield (
            {
                "id": i,
                "user_code": f"2201{i:08d}",
                "name": name,
                "name_initials": initials,
                "name_pinyin": full,
                "address": f"{area['name']} {building} 栋 {unit} 单元 {room}",
                "area_name": area["name"],
                "area_class": area["class"],
                "tier": rng.choices(tiers, weights)[0],
                "created_at": now - timedelta(days=rng.randrange(30, 3000)),
            },
            phones,
        )


_CUSTOMER_COLUMNS = ("id", "user_code", "name", "name_initials", "name_pinyin", "address", "area_name",
                     "area_class", "tier", "created_at")
_PHONE_COLUMNS = ("customer_id", "phone", "kind")


class _NamePool:
    """Faker zh_CN's surnames (with their weights) and given names, drawn with our RNG."""

    def __init__(self, fake: Faker) -> None:
        provider = fake.provider("faker.providers.person")
        assert provider is not None
        surnames = provider.last_names  # type: ignore[attr-defined]
        self.surnames = list(surnames)
        self.cum_weights = list(accumulate(surnames.values()))
        self.given = list(provider.first_names)  # type: ignore[attr-defined]
        self.single = [g for g in self.given if len(g) == 1]
        self._keys: dict[str, tuple[str, str]] = {}

    def keys(self, part: str) -> tuple[str, str]:
        found = self._keys.get(part)
        if found is None:
            found = self._keys[part] = pinyin_keys(part)
        return found

    def draw(self, rnd: Callable[[], float]) -> tuple[str, str, str]:
        """(name, initials, full pinyin): the pinyin of the parts, joined (the same as of the
        whole name for every name these pools make; a unit test checks)."""
        surnames, given, single = self.surnames, self.given, self.single
        surname = surnames[min(bisect(self.cum_weights, rnd() * self.cum_weights[-1]), len(surnames) - 1)]
        if rnd() < 0.35:
            first = single[int(rnd() * len(single))] + single[int(rnd() * len(single))]
        else:
            first = given[int(rnd() * len(given))]
        (si, sf), (gi, gf) = self.keys(surname), self.keys(first)
        return surname + first, si + gi, sf + gf


def _pooled_customer_rows(
    count: int, start_index: int, rng: random.Random, fake: Faker, areas: list[dict], area_code: str, now: datetime
) -> Iterator[tuple[tuple, list[tuple]]]:
    """Like :func:`_customer_rows` (as ``_CUSTOMER_COLUMNS`` tuples), names from
    :class:`_NamePool`, every draw a ``random()``: the path for a large demo."""
    pool = _NamePool(fake)
    tiers = list(TIER_WEIGHTS)
    tier_cum = list(accumulate(TIER_WEIGHTS.values()))
    addresses = [(a["name"], a["class"]) for a in areas]
    created = [now - timedelta(days=d) for d in range(30, 3000)]
    rnd = rng.random
    for i in range(start_index, start_index + count):
        area_name, area_class = addresses[int(rnd() * len(addresses))]
        name, initials, full = pool.draw(rnd)
        phones = [(i, f"1{'3456789'[int(rnd() * 7)]}{int(rnd() * 1e9):09d}", "mobile")]
        if rnd() < 0.3:
            phones.append((i, f"{area_code}{8_0000_000 + int(rnd() * 1e7)}", "landline"))
        address = (f"{area_name} {1 + int(rnd() * 39)} 栋 {1 + int(rnd() * 6)} 单元 "
                   f"{(1 + int(rnd() * 18)) * 100 + 1 + int(rnd() * 4)}")
        tier = tiers[bisect(tier_cum, rnd() * tier_cum[-1])]
        yield ((i, f"2201{i:08d}", name, initials, full, address, area_name, area_class, tier,
                created[int(rnd() * len(created))]), phones)


def build_demo(
    db: Database,
    *,
    customers: int = 2000,
    seed: int = DEFAULT_SEED,
    policy: str = "generic",
    progress: Callable[[int], None] | None = None,
    handovers: bool = True,
    workorders: int = 30,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data.

    ``customers`` in all (the five fixed ones included); ``workorders`` — the default 30
    open orders come with 20 callbacks; above ``BULK_WORK``, a history of that many orders
    with about a fifth as many callbacks (see the module docstring).
    """
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    now = clock.now()
    people = _load("demo/people.toml")
    area_data = _load("demo/areas.toml")
    areas = area_data["area"]
    area_class = {a["name"]: a["class"] for a in areas}
    summary = DemoSummary()

    with db.write() as session:
        for dept in people["department"]:
            session.add(Department(code=dept["code"], name=dept["name"], phone=dept.get("phone")))
        for a in people["agent"]:
            accounts.add_agent(session, a["number"], a["name"], a["role"], a["pin"], team=a.get("team"))
            summary.logins.append(DemoLogin(a["number"], a["name"], a["role"], a["pin"]))
        kb = _load("kb/articles.toml")
        for art in kb["article"]:
            session.add(KbArticle(title=art["title"], body=art["body"].strip(), category=art.get("category", ""),
                                  tags=art.get("tags", ""), updated_at=now))
        # The fixed customers: the edge cases a newcomer should be able to find.
        next_id = 1
        for c in people["customer"]:
            name = normalize_name(c["name"])
            initials, full = pinyin_keys(name)
            cust = Customer(id=next_id, user_code=c["user_code"], name=name, name_initials=initials,
                            name_pinyin=full, address=c["address"], area_name=c["area"],
                            area_class=area_class[c["area"]], tier=c["tier"], created_at=now - timedelta(days=400))
            session.add(cust)
            session.flush()
            for raw in c["phones"]:
                ph = parse_phone(raw)
                session.add(CustomerPhone(customer_id=next_id, phone=ph.number, kind=ph.kind))
            next_id += 1
        audit.record(session, "demo.build", actor_id=None, seed=seed, customers=customers, workorders=workorders)

    remaining = max(0, customers - (next_id - 1))
    named = max(0, min(remaining, FAKER_NAMES - (next_id - 1)))
    rows = chain(
        ((tuple(row[c] for c in _CUSTOMER_COLUMNS), [(row["id"], p, k) for p, k in phones])
         for row, phones in _customer_rows(named, next_id, rng, fake, areas, area_data["area_code"], now)),
        _pooled_customer_rows(remaining - named, next_id + named, rng, fake, areas, area_data["area_code"], now),
    )
    with _BulkLoad(db, ("customers", "customer_phones"), remaining) as loading:
        done = _load_customers(db, rows, remaining, progress)
        summary.customers = next_id - 1 + done
        if not db.is_sqlite:
            with db.write() as session:
                _set_sequence(session, "customers")
        if workorders > BULK_WORK:
            with _BulkLoad(db, ("work_orders", "work_order_events", "callbacks"), workorders) as work:
                # Both loads in bulk: the customers' indexes are built while the orders are made.
                summary.work_orders, summary.callbacks = _bulk_work(
                    db, rng, policy, now, workorders, after_customers=loading if work.active else None)
        else:
            loading.restore()
            summary.work_orders, summary.callbacks = _open_work(db, rng, fake, policy, now, workorders)
    if handovers:
        # Past shifts with their handover notes, one of them not yet acknowledged by 1024.
        from agentdesk.services.handover_demo import build_demo_handovers

        summary.handovers = build_demo_handovers(db, rng=rng, now=now)
    return summary


def _load_customers(db: Database, rows: Iterator[tuple[tuple, list[tuple]]], remaining: int,
                    progress: Callable[[int], None] | None) -> int:
    done = 0
    while done < remaining:
        chunk = []
        phone_rows: list[tuple] = []
        for row, phones in rows:
            chunk.append(row)
            phone_rows += phones
            if len(chunk) >= BATCH:
                break
        if not chunk:
            break
        with db.write() as session:
            _insert(session, Customer, _CUSTOMER_COLUMNS, chunk)
            _insert(session, CustomerPhone, _PHONE_COLUMNS, phone_rows)
        done += len(chunk)
        if progress:
            progress(done)
    return done


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
        agents = session.execute(select(Agent.id, Agent.number).where(Agent.role == "agent")).all()
        depts = {code: did for did, code in session.execute(select(Department.id, Department.code)).all()}
        max_id = session.execute(select(Customer.id).order_by(Customer.id.desc()).limit(1)).scalar_one()
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
                **clocks,
            )
            session.add(wo)
            session.flush()
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
                select(CustomerPhone.phone).where(CustomerPhone.customer_id == cust.id).limit(1)
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


#: From this many rows, a SQLite bulk load takes the indexes and search triggers off first.
BULK_LOAD = 50_000
_FTS_OF = {"customers": "customers_name_fts", "customer_phones": "customer_phones_fts"}


class _BulkLoad:
    """SQLite, many rows: load ``tables`` without their secondary indexes and FTS triggers.

    Maintaining five or ten B-trees and two FTS5 indexes row by row costs many times the
    insert itself; building each once at the end (CREATE INDEX sorts; FTS5 ``'rebuild'``
    reads the table once) does not. The definitions are read back from ``sqlite_master``
    and restored exactly by :meth:`restore` — on leaving the ``with`` block at the latest,
    also when the load fails. :meth:`restore` is all SQLite work (the GIL is released), so
    it may run on a thread while Python prepares the next load.
    """

    def __init__(self, db: Database, tables: tuple[str, ...], rows: int) -> None:
        self.db, self.tables = db, tables
        self.active = db.is_sqlite and rows >= BULK_LOAD
        self.saved: list | None = None

    def __enter__(self) -> _BulkLoad:
        if self.active:
            names = ", ".join(f"'{t}'" for t in self.tables)
            with self.db.write() as session:
                self.saved = list(session.execute(text(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                    f"AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY type, name")).all())
                for kind, name, _ in self.saved:
                    session.connection().exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        saved, self.saved = self.saved, None
        if saved is None:
            return
        with self.db.write() as session:
            connection = session.connection()
            connection.exec_driver_sql("PRAGMA cache_size=-262144")  # the sorts and FTS merges, in memory
            try:
                for kind, _, sql in saved:
                    if kind == "index":
                        connection.exec_driver_sql(sql)
                for table in self.tables:
                    fts = _FTS_OF.get(table)
                    if fts and any(kind == "trigger" and f" {fts}(" in sql for kind, _, sql in saved):
                        # Built whole, then merged once: no incremental merging on the way.
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 0)")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 4)")
                for kind, _, sql in saved:
                    if kind == "trigger":
                        connection.exec_driver_sql(sql)
            finally:
                connection.exec_driver_sql("PRAGMA cache_size=-2000")


def _insert(session, model, columns: tuple[str, ...], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    """One executemany of ``rows`` (tuples in the order of ``columns``) into ``model``'s table.

    SQLite gets the tuples as they are, datetimes turned into SQLAlchemy's storage format
    (``2026-11-23 09:00:00.000000``) here: its per-value bind processing would take longer
    than the inserts themselves at a million rows.
    """
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
        return
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        _sqlite_rows(model, columns, rows))


def _sqlite_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> list[tuple]:  # type: ignore[no-untyped-def]
    """``rows`` with their datetimes in SQLAlchemy's SQLite storage format."""
    table = model.__table__
    stamps = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, DateTime)]
    if not stamps:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i in stamps:
            if values[i] is not None:
                values[i] = values[i].isoformat(" ", "microseconds")
        converted.append(tuple(values))
    return converted


def _set_sequence(session, table: str) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL: rows inserted with their ids leave the serial behind; move it past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"))


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
    """A center's history of ``count`` work orders and their callbacks (module docstring).

    ``after_customers``: the customers' bulk load still to be restored. Its indexes and FTS
    tables are then built on a thread — SQLite work, the GIL released — while the orders
    are made here into a staging file (the main database is that thread's to write), and
    copied over in one ``INSERT … SELECT`` per table once it is done.
    """
    from agentdesk.policy import AREAS, PAUSE, TIERS
    from agentdesk.services.deadlines import work_order_deadlines

    with db.read() as session:
        agents = list(session.execute(select(Agent.id).where(Agent.role == "agent").order_by(Agent.id)).scalars())
        depts = {code: did for did, code in session.execute(select(Department.id, Department.code)).all()}
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
                        "periodic", vip, None, _CALLBACK_REASONS["periodic"], now + (int(rnd() * 47520) - 4320) * minute,
                        "pending", 0, None, None, now - (1 + int(rnd() * 29)) * 1440 * minute, None,
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

    TABLES = ((WorkOrder, _ORDER_COLUMNS), (WorkOrderEvent, _EVENT_COLUMNS), (Callback, _CALLBACK_COLUMNS))

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
        for (model, columns), rows in zip(self.TABLES, batches):
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


def demo_logins() -> list[DemoLogin]:
    """The demo accounts, as shipped in data/demo/people.toml."""
    return [DemoLogin(a["number"], a["name"], a["role"], a["pin"]) for a in _load("demo/people.toml")["agent"]]
