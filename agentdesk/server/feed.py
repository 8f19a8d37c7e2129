"""The change feed of one server instance: reads new change events and hands them to the hub.

On PostgreSQL one dedicated connection LISTENs on ``agentdesk_changes``: every transaction
that wrote change events sent a NOTIFY, delivered at its commit, so a change made through
another instance (or the CLI) wakes this one within milliseconds. A notification is only a
wake-up: the rows are read after it, by id, so nothing is lost if one is missed: the feed also
reads every :data:`FALLBACK_SECONDS` without one (one indexed query per instance, whatever the
number of desks). On SQLite (one machine) the feed simply reads twice a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from agentdesk.db import Database
from agentdesk.services import changes, idempotency
from agentdesk.services.changes import Change

log = logging.getLogger("agentdesk.server")

FALLBACK_SECONDS = 2.0
#: After a notification, others arriving this soon are read with it.
GATHER_SECONDS = 0.05
SQLITE_POLL_SECONDS = 0.5
PRUNE_SECONDS = 3600.0


class Feed:
    def __init__(self, db: Database, publish: Callable[[list[Change]], None]) -> None:
        self.db = db
        self.publish = publish
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reader = changes.Reader(0)
        self.notifications = 0  # NOTIFYs received (tests and metrics)

    def start(self) -> None:
        with self.db.read() as session:
            self.reader = changes.Reader(changes.latest(session))
        self._thread = threading.Thread(target=self._run, name="agentdesk-change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def read_new(self) -> None:
        with self.db.read() as session:
            found = self.reader.read(session)
        if found:
            self.publish(found)

    def _run(self) -> None:
        pruned_at = 0.0
        while not self._stop.is_set():
            try:
                if self.db.is_sqlite:
                    self._poll_sqlite()
                else:
                    self._listen_postgres()
            except Exception:  # the database restarting: keep trying, never die
                log.exception("change feed: retrying")
                self._stop.wait(1.0)
            if time.monotonic() - pruned_at > PRUNE_SECONDS:
                pruned_at = time.monotonic()
                try:
                    with self.db.write() as session:
                        changes.prune(session)
                        idempotency.prune(session)
                except Exception:
                    log.exception("change feed: pruning failed")

    def _poll_sqlite(self) -> None:
        while not self._stop.wait(SQLITE_POLL_SECONDS):
            self.read_new()

    def _listen_postgres(self) -> None:
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"LISTEN {changes.CHANNEL}")
            self.read_new()  # what committed before the LISTEN
            while not self._stop.is_set():
                # Woken by a NOTIFY, or after FALLBACK_SECONDS without one: read either way.
                woken = 0
                for _note in conn.notifies(timeout=FALLBACK_SECONDS, stop_after=1):
                    woken += 1
                if woken:  # a busy center commits dozens of times a second: one read for a burst
                    for _note in conn.notifies(timeout=GATHER_SECONDS):
                        woken += 1
                self.notifications += woken
                self.read_new()
