"""Storage: pragmas in force, migrations from empty, CJK round-trip, file permissions."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from agentdesk.db import BUSY_TIMEOUT_MS, hide_password, open_database
from agentdesk.migrate import head_revision
from agentdesk.models import Customer, CustomerPhone
from agentdesk.normalize import pinyin_keys

NAMES = ["𠮷田秀", "阿卜杜拉·买买提", "张三", "O'Brien [bold]x[/]"]


def test_pragmas_in_force(db) -> None:
    with db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
    assert BUSY_TIMEOUT_MS >= 10_000


def test_write_session_takes_the_write_lock_at_begin(db, db_url: str) -> None:
    """BEGIN IMMEDIATE: a write unit of work holds the lock before its first statement."""
    path = db_url.split("///", 1)[1]
    with db.write() as session:
        session.execute(text("SELECT 1"))  # a read only; a deferred BEGIN would take no lock
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_read_session_does_not_block_writers(db, db_url: str) -> None:
    path = db_url.split("///", 1)[1]
    with db.read() as session:
        session.execute(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_migrations_from_empty_reach_head_with_every_table(db) -> None:
    from sqlmodel import SQLModel

    assert db.revision() == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    # Upgrading again is a no-op, not an error.
    db.upgrade()
    assert db.revision() == head_revision()


def test_foreign_keys_enforced(db) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.write() as session:
            session.add(CustomerPhone(customer_id=999_999, phone="13800138000"))


def test_sqlite_file_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    database = open_database(f"sqlite:///{path}")
    database.dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("name", NAMES)
def test_cjk_round_trip(db, fixed_clock, name: str) -> None:
    initials, full = pinyin_keys(name)
    with db.write() as session:
        session.add(Customer(user_code=f"U{abs(hash(name))}", name=name, name_initials=initials,
                             name_pinyin=full, address="南关区 𠮷 街 1 号", created_at=fixed_clock.now()))
    with db.read() as session:
        got = session.execute(select(Customer).where(Customer.name == name)).scalar_one()
    assert got.name == name
    assert got.address == "南关区 𠮷 街 1 号"


def test_hide_password() -> None:
    assert "secret" not in hide_password("postgresql+psycopg://desk:secret@db.example/agentdesk")
    assert "***" in hide_password("postgresql+psycopg://desk:secret@db.example/agentdesk")


def test_models_and_migrations_agree(db) -> None:
    """Autogenerate finds nothing to do: every model change came with its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # The FTS5 virtual table and its shadow tables are SQLite-only and not models.
    assert [d for d in diff if "fts" not in str(d)] == []
