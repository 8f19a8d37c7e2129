"""The push channel: each connected desk gets the changes its agent may be showing.

The change feed (:mod:`.feed`, a thread) hands every batch of committed changes to
:meth:`Hub.publish`; each connection has an asyncio queue on the server's event loop, filled
thread-safely, and its WebSocket handler sends what arrives as one JSON message:
``{"changes": [{"topic": "order", "ref_id": 12}, …]}``. Messages are wake-ups: a desk reads
the data itself, through the operations, after the commit that caused them.

A desk says which topics its screens react to: ``{"watch": ["order"]}`` whenever the screens it
shows change (a list of work orders open: ``order``; only the call screen: none). It is then sent
only those, and always an outage and its own logout; a desk that never says is sent every topic.
Without this, every change went to every desk: 500 desks, ten saves a second, 5,000 messages a
second, most of them to a call screen that shows none of it.

A connection without a live session is closed with the code
:data:`~agentdesk.client.wire.CLOSE_SESSION` (4401, reason "session": 4000 + HTTP 401),
whether its token was dead at the handshake or its session ended later (a lead's order, a
PIN reset, the expiry): the session is read again before a logout is sent, when the feed says
one of its agent's sessions ended or the account changed, at the session's expiry, and at most
every :data:`RECHECK_SECONDS` before other messages — so an ended session is sent nothing more,
and an idle connection costs the database nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.to_thread
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import WebsocketRouteHandler

from agentdesk import clock
from agentdesk.client.wire import API, CLOSE_SESSION
from agentdesk.db import Database
from agentdesk.server import metrics
from agentdesk.server.tokens import bearer
from agentdesk.services import changes
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.changes import ALL_TOPICS, Change, Topic, for_agent

QUEUE_LIMIT = 256  # a desk this far behind reloads everything anyway: older wake-ups are dropped
RECHECK_SECONDS = 60.0
#: Wake-ups arriving within this are sent as one message (a busy center changes work orders
#: many times a second; each desk needs to hear it once, and lists reload at most every few
#: seconds anyway). An outage or a logout goes at once.
COALESCE_SECONDS = 0.5
#: Queued for a connection whose session may have ended without a word for the desk (its own
#: logout through another instance, an account change): the handler reads the session again.
RECHECK = "recheck"
URGENT = frozenset({Topic.OUTAGE, Topic.LOGOUT, Topic.CALL, RECHECK})  # a ringing call pops within 300 ms
#: A quiet channel wakes at its session's expiry, and at least this often to look at the clock.
EXPIRY_WAKE_MAX = 3600.0
WATCHABLE = frozenset(ALL_TOPICS)
#: A desk that starts watching a topic is sent that topic's changes of this long ago again: the
#: list it just opened may have been read before one of them committed and before the server
#: knew the desk watched it.
REPLAY_SECONDS = 5.0
REPLAY_LIMIT = QUEUE_LIMIT  # changes kept per topic for that


def merged(payload: list[dict]) -> list[dict]:
    """The same wake-ups once each, in order of first arrival."""
    seen: set[tuple[object, object]] = set()
    out = []
    for change in payload:
        key = (change["topic"], change["ref_id"])
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out


@dataclass
class Connection:
    agent: AgentInfo
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[list[dict]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    #: The topics the desk's screens react to (its ``watch`` message); None: it never said, so all.
    topics: frozenset[str] | None = None

    def wants(self, topic: str) -> bool:
        return self.topics is None or topic in changes.ALWAYS or topic in self.topics

    def share(self, found: list[Change]) -> list[dict]:
        return [{"topic": c.topic, "ref_id": c.ref_id} for c in for_agent(found, self.agent) if self.wants(c.topic)]


class Hub:
    def __init__(self, before: Callable[[list[Change]], None] | None = None) -> None:
        self._before = before  # told each batch first (the session cache forgets what ended)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._connections: dict[int, Connection] = {}
        self._recent: dict[str, deque[tuple[float, Change]]] = {}

    def connect(self, agent: AgentInfo) -> tuple[int, Connection]:
        conn = Connection(agent, asyncio.get_running_loop())
        with self._lock:
            key = next(self._ids)
            self._connections[key] = conn
        metrics.PUSH_CONNECTIONS.inc()
        return key, conn

    def disconnect(self, key: int) -> None:
        with self._lock:
            if self._connections.pop(key, None) is not None:
                metrics.PUSH_CONNECTIONS.dec()

    def count(self) -> int:
        with self._lock:
            return len(self._connections)

    def publish(self, found: list[Change]) -> None:
        """From any thread: queue each connection's share of ``found``."""
        if self._before is not None:
            self._before(found)
        now = time.monotonic()
        with self._lock:
            connections = list(self._connections.values())
            for change in found:
                self._recent.setdefault(change.topic, deque(maxlen=REPLAY_LIMIT)).append((now, change))
        for conn in connections:
            payload = conn.share(found)
            if _about_session(found, conn.agent.id) and not any(c["topic"] == Topic.LOGOUT for c in payload):
                payload.append({"topic": RECHECK, "ref_id": None})  # for the handler, not the desk
            if payload:
                _deliver(conn, payload)

    def watch(self, conn: Connection, topics: frozenset[str]) -> None:
        """The desk's screens now react to ``topics``: later changes of other topics are not sent;
        the recent changes of a topic it did not watch before are sent again."""
        before, conn.topics = conn.topics, topics
        if before is None:  # it was sent everything until now
            return
        since = time.monotonic() - REPLAY_SECONDS
        with self._lock:
            again = [change for topic in topics - before for at, change in self._recent.get(topic, ())
                     if at >= since]
        payload = conn.share(again)
        if payload:
            _deliver(conn, payload)


def _about_session(found: list[Change], agent_id: int) -> bool:
    """Whether one of this agent's sessions may have ended (its own logout elsewhere, an account
    change) even though the desk is told nothing: its channel checks its session again."""
    return any((c.topic == Topic.SESSION and c.agent_id == agent_id)
               or (c.topic == Topic.AGENT and c.ref_id == agent_id) for c in found)


def _deliver(conn: Connection, payload: list[dict]) -> None:
    try:
        conn.loop.call_soon_threadsafe(_offer, conn.queue, payload)
    except RuntimeError:  # its loop has closed: the handler is gone
        pass


def watched(raw: str | bytes) -> frozenset[str] | None:
    """The topics of a ``{"watch": [...]}`` message (unknown ones left out); None if it is not one."""
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    topics = message.get("watch") if isinstance(message, dict) else None
    if not isinstance(topics, list):
        return None
    return frozenset(t for t in topics if isinstance(t, str) and t in WATCHABLE)


def _offer(queue: asyncio.Queue[list[dict]], payload: list[dict]) -> None:
    if queue.full():
        try:
            queue.get_nowait()
        except asyncio.QueueEmpty:  # pragma: no cover - full, then empty, on one thread
            pass
        payload = [{"topic": "resync", "ref_id": None}, *payload]
    queue.put_nowait(payload)


def push_handler(db: Database, hub: Hub) -> WebsocketRouteHandler:
    """``/api/v1/push``: the token in ``Authorization``; without a live session, closed with 4401."""

    @websocket(f"{API}/push")
    async def push(socket: WebSocket) -> None:
        from agentdesk.services import sessions
        from agentdesk.services.errors import Unauthenticated

        token = bearer(socket.headers)

        async def live() -> sessions.Current | None:
            try:
                return await anyio.to_thread.run_sync(sessions.current, db, token)
            except Unauthenticated:
                return None

        current = await live()
        # Accepted, then closed: a close code reaches every WebSocket client the same way,
        # where a refused handshake is only a bare HTTP status (and a 403 at that).
        await socket.accept()
        if current is None:
            await socket.close(code=CLOSE_SESSION, reason="session")
            return
        key, conn = hub.connect(current.login.agent)
        checked = time.monotonic()
        expires = current.expires_at

        async def listen() -> None:  # the desk's watch messages; this also notices it going away
            try:
                while True:
                    topics = watched(await socket.receive_data(mode="text"))
                    if topics is not None:
                        hub.watch(conn, topics)
            except (WebSocketDisconnect, RuntimeError):
                return

        listener = asyncio.create_task(listen())
        try:
            await socket.send_json({"hello": current.login.agent.number})
            while not listener.done():
                getter = asyncio.create_task(conn.queue.get())
                # Woken at the session's expiry as well: a quiet channel is closed then, not
                # left open (a read at the expiry, none while idle).
                until_expiry = (expires - clock.now()).total_seconds()
                done, _ = await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED,
                                             timeout=min(max(until_expiry, 0.0) + 1.0, EXPIRY_WAKE_MAX))
                if getter not in done:
                    getter.cancel()
                    if not listener.done() and (expires - clock.now()).total_seconds() <= 0:
                        renewed = await live()
                        if renewed is None:
                            await socket.close(code=CLOSE_SESSION, reason="session")
                            return
                        expires, checked = renewed.expires_at, time.monotonic()
                    continue
                payload = getter.result()
                if not any(c["topic"] in URGENT for c in payload):
                    await asyncio.sleep(COALESCE_SECONDS)
                while not conn.queue.empty():
                    payload += conn.queue.get_nowait()
                payload = merged(payload)
                logout = any(c["topic"] == Topic.LOGOUT for c in payload)
                recheck = any(c["topic"] == RECHECK for c in payload)
                payload = [c for c in payload if c["topic"] != RECHECK]
                if logout or recheck or time.monotonic() - checked > RECHECK_SECONDS:
                    checked = time.monotonic()
                    renewed = await live()
                    if renewed is None:
                        if logout:
                            await socket.send_json({"changes": payload})
                        await socket.close(code=CLOSE_SESSION, reason="session")
                        return
                    expires = renewed.expires_at
                    # Still live: the logout was for the agent's sessions ended before this one.
                    payload = [c for c in payload if c["topic"] != Topic.LOGOUT]
                if payload:
                    await socket.send_json({"changes": payload})
                    metrics.PUSHED.inc()
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            listener.cancel()
            hub.disconnect(key)

    return push
