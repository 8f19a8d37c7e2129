"""Engine, sessions and migrations for SQLite (embedded) and PostgreSQL (shared).

SQLite is set up for "nothing lost": WAL, synchronous=FULL, foreign keys on, a generous
busy timeout, and write transactions opened with BEGIN IMMEDIATE so two desks never
deadlock upgrading a read lock (SQLAlchemy's documented pysqlite begin-event recipe).
Read-only units of work use a deferred BEGIN so they never queue behind a writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from agentdesk import models

BUSY_TIMEOUT_MS = 15_000


class DatabaseError(Exception):
    """A database problem the user can act on; the message says what to do."""


def _ensure_sqlite_file(path: Path) -> None:
    """Create the file owner-only before SQLite does: it holds customers' phone numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


NETWORK_FILESYSTEMS = {
    "nfs", "nfs4", "cifs", "smb", "smbfs", "smb3", "fuse.sshfs", "sshfs", "9p", "afs", "ceph", "glusterfs",
    "fuse.glusterfs", "lustre", "gpfs", "fuse.rclone", "davfs", "fuse.davfs2", "ncpfs", "coda",
}


def filesystem_type(path: Path, mounts: str | None = None) -> str | None:
    """The type of the filesystem holding ``path`` (Linux /proc/mounts), or None if unknown."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path.resolve())
    best, best_type = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def refuse_network_path(path: Path, mounts: str | None = None) -> None:
    """SQLite's locking is unreliable over network filesystems: corruption, not slowness, is the risk."""
    fs = filesystem_type(path, mounts)
    if fs and fs.lower() in NETWORK_FILESYSTEMS:
        from agentdesk.i18n import t

        raise DatabaseError(t("db.network_fs", path=path, fs=fs))


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        refuse_network_path(Path(parsed.database))
        _ensure_sqlite_file(Path(parsed.database))
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # Statement parameters hold phone numbers: never in logs or error messages.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Hand transaction control to the "begin" hook below (pysqlite would otherwise
        # issue its own deferred BEGIN lazily).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    raise DatabaseError(f"unsupported database URL: {hide_password(url)}")


def hide_password(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as given, it holds nothing to hide
        return url


class Database:
    """One database: the write engine, a read view of it, and its migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        self._read_engine = (
            self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that changes data: committed on success, rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self._read_engine, expire_on_commit=False) as session:
            yield session

    def upgrade(self) -> None:
        from agentdesk.migrate import upgrade

        upgrade(self.engine)

    def revision(self) -> str | None:
        from agentdesk.migrate import current_revision

        return current_revision(self.engine)

    def row_counts(self) -> dict[str, int]:
        existing = set(inspect(self.engine).get_table_names())
        counts: dict[str, int] = {}
        with self.read() as session:
            for name, table in SQLModel.metadata.tables.items():
                if name in existing:
                    counts[name] = session.execute(select(func.count()).select_from(table)).scalar_one()
        return counts

    def quick_check(self) -> None:
        """PRAGMA quick_check: a damaged file is reported before anyone works on it."""
        if not self.is_sqlite:
            return
        try:
            with self.engine.connect() as conn:
                rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
        except Exception as exc:  # "file is not a database", "database disk image is malformed"
            rows = [str(getattr(exc, "orig", exc))]
        if rows != ["ok"]:
            from agentdesk.i18n import t

            raise DatabaseError(t("db.corrupt", path=self.engine.url.database, detail="; ".join(rows[:3])))

    def backup(self, target: Path) -> None:
        """A consistent copy through SQLite's online backup API, while desks keep working."""
        import sqlite3

        if not self.is_sqlite:
            from agentdesk.i18n import t

            raise DatabaseError(t("db.backup_sqlite_only"))
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        source = sqlite3.connect(str(self.engine.url.database), timeout=BUSY_TIMEOUT_MS / 1000)
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            dest.close()
            source.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True, check: bool = True) -> Database:
    db = Database(url)
    if check:
        db.quick_check()
    if migrate:
        db.upgrade()
    return db


__all__ = ["Database", "DatabaseError", "hide_password", "make_engine", "models", "open_database"]
