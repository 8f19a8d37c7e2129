"""Chinese name and knowledge-base search on PostgreSQL through the gram tables (migration 0007):
the same rows in the same order as the ``LIKE`` they replace, and the tables kept right by every
writer (the ORM, Core statements, the importer, the demo, plain SQL) and by the migration."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, event, insert, text, update

from agentdesk.db import Database, open_database
from agentdesk.migrate import alembic_config
from agentdesk.models import Customer, KbArticle
from agentdesk.services import customers, grams, kb
from agentdesk.services.demo import build_demo
from agentdesk.services.importer import import_customers

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 4, 9, 0)
# Shared characters and pairs (so LIMIT cuts), the middle dot, a character beyond the BMP,
# repeats, Latin beside Chinese, one-character names, % and _ that LIKE must take literally.
NAMES = [f"张{given}" for given in "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"] * 2 + [
    "张三", "张三丰", "三张", "张张", "张", "三", "阿卜杜拉·买买提", "买买提·艾力", "·", "𠮷田秀", "𠮷", "田𠮷",
    "𠮷𠮷", "张A", "A张", "张a", "Zhang张", "李四", "李 四", "欧阳娜娜", "娜娜", "王%明", "王_明", "王明",
    "长春市第一汽车厂", "长春市第二汽车厂", "哈哈哈", "哈哈", "A&B 公司", "A&B",
]
NAME_QUERIES = ["张", "张三", "三丰", "张张", "三", "·", "拉·买", "·艾", "买买", "买买提", "𠮷", "𠮷田", "田𠮷", "𠮷𠮷",
                "张A", "A张", "张a", "g张", "四", "李 四", "娜娜", "%", "王%", "王_", "_明", "长春市第", "汽车厂",
                "长春市第一汽车厂", "长春市第三", "哈哈哈", "哈", "公司", "A&B 公", "无此人", "秀霞", "桂英华"]
ARTICLES = [
    ("宽带无法上网", "检查光猫指示灯，重启光猫。Wi-Fi 密码在光猫背面。", "宽带 光猫"),
    ("宽带提速", "提速后重启光猫与路由器。", "宽带"),
    ("机顶盒没有信号怎么办", "检查 HDMI 线，机顶盒重启。", "电视 机顶盒"),
    ("WIFI密码忘记", "登录光猫管理页 192.168.1.1 修改 Wi-Fi 密码。", "wifi"),
    ("Été 宽带", "ÉTÉ 套餐，É宽 Ə宽", "宽带"),
    ("话费查询", "拨打 10086 或在营业厅查询话费·余额。", "话费"),
    ("宽带提速", "同名文章：排序按 id。", "宽带"),
    ("𠮷 字显示为方框", "字体缺少 𠮷 时显示为方框。", "字体"),
]
KB_QUERIES = ["宽带", "宽", "光猫 重启", "wi-fi 密码", "WIFI密码", "wifi 宽带", "é宽", "É宽", "ə宽", "été 宽带",
              "话费·余额", "·", "𠮷", "方框 𠮷", "机顶盒没有信号", "192.168 光猫", "无此文章", "宽带 无此"]


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.dispose()


def _seed(db: Database) -> None:
    with db.write() as session:
        session.add_all(Customer(user_code=f"U{i:04d}", name=name, created_at=NOW) for i, name in enumerate(NAMES))
        session.add_all(KbArticle(title=t, body=b, tags=g, updated_at=NOW) for t, b, g in ARTICLES)


def _without_grams(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search as it was before 0007: LIKE alone."""
    monkeypatch.setattr(grams, "pg_grams", lambda session: False)


@pytest.mark.parametrize("limit", [1, 5, 20, 100])
def test_name_search_gives_what_like_gives(db: Database, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    _seed(db)
    got = {}
    with db.read() as session, statements(db) as seen:
        for q in NAME_QUERIES:
            got[q] = customers.search_customers(session, q, limit)
    through = sum("FROM customer_name_grams AS g0" in s for s in seen)
    # Each query past ASCII, unless the name prefix alone filled the limit.
    assert through == len([q for q in NAME_QUERIES if not q.isascii()]) if limit == 100 else through > 0
    with monkeypatch.context() as m:
        _without_grams(m)
        with db.read() as session:
            expected = {q: customers.search_customers(session, q, limit) for q in NAME_QUERIES}
    assert got == expected
    assert len(got["张"]) == min(limit, sum("张" in n for n in NAMES))  # the LIMIT is reached, not a subset
    assert [h.name for h in got["𠮷田"]] == ["𠮷田秀"]


def test_a_long_name_looks_up_a_few_pairs(db: Database) -> None:
    name = "内蒙古自治区呼和浩特市赛罕区第一人民医院"
    with db.write() as session:
        session.add(Customer(user_code="U1", name=name, created_at=NOW))
        session.add(Customer(user_code="U2", name="内蒙古医院", created_at=NOW))
    count, params = grams.name_params(name[2:])
    assert count == grams.MAX_NAME_GRAMS and params["g0"] == "古自" and params[f"g{count - 1}"] == "医院"
    with db.read() as session:
        assert [h.name for h in customers.search_customers(session, name[2:])] == [name]
        assert [h.name for h in customers.search_customers(session, "医院")] == ["内蒙古医院", name]


def test_latin_and_digits_stay_on_like(db: Database) -> None:
    _seed(db)
    with db.read() as session, statements(db) as seen:
        assert [h.name for h in customers.search_customers(session, "A&B")] == ["A&B", "A&B 公司"]
        customers.search_customers(session, "138001")
    assert not any("FROM customer_name_grams" in s for s in seen)


@pytest.mark.parametrize("limit", [1, 3, 20])
def test_kb_search_gives_what_like_gives(db: Database, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    _seed(db)
    with db.read() as session, statements(db) as seen:
        got = {q: kb.kb_search(session, q, limit) for q in KB_QUERIES}
    narrowed = sum("FROM kb_grams" in s for s in seen)
    assert narrowed == len([q for q in KB_QUERIES if not q.isascii()])
    with monkeypatch.context() as m:
        _without_grams(m)
        with db.read() as session:
            expected = {q: kb.kb_search(session, q, limit) for q in KB_QUERIES}
    assert got == expected
    if limit == 20:
        # Case folded as LIKE does it (lower() of a C database leaves É alone), and two
        # articles of one title in id order.
        assert [h.title for h in got["É宽"]] == ["Été 宽带"]
        assert [h.id for h in got["宽带"] if h.title == "宽带提速"] == [2, 7]


def _gram_drift(db: Database) -> list[tuple]:
    """Rows the gram tables lack or have beyond what the stored texts give."""
    with db.read() as session:
        return session.execute(text(
            "(SELECT g, c.id, 'c' FROM customers c, agentdesk_grams(c.name) g "
            " EXCEPT SELECT gram, customer_id, 'c' FROM customer_name_grams)"
            " UNION ALL (SELECT gram, customer_id, 'c' FROM customer_name_grams "
            " EXCEPT SELECT g, c.id, 'c' FROM customers c, agentdesk_grams(c.name) g)"
            " UNION ALL (SELECT g, a.id, 'k' FROM kb_articles a, agentdesk_kb_grams(a.title, a.body, a.tags) g "
            " EXCEPT SELECT gram, article_id, 'k' FROM kb_grams)"
            " UNION ALL (SELECT gram, article_id, 'k' FROM kb_grams "
            " EXCEPT SELECT g, a.id, 'k' FROM kb_articles a, agentdesk_kb_grams(a.title, a.body, a.tags) g)"
        )).all()


def _count(db: Database, table: str) -> int:
    with db.read() as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_every_writer_keeps_the_grams(db: Database, tmp_path: Path) -> None:
    _seed(db)
    assert _gram_drift(db) == [] and _count(db, "customer_name_grams") > len(NAMES)
    with db.write() as session:  # the ORM, one row
        first = session.get(Customer, 1)
        assert first is not None
        first.name, first.tier = "𠮷田·新", "vip"
        article = session.get(KbArticle, 1)
        assert article is not None
        article.body = "新的正文"
    with db.write() as session:  # Core: bulk insert, update, delete
        session.execute(insert(Customer), [{"user_code": f"B{i}", "name": f"赵{i}钱", "created_at": NOW}
                                           for i in range(300)])
        session.execute(update(Customer).where(Customer.user_code.like("B1%")).values(name="孙李"))
        session.execute(update(Customer).where(Customer.user_code.like("B2%")).values(tier="big"))
        session.execute(delete(Customer).where(Customer.user_code.like("B3%")))
        session.execute(delete(KbArticle).where(KbArticle.id == 2))
    assert _gram_drift(db) == []
    with db.read() as session:
        assert [h.name for h in customers.search_customers(session, "田·新")] == ["𠮷田·新"]
        assert customers.search_customers(session, "张伟") != []
        assert len(customers.search_customers(session, "孙李")) == 20
        assert kb.kb_search(session, "正文")[0].id == 1 and kb.kb_search(session, "指示灯") == []

    # The importer: new customers and renamed ones, through its executemany.
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["用户编码", "姓名", "联系电话"], ["U0002", "欧阳修", "13800138000"], ["N0001", "上官婉儿", "13900139000"]])
    (tmp_path / "c.csv").write_bytes(buf.getvalue().encode("utf-8"))
    report = import_customers(db, tmp_path / "c.csv")
    assert (report.inserted, report.updated) == (1, 1)
    assert _gram_drift(db) == []
    with db.read() as session:
        assert [h.user_code for h in customers.search_customers(session, "阳修")] == ["U0002"]
        assert [h.user_code for h in customers.search_customers(session, "婉儿")] == ["N0001"]

    # Plain SQL, then TRUNCATE.
    with db.write() as session:
        session.execute(text("UPDATE customers SET name = name || '·' WHERE id <= 10"))
    assert _gram_drift(db) == []
    with db.write() as session:
        session.execute(text("TRUNCATE customers, kb_articles CASCADE"))
    assert _count(db, "customer_name_grams") == 0 and _count(db, "kb_grams") == 0


def test_the_demo_is_indexed(db: Database) -> None:
    build_demo(db, customers=400, workorders=50, handovers=False)
    assert _gram_drift(db) == [] and _count(db, "customer_name_grams") > 400 and _count(db, "kb_grams") > 0


def test_migration_backfills_and_goes_back(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        command.upgrade(alembic_config(engine), "0006")
        with engine.begin() as conn:
            conn.execute(insert(Customer), [{"user_code": f"U{i}", "name": n, "created_at": NOW}
                                            for i, n in enumerate(NAMES)])
            conn.execute(insert(KbArticle), [{"title": t, "body": b, "tags": g, "updated_at": NOW}
                                             for t, b, g in ARTICLES])
        command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()
    db = open_database(pg_url)
    try:
        assert _gram_drift(db) == [] and _count(db, "customer_name_grams") > len(NAMES)
        with db.read() as session:
            assert [h.name for h in customers.search_customers(session, "·买")] == ["阿卜杜拉·买买提"]
    finally:
        db.dispose()
    engine = create_engine(pg_url)
    try:
        command.downgrade(alembic_config(engine), "0006")
        with engine.connect() as conn:
            left = conn.execute(text(
                "SELECT count(*) FROM pg_proc WHERE proname LIKE 'agentdesk%' OR proname LIKE '%grams%'")).scalar_one()
            assert left == 0 and conn.execute(text("SELECT to_regclass('kb_grams')")).scalar_one() is None
        command.upgrade(alembic_config(engine), "head")
    finally:
        engine.dispose()
