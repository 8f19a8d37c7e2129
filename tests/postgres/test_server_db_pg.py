"""What a busy server saves on PostgreSQL round trips, still safe: a pooled connection is pinged
only after sitting idle (one the database dropped meanwhile is replaced before a unit of work
gets it; one in steady use costs no round trip), and a save's answer is stored without waiting
for the disk."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from agentdesk import db as db_module
from agentdesk.db import open_database

pytestmark = pytest.mark.postgres


def test_a_connection_dropped_while_idle_is_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(pg_url)
    try:
        with db.read() as session:
            first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = create_engine(pg_url, poolclass=NullPool)  # not the pool's own connection
        with other.connect() as conn:  # the database restarting, as far as that connection knows
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        other.dispose()
        monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)
        with db.read() as session:
            again = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert again != first
    finally:
        db.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(pg_url)
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 60.0)
        pings: list[object] = []
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
        for _ in range(5):
            with db.read() as session:
                session.execute(text("SELECT 2"))
        assert pings == []
        monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)
        with db.read() as session:
            session.execute(text("SELECT 3"))
        assert len(pings) == 1
    finally:
        db.dispose()


def test_a_saves_answer_is_kept_under_its_key_on_postgres(pg_url: str, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    from agentdesk.models import IdempotentRequest
    from agentdesk.services import accounts, idempotency

    db = open_database(pg_url)
    idempotency.install()
    try:
        with db.write() as session:
            agent = accounts.create_agent(session, "1024", name="张三", role="agent", pin="1024")
        with idempotency.handling(agent.id, "k" * 16, "save_draft") as marked, db.write() as session:
            session.execute(text("SELECT 1"))
        idempotency.store_response(db, marked, b'{"ok":true}')
        assert idempotency.seen(db, agent.id, "k" * 16) == idempotency.Seen("save_draft", b'{"ok":true}')
        with db.read() as session:
            assert session.query(IdempotentRequest).count() == 1
    finally:
        db.dispose()


def test_reads_send_no_begin_or_rollback_and_writes_stay_one_transaction(pg_url: str) -> None:
    import time

    db = open_database(pg_url)
    try:
        with db.read() as session:  # each statement its own transaction: no BEGIN, no ROLLBACK
            first = session.execute(text("SELECT now()")).scalar_one()
            time.sleep(0.01)
            assert session.execute(text("SELECT now()")).scalar_one() > first
        with db.write() as session:
            first = session.execute(text("SELECT now()")).scalar_one()
            time.sleep(0.01)
            assert session.execute(text("SELECT now()")).scalar_one() == first
        with db.write() as session:  # and a write session after a read gets a transaction again
            session.execute(text("CREATE TEMP TABLE t (x int)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
            assert session.execute(text("SELECT now() = transaction_timestamp()")).scalar_one()
    finally:
        db.dispose()
