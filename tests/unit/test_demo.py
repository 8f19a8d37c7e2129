"""The demo database: realistic, reproducible, complete enough to take a call."""

from __future__ import annotations

from sqlalchemy import func, select

from agentdesk.db import open_database
from agentdesk.models import Agent, Callback, Customer, CustomerPhone, Department, KbArticle, WorkOrder
from agentdesk.services.demo import build_demo


def _snapshot(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(
            select(Customer.user_code, Customer.name, Customer.address, Customer.area_class, Customer.tier)
            .order_by(Customer.id)
        ).all()


def test_demo_contents(db) -> None:
    summary = build_demo(db, customers=300)
    assert summary.customers == 300 and summary.work_orders == 30 and summary.callbacks == 20
    with db.read() as session:
        count = lambda model: session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        assert count(Customer) == 300 and count(CustomerPhone) >= 300
        assert count(Department) >= 5 and count(KbArticle) >= 5
        roles = set(session.execute(select(Agent.role)).scalars())
        assert roles == {"agent", "lead"}
        classes = set(session.execute(select(Customer.area_class)).scalars())
        tiers = set(session.execute(select(Customer.tier)).scalars())
        assert classes == {"city", "suburb", "rural"} and tiers == {"regular", "vip", "big", "private"}
        # Every work order carries the deadlines the policy gives it.
        orders = session.execute(select(WorkOrder)).scalars().all()
        assert all(o.resolve_by or o.reply_by for o in orders)
        assert all(o.warn_at and o.created_at < o.warn_at for o in orders)
        assert count(Callback) == 20
        titles = set(session.execute(select(KbArticle.title)).scalars())
        assert "机顶盒没有信号怎么办" in titles
        names = set(session.execute(select(Customer.name)).scalars())
        assert {"阿卜杜拉·买买提", "𠮷田秀", "张三"} <= names
        zs = session.execute(select(Customer.name_initials).where(Customer.name == "张三")).scalar_one()
        assert zs == "zs"


def test_same_seed_same_data(tmp_path) -> None:
    a = open_database(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    b = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    c = open_database(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    build_demo(a, customers=120, seed=7)
    build_demo(b, customers=120, seed=7)
    build_demo(c, customers=120, seed=8)
    assert _snapshot(a) == _snapshot(b)
    assert _snapshot(a) != _snapshot(c)
    for d in (a, b, c):
        d.dispose()
