"""Chinese name and knowledge-base search read through indexes on PostgreSQL (the CI cluster is
``--locale=C``, where pg_trgm sees no Chinese): EXPLAIN of every statement the searches send,
on 30,000 customers and 3,000 articles after ANALYZE, may not scan the customers, the
articles or their gram tables, and the gram lookups go through the gram primary keys.

The SQLite counterpart is ``tests/unit/test_search_plans.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from agentdesk.db import Database, open_database
from agentdesk.services import customers, kb
from tests.postgres.seed import seed

pytestmark = pytest.mark.postgres


CUSTOMERS = 30_000
ARTICLES = 3_000
HOT = ("customers", "kb_articles", "customer_name_grams", "kb_grams")
SEQ_SCAN = re.compile(rf"Seq Scan on ({'|'.join(HOT)})\b")
# Not 张: twenty names start with it, so the name prefix (a B-tree range) fills the list alone.
NAME_QUERIES = ["伟", "张伟", "王芳", "欧阳", "李秀英", "·买", "𠮷", "𠮷田", "长春市第一", "张A"]
KB_QUERIES = ["宽带", "宽", "光猫 重启", "机顶盒没有信号", "wifi 密码", "𠮷"]


@pytest.fixture(scope="module")
def scaled(pg_server: str) -> Iterator[Database]:
    import psycopg

    name = f"t_plans_{uuid.uuid4().hex[:12]}"  # each xdist worker its own
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        db = open_database(f"{pg_server}/{name}")
        try:
            seed(db, CUSTOMERS, ARTICLES)
            yield db
        finally:
            db.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _plans(db: Database, run) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(statement, its EXPLAIN) of each SELECT ``run`` sends that reads a hot table."""
    sent: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and re.search(rf"\b({'|'.join(HOT)})\b", statement):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    with db.engine.connect() as conn:
        return [(sql, "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params).all()))
                for sql, params in sent if "to_regclass" not in sql]


def _assert_indexed(found: list[tuple[str, str]], gram_table: str) -> None:
    assert found, "nothing was sent"
    for sql, plan in found:
        assert not SEQ_SCAN.search(plan), f"sequential scan in\n{plan}\nfor:\n{sql}"
    looked_up = [plan for sql, plan in found if f"FROM {gram_table}" in sql]
    assert looked_up, "the gram table was not read"
    assert all(f"{gram_table}_pkey" in plan for plan in looked_up), looked_up
    # A trigram index given a pattern it takes no trigram from (Chinese under C) reads all of itself.
    assert not [plan for plan in looked_up if "_trgm" in plan], looked_up


@pytest.mark.parametrize("query", NAME_QUERIES)
def test_chinese_name_search_reads_indexes(scaled: Database, query: str) -> None:
    def run() -> object:
        with scaled.read() as session:
            return customers.search_customers(session, query)

    _assert_indexed(_plans(scaled, run), "customer_name_grams")


@pytest.mark.parametrize("query", KB_QUERIES)
def test_chinese_kb_search_reads_indexes(scaled: Database, query: str) -> None:
    def run() -> object:
        with scaled.read() as session:
            return kb.kb_search(session, query)

    _assert_indexed(_plans(scaled, run), "kb_grams")


def test_the_seed_is_large_and_found(scaled: Database) -> None:
    """The plans above are of a real table (the planner would scan a small one), and the
    searches find what is there."""
    with scaled.read() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() > CUSTOMERS
        assert len(customers.search_customers(session, "张")) == customers.SEARCH_LIMIT
        assert [h.name for h in customers.search_customers(session, "·买")] == ["阿卜杜拉·买买提"]
        assert [h.title for h in kb.kb_search(session, "光猫 重启")] == ["宽带无法上网"]
