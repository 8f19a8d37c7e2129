"""One route per allowed operation: ``POST /api/v1/op/<name>``, built from the allow-list.

Each handler resolves the session (the acting agent and shift), refuses a lead-only operation
to anyone else (audited, before the services are reached: they would refuse it too), and runs
the operation through :class:`~agentdesk.client.local.LocalDesk` acting as that agent: the
server and a desk on one PC run the very same code for every operation.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from litestar import MediaType, Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from agentdesk.client import wire
from agentdesk.client.local import LocalDesk
from agentdesk.db import Database
from agentdesk.server import metrics
from agentdesk.server.openapi import OPERATION_ERRORS, SECURITY, errors
from agentdesk.server.session_cache import SessionCache
from agentdesk.server.tokens import bearer
from agentdesk.services import audit, idempotency, sessions
from agentdesk.services.errors import InvalidInput, PermissionDenied, ServiceError

log = logging.getLogger("agentdesk.server")


def refuse(db: Database, agent: wire.AgentInfo, operation: str) -> PermissionDenied:
    """An agent asked for a lead's operation: audited, counted, refused."""
    with db.write() as session:
        audit.record(session, "server.refused", actor_id=agent.id, entity="operation", operation=operation)
    metrics.REFUSED.labels(reason="role").inc()
    return PermissionDenied()


def run(db: Database, policy: str, op: wire.Operation, live: sessions.Current, kwargs: dict[str, Any]) -> bytes:
    """The operation as the session's agent, its result encoded."""
    desk = LocalDesk.acting(db, policy=policy, login=live.login)
    result = getattr(desk, op.name)(**kwargs)
    if op.result is wire.OrderPage:
        result = wire.OrderPage(result.rows, result.next_cursor)
    elif op.result is wire.CallbackPage:
        result = wire.CallbackPage(result.rows, result.next_cursor)
    return wire.ENCODER.encode(result)


def _json(content: bytes, **headers: str) -> Response:
    # Encoded by us, always as JSON: Litestar would send a bare str result as plain text.
    return Response(content=content, media_type="application/json", headers=headers or None)


def replay(first: idempotency.Seen, operation: str) -> Response:
    """A request sent again under a key already used: the first answer, never a second run."""
    if first.operation != operation:
        raise InvalidInput("server.key_reused", field="form")
    if first.response is None:
        raise ServiceError("server.already_done")
    metrics.REPLAYED.inc()
    return _json(first.response, **{wire.REPLAYED_HEADER: "true"})


#: Operations after which this instance forgets the sessions it knows (an account or a PIN
#: changed: some session may have ended); the change feed tells the other instances.
ACCOUNT_CHANGES = frozenset({"add_agent", "update_agent", "change_pin"})


#: A retry that finds its key without an answer waits this long for it: the first request's
#: answer is stored just after it was sent, and a desk asking again at once may come between.
ANSWER_WAIT_SECONDS = 2.0


def _answered(db: Database, agent_id: int, key: str, first: idempotency.Seen) -> idempotency.Seen:
    deadline = time.monotonic() + ANSWER_WAIT_SECONDS
    while first.response is None and time.monotonic() < deadline:
        time.sleep(0.05)
        first = idempotency.seen(db, agent_id, key) or first
    return first


def _store_answer(db: Database, marked: Any, content: bytes) -> None:
    try:
        idempotency.store_response(db, marked, content)
    except Exception:  # the save stands; a retry of it is told it was done already
        log.warning("could not store the answer under its idempotency key", exc_info=True)


def _handler(db: Database, policy: str, op: wire.Operation, cache: SessionCache) -> HTTPRouteHandler:
    def handle(data: Any, request: Request) -> Any:
        if op.name in ACCOUNT_CHANGES:
            try:
                return _handle(data, request)
            finally:
                cache.clear()
        return _handle(data, request)

    def _handle(data: Any, request: Request) -> Any:
        live = cache.current(bearer(request.headers))
        agent = live.login.agent
        if op.roles is not None and agent.role not in op.roles:
            raise refuse(db, agent, op.name)
        kwargs = {name: getattr(data, name) for name in op.params}
        kwargs = {name: wire.center_time(v) if isinstance(v, datetime) else v for name, v in kwargs.items()}
        if "cursor" in kwargs:
            kwargs["cursor"] = wire.revive_cursor(kwargs["cursor"])
        key = request.headers.get(wire.IDEMPOTENCY_HEADER)
        if op.reads or key is None or not idempotency.valid_key(key):
            return _json(run(db, policy, op, live, kwargs))
        first = idempotency.seen(db, agent.id, key)
        if first is not None:
            return replay(_answered(db, agent.id, key, first), op.name)
        with idempotency.handling(agent.id, key, op.name) as marked:
            content = run(db, policy, op, live, kwargs)
        # Stored once the answer is on its way: the save is committed, its key with it; a desk
        # asks again only after an answer it never got, by then long stored.
        response = _json(content)
        if marked.written_by is not None:
            response.background = BackgroundTask(_store_answer, db, marked, content)
        return response

    body: Any = JSONBody[op.body]  # type: ignore[misc,name-defined]
    handle.__annotations__ = {"data": body, "request": Request, "return": op.result}
    handle.__name__ = op.name
    handle.__qualname__ = op.name
    handle.__doc__ = (getattr(wire.Desk, op.name).__doc__ or op.name.replace("_", " ")).strip().splitlines()[0]
    # Always JSON (a str result too: Litestar would describe and send it as text/plain).
    return post(f"{wire.API}/op/{op.name}", sync_to_thread=True, status_code=200, operation_id=op.name,
                media_type=MediaType.JSON, tags=["desk" if op.roles is None else "+".join(sorted(op.roles))],
                security=SECURITY, responses=errors(*OPERATION_ERRORS))(handle)


def operation_handlers(db: Database, policy: str, cache: SessionCache) -> list[HTTPRouteHandler]:
    return [_handler(db, policy, op, cache) for op in wire.OPERATIONS.values()]
