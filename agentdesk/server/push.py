"""The push channel: each connected desk gets the changes its agent may be showing.

The change feed (:mod:`.feed`, a thread) hands every batch of committed changes to
:meth:`Hub.publish`; each connection has an asyncio queue on the server's event loop, filled
thread-safely, and its WebSocket handler sends what arrives as one JSON message:
``{"changes": [{"topic": "order", "ref_id": 12}, …]}``. Messages are wake-ups: a desk reads
the data itself, through the operations, after the commit that caused them.

A connection without a live session is closed with the code
:data:`~agentdesk.client.wire.CLOSE_SESSION` (4401, reason "session": 4000 + HTTP 401),
whether its token was dead at the handshake or its session ended later (a lead's order, a
PIN reset, the expiry): the session is read again before a logout is sent, and at most every
:data:`RECHECK_SECONDS` before other messages, so an ended session is sent nothing more and
an idle connection costs the database nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field

import anyio.to_thread
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import WebsocketRouteHandler

from agentdesk.client.wire import API, CLOSE_SESSION
from agentdesk.db import Database
from agentdesk.server import metrics
from agentdesk.server.tokens import bearer
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.changes import Change, Topic, for_agent

QUEUE_LIMIT = 256  # a desk this far behind reloads everything anyway: older wake-ups are dropped
RECHECK_SECONDS = 60.0
#: Wake-ups arriving within this are sent as one message (a busy center changes work orders
#: many times a second; each desk needs to hear it once, and lists reload at most every few
#: seconds anyway). An outage or a logout goes at once.
COALESCE_SECONDS = 0.5
URGENT = frozenset({Topic.OUTAGE, Topic.LOGOUT})


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


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._connections: dict[int, Connection] = {}

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
        with self._lock:
            connections = list(self._connections.values())
        for conn in connections:
            mine = for_agent(found, conn.agent)
            if not mine:
                continue
            payload = [{"topic": c.topic, "ref_id": c.ref_id} for c in mine]
            try:
                conn.loop.call_soon_threadsafe(_offer, conn.queue, payload)
            except RuntimeError:  # its loop has closed: the handler is gone
                continue


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

        async def listen() -> None:  # the desk sends nothing; this notices it going away
            try:
                while True:
                    await socket.receive_data(mode="text")
            except (WebSocketDisconnect, RuntimeError):
                return

        listener = asyncio.create_task(listen())
        try:
            await socket.send_json({"hello": current.login.agent.number})
            while not listener.done():
                getter = asyncio.create_task(conn.queue.get())
                done, _ = await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    continue
                payload = getter.result()
                if not any(c["topic"] in URGENT for c in payload):
                    await asyncio.sleep(COALESCE_SECONDS)
                while not conn.queue.empty():
                    payload += conn.queue.get_nowait()
                payload = merged(payload)
                logout = any(c["topic"] == Topic.LOGOUT for c in payload)
                if logout or time.monotonic() - checked > RECHECK_SECONDS:
                    checked = time.monotonic()
                    if await live() is None:
                        if logout:
                            await socket.send_json({"changes": payload})
                        await socket.close(code=CLOSE_SESSION, reason="session")
                        return
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
