"""Engine, sessions and migrations for SQLite (embedded) and PostgreSQL (shared).

SQLite is set up for "nothing lost": WAL, synchronous=FULL, foreign keys on, a generous
busy timeout, and write transactions opened with BEGIN IMMEDIATE so two desks never
deadlock upgrading a read lock (SQLAlchemy's documented pysqlite begin-event recipe).
Read-only units of work use a deferred BEGIN so they never queue behind a writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, SQLModel

from agentdesk import models

BUSY_TIMEOUT_MS = 15_000
# The start-up integrity check (Database.quick_check): a whole PRAGMA quick_check on every
# start up to this size (about a second); a larger file gets its whole check once a day,
# in the background of the desk, and a check of its schema at every start.
FULL_CHECK_MAX_BYTES = 64 * 2**20
FULL_CHECK_EVERY = timedelta(hours=24)
CHECK_RECORD_SUFFIX = "-checked"  # beside the file: when its whole check last passed


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
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
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
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


#: A pooled PostgreSQL connection idle longer than this is pinged before it is used again (the
#: database may have restarted meanwhile); one in steady use is not: a ping for every unit of
#: work was a round trip in every seven a busy server made, an eighth of its requests' time.
PING_IDLE_SECONDS = 1.0
#: Connections a server keeps open: about as many as its worker threads run units of work at
#: once (more are opened when needed, and closed again when they come back to a full pool).
POOL_SIZE = 20
POOL_OVERFLOW = 20


def _postgres_engine(url: str) -> Engine:
    from sqlalchemy.exc import DisconnectionError

    engine = create_engine(url, hide_parameters=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: object, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object) -> None:
        # SQLAlchemy's documented pessimistic check as a checkout event, for idle connections only:
        # raising DisconnectionError makes the pool open a fresh connection instead.
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= PING_IDLE_SECONDS:
            return
        try:
            if not engine.dialect.do_ping(dbapi_connection):
                raise DisconnectionError()
        except DisconnectionError:
            raise
        except Exception as exc:  # the server went away: psycopg's OperationalError
            raise DisconnectionError() from exc

    return engine


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql"):
        return _postgres_engine(url)
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
        # Reads on PostgreSQL in autocommit: under READ COMMITTED every statement takes its own
        # snapshot inside a transaction as well, so its BEGIN and ROLLBACK were two round trips
        # per read that changed nothing (a busy server reads far more than it writes).
        self._read_engine = (
            self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
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
        """A unit of work that only reads (on PostgreSQL each statement is its own transaction)."""
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

    full_check_due = False  # set by quick_check: run full_check (in the background) now
    _checking: sqlite3.Connection | None = None  # the connection of a running full_check

    def quick_check(self) -> None:
        """The start-up integrity check: a damaged file is reported before anyone works on it.

        ``PRAGMA quick_check`` reads the whole file (15 s for a million customers), so: a
        file of up to ``FULL_CHECK_MAX_BYTES`` gets it whole, every time; a larger one gets
        ``PRAGMA quick_check(sqlite_master)`` (its header and every page of its schema,
        milliseconds), and ``full_check_due`` is set when its whole check has not passed in
        the last ``FULL_CHECK_EVERY`` — the desk then runs it in the background
        (``check_in_background``). Raises DatabaseError with the ``db.corrupt`` message.
        """
        path = self._sqlite_path()
        if path is None:
            return
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size <= FULL_CHECK_MAX_BYTES:
            self.full_check()
            return
        self._check(path, "PRAGMA quick_check(sqlite_master)")
        self.full_check_due = not self._checked_recently(path)

    def full_check(self) -> None:
        """The whole ``PRAGMA quick_check``; a pass is recorded beside a large file."""
        path = self._sqlite_path()
        if path is None:
            return
        self._check(path, "PRAGMA quick_check", interruptible=True)
        self.full_check_due = False
        try:
            if path.stat().st_size > FULL_CHECK_MAX_BYTES:
                self._record_check(path)
        except OSError:  # no record: the check simply runs again next time
            pass

    def check_in_background(self, on_failure: Callable[[DatabaseError], None]) -> threading.Thread | None:
        """Run a due ``full_check`` on a daemon thread; ``on_failure`` gets its error.

        A daemon thread, not a worker: quitting the desk must not wait for it (``dispose``
        interrupts it), and an interrupted check is neither a pass nor a failure.
        """
        if not self.full_check_due:
            return None

        def run() -> None:
            try:
                self.full_check()
            except DatabaseError as exc:
                on_failure(exc)
            except sqlite3.OperationalError:  # interrupted by dispose()
                pass

        thread = threading.Thread(target=run, name="agentdesk-integrity-check", daemon=True)
        thread.start()
        return thread

    def _sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.engine.url.database or self.engine.url.database == ":memory:":
            return None
        return Path(self.engine.url.database)

    def _check(self, path: Path, pragma: str, *, interruptible: bool = False) -> None:
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        except sqlite3.Error as exc:
            rows = [str(exc)]
        else:
            if interruptible:
                self._checking = conn
            try:
                rows = [str(r[0]) for r in conn.execute(pragma).fetchall()]
            except sqlite3.OperationalError as exc:
                if str(exc) == "interrupted":
                    raise
                rows = [str(exc)]
            except sqlite3.Error as exc:  # "file is not a database", "database disk image is malformed"
                rows = [str(exc)]
            finally:
                self._checking = None
                conn.close()
        if rows != ["ok"]:
            from agentdesk.i18n import t

            raise DatabaseError(t("db.corrupt", path=path, detail="; ".join(rows[:3])))

    @staticmethod
    def _record_path(path: Path) -> Path:
        return path.with_name(path.name + CHECK_RECORD_SUFFIX)

    def _checked_recently(self, path: Path) -> bool:
        from agentdesk import clock

        try:
            record = json.loads(self._record_path(path).read_text(encoding="utf-8"))
            stat = path.stat()
            passed = datetime.fromisoformat(record["passed_at"])
            same_file = (record["device"], record["inode"]) == (stat.st_dev, stat.st_ino)
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return same_file and abs(clock.now() - passed) < FULL_CHECK_EVERY

    def _record_check(self, path: Path) -> None:
        from agentdesk import clock

        stat = path.stat()
        record = {"passed_at": clock.now().isoformat(), "device": stat.st_dev, "inode": stat.st_ino}
        target = self._record_path(path)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, target)

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
        checking = self._checking
        if checking is not None:
            try:
                checking.interrupt()
            except sqlite3.Error:  # it has just finished
                pass
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True, check: bool = True) -> Database:
    db = Database(url)
    if check:
        db.quick_check()
    if migrate:
        try:
            db.upgrade()
        except Exception as exc:  # damage the start-up check did not read (a large file's data)
            damage = _damage(exc)
            if damage is None:
                raise
            from agentdesk.i18n import t

            raise DatabaseError(t("db.corrupt", path=db.engine.url.database, detail=damage)) from exc
    return db


def _damage(exc: BaseException) -> str | None:
    """SQLite's word for a damaged file, if that is what ``exc`` (or its cause) is."""
    orig = getattr(exc, "orig", exc)
    name = getattr(orig, "sqlite_errorname", "") or ""
    if isinstance(orig, sqlite3.DatabaseError) and (name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB"):
        return str(orig)
    return None


__all__ = ["Database", "DatabaseError", "hide_password", "make_engine", "models", "open_database"]
