"""The hot queries read through indexes: EXPLAIN QUERY PLAN of every caller-search step,
the customer card and the queues, on a demo built by the large-demo path (SQLite).

Caller search (``services.customers``) runs as steps, each one prebuilt statement; every
step every kind of query can take is explained here — the B-tree steps must SEARCH an
index and come out of it in order (no temporary sort), the phone-fragment and name
substring steps must be FTS5 MATCH lookups. The queues (``list_orders``,
``callbacks.queue``, ``take_next``) and the card may not scan ``work_orders``,
``callbacks``, ``calls``, ``customers`` or ``customer_phones``. Both with fresh statistics
and after ``ANALYZE`` (what ``PRAGMA optimize`` leaves behind).

Also here: the search FTS indexes stay right through inserts, updates and deletes, and
after a bulk load (the large demo drops the triggers and indexes and puts them back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, event, insert, select, update

from agentdesk import clock
from agentdesk.clock import FixedClock, SystemClock
from agentdesk.db import Database, open_database
from agentdesk.models import Agent, Customer, CustomerPhone
from agentdesk.normalize import pinyin_keys
from agentdesk.services import accounts, callbacks, customers, demo
from agentdesk.services import workorders as wo
from tests.conftest import T0

HOT_TABLES = ("work_orders", "callbacks", "calls", "customers", "customer_phones")
FULL_SCAN = re.compile(rf"\bSCAN ({'|'.join(HOT_TABLES)})\b(?! USING (COVERING )?INDEX)")
FTS_LOOKUP = re.compile(r"SCAN (customer_phones_fts|customers_name_fts) VIRTUAL TABLE INDEX \d+:M")

# Queries that between them take every SQLite step: user codes and phones whole, in
# part, from the start and from inside; pinyin, initials; names whole, in part, rare.
QUERIES = ["220100000001", "13800138000", "138 0013", "8886666", "800", "0431", "2201", "043188886666",
           "zs", "zhangsan", "zhang", "z", "张三", "张", "买买提", "𠮷", "田秀", "长春市第一", "A&B"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo through the large-demo path at a small size: pooled names past the 300th
    customer, bulk load (triggers and indexes off, then rebuilt) and the work-order history."""
    clock.set_clock(FixedClock(T0))
    path = tmp_path_factory.mktemp("plans") / "desk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(demo.build, "FAKER_NAMES", 300)  # where each is read
            mp.setattr(demo.bulk, "BULK_LOAD", 100)
            demo.build_demo(db, customers=1500, workorders=3000, handovers=False)
    finally:
        db.dispose()
        clock.set_clock(SystemClock())
    return path


@pytest.fixture(scope="module", params=["fresh", "analyzed"])
def scaled(request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    copy = tmp_path_factory.mktemp(request.param) / "desk.sqlite3"
    source = open_database(f"sqlite:///{built}", migrate=False, check=False)
    source.backup(copy)
    source.dispose()
    db = open_database(f"sqlite:///{copy}")
    if request.param == "analyzed":
        with db.write() as s:
            s.connection().exec_driver_sql("ANALYZE")
    yield db
    db.dispose()


@contextmanager
def captured(db: Database) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def explain(db: Database, statements: list[tuple[str, object]]) -> list[tuple[str, list[str]]]:
    with db.engine.connect() as conn:
        return [(sql, [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()])
                for sql, params in statements if re.search(rf"\b({'|'.join(HOT_TABLES)})\b", sql)]


def plans(db: Database, run: Callable[[], object]) -> list[tuple[str, list[str]]]:
    with captured(db) as statements:
        run()
    found = explain(db, statements)
    assert found, "nothing was captured"
    return found


def assert_no_full_scan(found: list[tuple[str, list[str]]]) -> None:
    for sql, steps in found:
        bad = [s for s in steps if FULL_SCAN.search(s)]
        assert not bad, f"full scan in plan {steps} for:\n{sql}"


def _step_plans(db: Database, query: str) -> dict[str, list[str]]:
    """Each step the query takes, run on its own, with its plan."""
    text = query.strip()
    out: dict[str, list[str]] = {}
    with db.read() as session:
        fts = customers._sqlite_fts(session)
        assert fts, "the search FTS tables are missing"
        for step, params, _ in customers._search_steps(text, fts):
            with captured(db) as statements:
                session.connection().execute(customers._STEPS[step], {**params, "n": customers.SEARCH_LIMIT}).all()
            [(sql, steps)] = explain(db, statements)
            out[step] = steps
    return out


# -- caller search -----------------------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_every_search_step_reads_an_index(scaled: Database, query: str) -> None:
    for step, steps in _step_plans(scaled, query).items():
        assert not [s for s in steps if FULL_SCAN.search(s)], (step, steps)
        assert not [s for s in steps if "TEMP B-TREE" in s], (step, steps)  # index order, no sort
        if step.endswith("_fts"):
            assert any(FTS_LOOKUP.search(s) for s in steps), (step, steps)
        else:
            assert any(re.search(r"\bSEARCH (customers|customer_phones) USING", s) for s in steps), (step, steps)


def test_the_queries_cover_every_sqlite_step(scaled: Database) -> None:
    taken = {step for q in QUERIES for step, _, _ in customers._search_steps(q, True)}
    # phone_like / name_like are the PostgreSQL (pg_trgm) and pre-0004 forms, name_grams*
    # PostgreSQL's gram table (tests/postgres/test_search_plans_pg.py).
    pg_only = {"phone_like", "name_like"} | {s for s in customers._STEPS if s.startswith("name_grams")}
    assert taken == set(customers._STEPS) - pg_only


@pytest.mark.parametrize("query", QUERIES)
def test_search_sends_only_indexed_statements(scaled: Database, query: str) -> None:
    def run() -> object:
        with scaled.read() as s:
            return customers.search_customers(s, query)

    found = plans(scaled, run)
    assert_no_full_scan(found)
    for sql, steps in found:
        sql = " ".join(sql.split())
        if "FROM customer_phones WHERE customer_phones.customer_id IN" in sql and "ORDER BY customer_phones.id" in sql:
            continue  # the first phone of the (at most 20) hits: a sort of a handful of rows
        assert not [s for s in steps if "TEMP B-TREE" in s], (sql, steps)


def test_search_stops_at_the_limit_and_lists_exact_matches_first(scaled: Database) -> None:
    with scaled.read() as s:
        hits = customers.search_customers(s, "z")
        assert len(hits) == customers.SEARCH_LIMIT
        zs = customers.search_customers(s, "zs")
        exact = [pinyin_keys(h.name)[0] == "zs" for h in zs]
        assert "张三" in [h.name for h in zs] and exact == sorted(exact, reverse=True)  # exact ones first
        exact_names = [h.name for h in zs if pinyin_keys(h.name)[0] == "zs"]
        assert exact_names == sorted(exact_names)  # then by name
        assert customers.search_customers(s, "220100000001")[0].name == "张三"
        assert [h.name for h in customers.search_customers(s, "8886666")] == ["张三"]
        assert customers.search_customers(s, "买买提")[0].name == "阿卜杜拉·买买提"
        assert customers.search_customers(s, "A&B") == customers.search_customers(s, "%") == []


# -- the card and the queues ---------------------------------------------------------------------


def test_customer_card_uses_indexes(scaled: Database) -> None:
    with scaled.read() as s:
        busy = s.execute(select(Customer.id).order_by(Customer.id.desc()).limit(1)).scalar_one()
    for cid in (1, busy):
        def run(cid: int = cid) -> object:
            with scaled.read() as s:
                return customers.customer_card(s, cid, T0)

        assert_no_full_scan(plans(scaled, run))


@pytest.mark.parametrize(
    "kwargs", [{}, {"overdue": True}, {"warning": True}, {"status": "closed"}],
    ids=["open", "overdue", "warning", "closed"],
)
def test_order_queues_read_the_index_in_order(scaled: Database, kwargs: dict) -> None:
    def first() -> wo.Page:
        with scaled.read() as s:
            return wo.list_orders(s, page_size=20, **kwargs)

    page = first()
    assert page.rows, "the demo history has orders in every queue"
    found = plans(scaled, first)
    assert_no_full_scan(found)
    main = [steps for sql, steps in found if "FROM work_orders" in sql and "ORDER BY work_orders.resolve_by" in sql]
    assert main
    for steps in main:
        assert any("ix_work_orders_status_" in s for s in steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps
    if page.next_cursor is not None:
        def following() -> object:
            with scaled.read() as s:
                return wo.list_orders(s, page_size=20, cursor=page.next_cursor, **kwargs)

        assert_no_full_scan(plans(scaled, following))


@pytest.mark.parametrize("due", [None, T0], ids=["queue", "due_now"])
def test_callback_queue_reads_the_index_in_order(scaled: Database, due: object) -> None:
    def run() -> callbacks.Page:
        with scaled.read() as s:
            return callbacks.queue(s, page_size=20, due_before=due)

    assert run().rows
    found = plans(scaled, run)
    assert_no_full_scan(found)
    for sql, steps in found:
        if "FROM callbacks" in sql and "ORDER BY callbacks.due_at" in sql:
            assert any("ix_callbacks_status_due_at" in s for s in steps), steps
            assert not any("TEMP B-TREE" in s for s in steps), steps


def test_take_next_uses_an_index(scaled: Database) -> None:
    with scaled.read() as s:
        agent = accounts.get_agent(s, "1024")
    taken = []
    assert_no_full_scan(plans(scaled, lambda: taken.append(callbacks.take_next(scaled, actor=agent))))
    assert taken[0] is not None


# -- the FTS indexes stay right -----------------------------------------------------------------------


def _integrity(db: Database) -> None:
    with db.write() as s:
        for fts in ("customers_name_fts", "customer_phones_fts"):
            s.connection().exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def test_bulk_load_restores_the_schema_and_the_indexes(built: Path, tmp_path: Path) -> None:
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    bulk = open_database(f"sqlite:///{built}", migrate=False, check=False)
    try:
        # Indexes, triggers and views (what the bulk load takes off and puts back); the
        # tables by name (batch migrations write their foreign keys in varying order).
        schema = ("SELECT type, name, CASE type WHEN 'table' THEN NULL ELSE sql END FROM sqlite_master "
                  "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name")
        with fresh.read() as a, bulk.read() as b:
            assert b.execute(select(Customer.id)).first() is not None
            assert a.connection().exec_driver_sql(schema).all() == b.connection().exec_driver_sql(schema).all()
            for fts in ("customer_phones_fts", "customers_name_fts"):  # automerge back at its default
                config = f"SELECT k, v FROM {fts}_config"
                before, after = (dict(x.connection().exec_driver_sql(config).all()) for x in (a, b))
                assert {"automerge": 4, **before} == after
        _integrity(bulk)
        assert not list(built.parent.glob("*.demo-staging"))  # the work orders' scratch file is gone
    finally:
        fresh.dispose()
        bulk.dispose()


def test_pooled_names_have_the_pinyin_of_the_whole_name(built: Path) -> None:
    db = open_database(f"sqlite:///{built}", migrate=False, check=False)
    try:
        with db.read() as s:
            rows = s.execute(select(Customer.name, Customer.name_initials, Customer.name_pinyin)
                             .where(Customer.id > 300)).all()
    finally:
        db.dispose()
    assert len(rows) == 1200
    assert all(pinyin_keys(name) == (initials, full) for name, initials, full in rows)


def test_fts_follows_every_write(db: Database) -> None:
    with db.write() as s:
        s.add(Customer(id=1, user_code="U1", name="欧阳娜娜", created_at=T0))
        s.flush()
        s.execute(insert(CustomerPhone), [{"customer_id": 1, "phone": "13912345678", "kind": "mobile"},
                                          {"customer_id": 1, "phone": "02112345678#801", "kind": "landline"}])

    def names(q: str) -> list[str]:
        with db.read() as s:
            return [h.name for h in customers.search_customers(s, q)]

    assert names("阳娜") == names("9123456") == names("801") == names("2345") == ["欧阳娜娜"]
    with db.write() as s:
        s.execute(update(Customer).where(Customer.id == 1).values(name="欧阳小明"))
        s.execute(update(CustomerPhone).where(CustomerPhone.phone == "13912345678").values(phone="13700001111"))
    assert names("阳娜") == names("9123456") == []
    assert names("阳小") == names("0000111") == ["欧阳小明"]
    with db.write() as s:  # the importer replaces phones: delete, then insert
        s.execute(delete(CustomerPhone).where(CustomerPhone.customer_id == 1))
        s.execute(insert(CustomerPhone), [{"customer_id": 1, "phone": "13655556666", "kind": "mobile"}])
    assert names("801") == names("0000111") == []
    assert names("5556666") == ["欧阳小明"]
    _integrity(db)
    with db.write() as s:
        s.execute(delete(CustomerPhone))
        s.execute(delete(Customer))
    assert names("小明") == names("5556666") == []
    _integrity(db)
    with db.read() as s:
        assert s.execute(select(Agent.id)).first() is None  # nothing else was touched


# -- PostgreSQL ---------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_finds_what_sqlite_finds(pg_url: str, db: Database) -> None:
    pg = open_database(pg_url)
    try:
        with pg.read() as s:
            indexes = set(s.connection().exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'").scalars())
        assert indexes == {"ix_customer_phones_phone_trgm", "ix_customers_name_trgm"}
        demo.build_demo(pg, customers=300, handovers=False)
        demo.build_demo(db, customers=300, handovers=False)
        for query in QUERIES:
            with pg.read() as a, db.read() as b:
                assert customers.search_customers(a, query) == customers.search_customers(b, query), query
        with pg.write() as s:  # the serial moved past the demo's ids
            s.add(Customer(user_code="U-new", name="新客户", created_at=T0 + timedelta(days=1)))
    finally:
        pg.dispose()
