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
from datetime import datetime

import pytest
from sqlalchemy import event, text

from agentdesk.db import Database, open_database
from agentdesk.models import Customer
from agentdesk.services import customers, kb

pytestmark = pytest.mark.postgres

CUSTOMERS = 30_000
ARTICLES = 3_000
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫波斌宇浩凯健俊帆帅"
    "旭宁龙林欣佳琳雪梅慧晨阳楠婷倩颖露瑶怡悦")
HOT = ("customers", "kb_articles", "customer_name_grams", "kb_grams")
SEQ_SCAN = re.compile(rf"Seq Scan on ({'|'.join(HOT)})\b")
# Not 张: twenty names start with it, so the name prefix (a B-tree range) fills the list alone.
NAME_QUERIES = ["伟", "张伟", "王芳", "欧阳", "李秀英", "·买", "𠮷", "𠮷田", "长春市第一", "张A"]
SHOW = {"伟", "张伟", "长春市第一", "宽带", "光猫 重启"}
KB_QUERIES = ["宽带", "宽", "光猫 重启", "机顶盒没有信号", "wifi 密码", "𠮷"]


def _seed(db: Database) -> None:
    """One INSERT … SELECT each: the gram triggers run once per statement."""
    with db.write() as session:
        # pick(chars, k): the k-th character of chars, going round.
        session.execute(text(
            "CREATE FUNCTION pg_temp.pick(chars text, k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS"
            " $$ SELECT substr(chars, 1 + (k % length(chars))::int, 1) $$"))
        session.execute(text(
            "INSERT INTO customers (user_code, name, name_initials, name_pinyin, address, area_name, area_class,"
            " tier, created_at)"
            " SELECT lpad(i::text, 12, '0'), pg_temp.pick(:s, i * 7919) || pg_temp.pick(:g, i * 104729)"
            "  || CASE WHEN i % 3 = 0 THEN '' ELSE pg_temp.pick(:g, i * 15485863) END,"
            "  '', '', '', '', 'city', 'regular', now() FROM generate_series(1::bigint, :n) AS i"),
            {"s": SURNAMES, "g": GIVEN, "n": CUSTOMERS})
        session.add_all(Customer(user_code=f"X{i}", name=name, created_at=datetime(2026, 12, 4))
                        for i, name in enumerate(["阿卜杜拉·买买提", "𠮷田秀", "张A"]))
        session.execute(text(
            "INSERT INTO kb_articles (title, body, category, tags, updated_at)"
            " SELECT pg_temp.pick(:g, i) || pg_temp.pick(:g, i * 31) || '问题 ' || i,"
            "  (SELECT string_agg(pg_temp.pick(:sg, i * k * 7919), '') FROM generate_series(1, 60) AS k),"
            "  '', '', now() FROM generate_series(1::bigint, :n) AS i"),
            {"sg": SURNAMES + GIVEN, "g": GIVEN, "n": ARTICLES})
        session.execute(text(
            "INSERT INTO kb_articles (title, body, category, tags, updated_at) VALUES"
            " ('宽带无法上网', '检查光猫指示灯，重启光猫。', '宽带', '宽带 光猫', now()),"
            " ('机顶盒没有信号怎么办', '检查 HDMI 线。', '电视', '机顶盒', now())"))
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


@pytest.fixture(scope="module")
def scaled(pg_server: str) -> Iterator[Database]:
    import psycopg

    name = f"t_plans_{uuid.uuid4().hex[:12]}"  # each xdist worker its own
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    db = open_database(f"{pg_server}/{name}")
    try:
        _seed(db)
        yield db
    finally:
        db.dispose()
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

    found = _plans(scaled, run)
    if query in SHOW:
        print(*(plan for _, plan in found), sep="\n\n")
    _assert_indexed(found, "customer_name_grams")


@pytest.mark.parametrize("query", KB_QUERIES)
def test_chinese_kb_search_reads_indexes(scaled: Database, query: str) -> None:
    def run() -> object:
        with scaled.read() as session:
            return kb.kb_search(session, query)

    found = _plans(scaled, run)
    if query in SHOW:
        print(*(plan for _, plan in found), sep="\n\n")
    _assert_indexed(found, "kb_grams")


def test_the_seed_is_large_and_found(scaled: Database) -> None:
    """The plans above are of a real table (the planner would scan a small one), and the
    searches find what is there."""
    with scaled.read() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() > CUSTOMERS
        assert len(customers.search_customers(session, "张")) == customers.SEARCH_LIMIT
        assert [h.name for h in customers.search_customers(session, "·买")] == ["阿卜杜拉·买买提"]
        assert [h.title for h in kb.kb_search(session, "光猫 重启")] == ["宽带无法上网"]
