"""The same storage on a real PostgreSQL server: migrations, CJK, accounts, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from agentdesk.db import open_database
from agentdesk.migrate import head_revision
from agentdesk.models import Customer
from agentdesk.services import accounts
from agentdesk.services.demo import build_demo

pytestmark = pytest.mark.postgres


def test_migrations_from_empty(pg_url: str) -> None:
    from sqlmodel import SQLModel

    db = open_database(pg_url)
    try:
        assert db.engine.dialect.name == "postgresql"
        assert db.revision() == head_revision()
        assert set(SQLModel.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.upgrade()
    finally:
        db.dispose()


@pytest.mark.parametrize("name", ["𠮷田秀", "阿卜杜拉·买买提"])
def test_cjk_round_trip(pg_url: str, fixed_clock, name: str) -> None:
    db = open_database(pg_url)
    try:
        with db.write() as session:
            session.add(Customer(user_code="U1", name=name, address="𠮷 街", created_at=fixed_clock.now()))
        with db.read() as session:
            assert session.execute(select(Customer.name)).scalar_one() == name
    finally:
        db.dispose()


def test_login_and_lockout(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        with db.write() as session:
            accounts.create_agent(session, "1024", "李娜", "agent", "1024")
        assert accounts.login(db, "1024", "1024").agent.name == "李娜"
        for _ in range(5):
            with pytest.raises(accounts.LoginFailed):
                accounts.login(db, "1024", "0000")
        with pytest.raises(accounts.LoginFailed) as err:
            accounts.login(db, "1024", "1024")
        assert err.value.key == "login.locked"
    finally:
        db.dispose()


def test_demo_and_cli_on_postgres(pg_url: str) -> None:
    from agentdesk.cli.root import app

    db = open_database(pg_url)
    try:
        build_demo(db, customers=80)
    finally:
        db.dispose()
    out = CliRunner().invoke(app, ["db", "info", "--db", pg_url], env={"AGENTDESK_LANG": "en"})
    assert out.exit_code == 0, out.output
    assert "customers" in out.output and "80" in out.output


def test_bulk_demo_by_copy_matches_sqlite(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The demo's bulk rows go into PostgreSQL by COPY: the same rows as SQLite's executemany,
    times, flags and empty values included."""
    from agentdesk.models import Callback, CustomerPhone, WorkOrder, WorkOrderEvent
    from agentdesk.services.rows import table_of

    columns = {Customer: ("id", "user_code", "name", "name_initials", "address", "tier", "created_at"),
               CustomerPhone: ("customer_id", "phone", "kind"),
               WorkOrder: ("id", "number", "customer_id", "status", "phrase_flag", "created_at", "dispatched_at",
                           "resolved_at", "closed_at", "resolve_by", "warn_at"),
               WorkOrderEvent: ("work_order_id", "at", "kind"),
               Callback: ("kind", "customer_id", "work_order_id", "due_at", "status", "satisfaction", "done_at")}
    dbs = {"pg": open_database(pg_url), "sqlite": open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")}
    found = {}
    try:
        for name, db in dbs.items():
            build_demo(db, customers=600, workorders=700, handovers=False)
            with db.read() as session:
                found[name] = [
                    [tuple(r) for r in session.execute(
                        select(*(table_of(model).c[c] for c in names)).order_by(table_of(model).c.id)).all()]
                    for model, names in columns.items()]
    finally:
        for db in dbs.values():
            db.dispose()
    assert [len(rows) for rows in found["pg"]][:3] == [600, len(found["sqlite"][1]), 700]
    for pg_rows, sqlite_rows in zip(found["pg"], found["sqlite"], strict=True):
        assert pg_rows == sqlite_rows
