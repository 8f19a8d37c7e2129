"""A cheap cross-process change signal: one integer per topic that every desk polls.

Whoever changes something every desk must show at once (an outage declared, updated or
cleared, a call linked to it) calls :func:`bump` **inside the same transaction** as the
change. The counter therefore moves exactly when the change commits, and a desk that sees
the new value also sees the change: other processes on the same SQLite file (WAL readers
see every committed write) and other workstations sharing PostgreSQL alike.

A desk keeps a :class:`Watcher` and calls :meth:`Watcher.poll` from a worker thread about
every 0.5 s (never on the UI thread); when it returns True the desk reloads what the topic
covers (``outages.active_outages``). A poll is one primary-key read of one row in its own
short read transaction, so polling costs next to nothing and never waits for a writer:
at 0.5 s a change reaches every desk well within the 2 seconds the design asks for.
PostgreSQL LISTEN/NOTIFY is not used: polling works the same on both databases and
through any connection pooler.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from agentdesk.db import Database
from agentdesk.models import ChangeCounter
from agentdesk.services.rows import table_of

OUTAGES = "outages"
_TABLE = table_of(ChangeCounter)


def bump(session: Session, topic: str = OUTAGES) -> None:
    """Move ``topic``'s counter by one, in the caller's transaction (insert it at 1 if new).

    One atomic upsert (``INSERT … ON CONFLICT (topic) DO UPDATE SET value = value + 1``)
    on SQLite and PostgreSQL: two concurrent bumps both count. On PostgreSQL the row stays
    locked until the caller commits, so bumps of one topic commit one after another.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported (db.make_engine)
        raise RuntimeError(f"unsupported database dialect {dialect!r}")
    stmt = insert(_TABLE).values(topic=topic, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=[_TABLE.c.topic], set_={"value": _TABLE.c.value + 1})
    session.execute(stmt)


def current(session: Session, topic: str = OUTAGES) -> int:
    """The counter's value; 0 for a topic never bumped."""
    value = session.execute(select(_TABLE.c.value).where(_TABLE.c.topic == topic)).scalar_one_or_none()
    return int(value or 0)


class Watcher:
    """Tells a desk when ``topic`` changed since it last looked.

    ``Watcher(db)`` does no I/O. :meth:`poll` reads the counter (one indexed row, its own
    short read transaction) and returns True when it differs from the value the previous
    poll saw — a bump by another process or workstation, or by this one. The **first**
    poll returns True (nothing seen yet: load the banner once); call :meth:`prime` first
    to start from the current value instead.

    Meant for a worker thread calling ``poll()`` about every 0.5 s. A database that cannot
    be reached for a moment (PostgreSQL restarting, the network gone) does not kill the
    worker: ``poll()`` returns False and keeps the error in :attr:`error` until a poll
    succeeds again; a change made meanwhile is reported by that poll. Safe to share
    between threads.
    """

    def __init__(self, db: Database, topic: str = OUTAGES) -> None:
        self.db = db
        self.topic = topic
        self.last: int | None = None  # the value the previous successful poll saw
        self.error: Exception | None = None
        self._lock = threading.Lock()

    def _read(self) -> int:
        with self.db.read() as session:
            return current(session, self.topic)

    def prime(self) -> int:
        """Take the current value as seen (the next poll reports only later changes)."""
        value = self._read()
        with self._lock:
            self.last = value
            self.error = None
        return value

    def poll(self) -> bool:
        """True when the counter moved since the previous poll (always on the first one)."""
        try:
            value = self._read()
        except DBAPIError as exc:
            with self._lock:
                self.error = exc
            return False
        with self._lock:
            self.error = None
            changed = value != self.last
            self.last = value
        return changed


__all__ = ["OUTAGES", "Watcher", "bump", "current"]
