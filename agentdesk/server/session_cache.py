"""The sessions this server instance checked in the last half minute.

Every request presents its token, and reading the session (with its agent and shift) was a
database transaction of its own for every search keystroke of every desk. A session read is
kept for :data:`TTL_SECONDS` and forgotten at once whenever it may have changed:

* the change feed hands over every committed change first (:meth:`SessionCache.changed`): a
  lead ending an agent's sessions, a PIN reset or a role change (``logout``), an account
  changed or disabled (``agent``), a logout through another instance (``session``) — on
  PostgreSQL within milliseconds of the commit, whichever instance or CLI made it;
* this instance forgets a token it logs out or refreshes, and everything after an account
  operation it ran itself (rare; the feed would tell it too, a moment later);
* an entry past half its session's life is read again, so a desk in use is renewed as before.

So an ended session is refused at once on the instance that ended it and within a notification's
delay elsewhere; :data:`TTL_SECONDS` bounds it if the feed is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.server import metrics
from agentdesk.services import sessions
from agentdesk.services.changes import Change, Topic
from agentdesk.services.errors import Unauthenticated

TTL_SECONDS = 30.0
#: Entries kept at most (a center's live sessions, several times over); past it the oldest go.
LIMIT = 20_000


class SessionCache:
    def __init__(self, db: Database, *, ttl: float = TTL_SECONDS) -> None:
        self.db = db
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, sessions.Current]] = {}
        self.hits = 0
        self.misses = 0

    def current(self, token: str | None) -> sessions.Current:
        """The live session of ``token``, as :func:`sessions.current` (Unauthenticated if none)."""
        if not token:
            raise Unauthenticated()
        key = sessions.token_hash(token)
        found = self._fresh(key)
        if found is not None:
            metrics.SESSION_CHECKS.labels(source="cache").inc()
            return found
        metrics.SESSION_CHECKS.labels(source="read").inc()
        with self._lock:
            self.misses += 1
            generation = self._generation
        live = sessions.current(self.db, token)
        with self._lock:
            # Something may have ended while it was read: only a read begun after the last
            # invalidation is kept (the session is still given to this one request).
            if generation == self._generation:
                if len(self._entries) >= LIMIT:
                    for old in list(self._entries)[: LIMIT // 10]:
                        del self._entries[old]
                self._entries[key] = (time.monotonic(), live)
        return live

    def _fresh(self, key: str) -> sessions.Current | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            read_at, live = entry
            # Past half its life the session is read (and so renewed) again, as without a cache.
            if time.monotonic() - read_at < self.ttl and not sessions.renewal_due(live.expires_at, clock.now()):
                self.hits += 1
                return live
            del self._entries[key]
            return None

    _generation = 0

    def forget(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._generation += 1
                self._entries.pop(sessions.token_hash(token), None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def changed(self, found: Iterable[Change]) -> None:
        """From the change feed (any thread), before the desks are told."""
        agents = set()
        for change in found:
            if change.topic in (Topic.LOGOUT, Topic.SESSION):
                agents.add(change.agent_id)
            elif change.topic == Topic.AGENT:
                agents.add(change.ref_id)
        if not agents:
            return
        with self._lock:
            self._generation += 1
            for key, (_read_at, live) in list(self._entries.items()):
                if live.login.agent.id in agents:
                    del self._entries[key]
