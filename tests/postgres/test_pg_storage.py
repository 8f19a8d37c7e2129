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
