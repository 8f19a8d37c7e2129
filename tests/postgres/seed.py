"""Many customers and knowledge-base articles on PostgreSQL in seconds, for the search plan
test and ``tests/perf/bench_pg_search.py``: one ``INSERT … SELECT`` per batch, so the gram
triggers of migration 0007 run once per statement, as they do for the importer and the demo.

Names are a surname and one or two given-name characters from the common ones (so a
given-name character is in thousands of names, as in a real center), plus a few that the
searches look for by their ``·`` or their character beyond the BMP.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from agentdesk.db import Database
from agentdesk.models import Customer

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
            "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫波斌宇浩凯健俊帆帅"
         "旭宁龙林欣佳琳雪梅慧晨阳楠婷倩颖露瑶怡悦")
RARE_NAMES = ("阿卜杜拉·买买提", "𠮷田秀", "张A")
BATCH = 100_000

# pick(chars, k): the k-th character of chars, going round.
_PICK = ("CREATE OR REPLACE FUNCTION pg_temp.pick(chars text, k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS"
         " $$ SELECT substr(chars, 1 + (k % length(chars))::int, 1) $$")
_CUSTOMERS = (
    "INSERT INTO customers (user_code, name, name_initials, name_pinyin, address, area_name, area_class,"
    " tier, created_at)"
    " SELECT lpad(i::text, 12, '0'), pg_temp.pick(:s, i * 7919) || pg_temp.pick(:g, i * 104729)"
    "  || CASE WHEN i % 3 = 0 THEN '' ELSE pg_temp.pick(:g, i * 15485863) END,"
    "  '', '', '', '', 'city', 'regular', now() FROM generate_series(CAST(:lo AS bigint), :hi) AS i")
_ARTICLES = (
    "INSERT INTO kb_articles (title, body, category, tags, updated_at)"
    " SELECT pg_temp.pick(:g, i) || pg_temp.pick(:g, i * 31) || '问题 ' || i,"
    "  (SELECT string_agg(pg_temp.pick(:sg, i * k * 7919), '') FROM generate_series(1, 60) AS k),"
    "  '', '', now() FROM generate_series(CAST(:lo AS bigint), :hi) AS i")


def seed(db: Database, customers: int, articles: int) -> None:
    """``customers`` (+ the rare names) and ``articles`` (+ two known ones), then VACUUM ANALYZE."""
    for lo in range(1, customers + 1, BATCH):
        with db.write() as session:
            session.execute(text(_PICK))
            session.execute(text(_CUSTOMERS), {"s": SURNAMES, "g": GIVEN, "lo": lo,
                                               "hi": min(lo + BATCH - 1, customers)})
    with db.write() as session:
        session.execute(text(_PICK))
        session.add_all(Customer(user_code=f"X{i}", name=name, created_at=datetime(2026, 12, 4))
                        for i, name in enumerate(RARE_NAMES))
        session.execute(text(_ARTICLES), {"sg": SURNAMES + GIVEN, "g": GIVEN, "lo": 1, "hi": articles})
        session.execute(text(
            "INSERT INTO kb_articles (title, body, category, tags, updated_at) VALUES"
            " ('宽带无法上网', '检查光猫指示灯，重启光猫。', '宽带', '宽带 光猫', now()),"
            " ('机顶盒没有信号怎么办', '检查 HDMI 线。', '电视', '机顶盒', now())"))
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
