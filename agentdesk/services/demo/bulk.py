"""Loading many rows fast: one executemany per batch (COPY on PostgreSQL) and, for SQLite, the
indexes and search triggers taken off during a large load and built whole afterwards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, text
from sqlmodel import Session, SQLModel

from agentdesk.db import Database
from agentdesk.services.rows import table_of

BATCH = 5000

#: From this many rows, a SQLite bulk load takes the indexes and search triggers off first.
BULK_LOAD = 50_000
_FTS_OF = {"customers": "customers_name_fts", "customer_phones": "customer_phones_fts"}


class _BulkLoad:
    """SQLite, many rows: load ``tables`` without their secondary indexes and FTS triggers.

    Maintaining five or ten B-trees and two FTS5 indexes row by row costs many times the
    insert itself; building each once at the end (CREATE INDEX sorts; FTS5 ``'rebuild'``
    reads the table once) does not. The definitions are read back from ``sqlite_master``
    and restored exactly by :meth:`restore` — on leaving the ``with`` block at the latest,
    also when the load fails. :meth:`restore` is all SQLite work (the GIL is released), so
    it may run on a thread while Python prepares the next load.
    """

    def __init__(self, db: Database, tables: tuple[str, ...], rows: int) -> None:
        self.db, self.tables = db, tables
        self.active = db.is_sqlite and rows >= BULK_LOAD
        self.saved: list | None = None

    def __enter__(self) -> _BulkLoad:
        if self.active:
            names = ", ".join(f"'{t}'" for t in self.tables)
            with self.db.write() as session:
                self.saved = list(session.execute(text(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                    f"AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY type, name")).all())
                for kind, name, _ in self.saved:
                    session.connection().exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        saved, self.saved = self.saved, None
        if saved is None:
            return
        with self.db.write() as session:
            connection = session.connection()
            connection.exec_driver_sql("PRAGMA cache_size=-262144")  # the sorts and FTS merges, in memory
            try:
                for kind, _, sql in saved:
                    if kind == "index":
                        connection.exec_driver_sql(sql)
                for table in self.tables:
                    fts = _FTS_OF.get(table)
                    if fts and any(kind == "trigger" and f" {fts}(" in sql for kind, _, sql in saved):
                        # Built whole, then merged once: no incremental merging on the way.
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 0)")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
                        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 4)")
                for kind, _, sql in saved:
                    if kind == "trigger":
                        connection.exec_driver_sql(sql)
            finally:
                connection.exec_driver_sql("PRAGMA cache_size=-2000")


def _insert(session: Session, model: type[SQLModel], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """One executemany of ``rows`` (tuples in the order of ``columns``) into ``model``'s table.

    SQLite gets the tuples as they are, datetimes turned into SQLAlchemy's storage format
    (``2026-11-23 09:00:00.000000``) here: its per-value bind processing would take longer
    than the inserts themselves at a million rows.
    """
    if not rows:
        return
    table = table_of(model)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table.name, columns, rows)
        return
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        _sqlite_rows(model, columns, rows))


def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``rows`` through ``COPY … FROM STDIN`` on the session's own connection (so in
    its transaction). An executemany of a million dicts spends most of its time binding
    parameters in Python; COPY sends the rows as one stream, psycopg adapting each value."""
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_rows(model: type[SQLModel], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` with their datetimes in SQLAlchemy's SQLite storage format."""
    table = table_of(model)
    stamps = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, DateTime)]
    if not stamps:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i in stamps:
            if values[i] is not None:
                values[i] = values[i].isoformat(" ", "microseconds")
        converted.append(tuple(values))
    return converted


def _set_sequence(session: Session, table: str) -> None:
    """PostgreSQL: rows inserted with their ids leave the serial behind; move it past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"))
