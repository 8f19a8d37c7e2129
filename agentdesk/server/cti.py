"""Call events from the phone system: ``POST /api/v1/cti/events`` (the token in
``Authorization: Bearer …``) or ``POST /api/v1/cti/<token>`` (for a PBX that can only be given
a URL), a JSON object or form fields (``event=newCall&from=…&to=…&callId=…``).

Only from the addresses allowed (``agentdesk serve --cti-allow``; loopback by default). The
answer is ``{"ok": true, "outcome": "stored" | "updated" | "duplicate", "state": …}`` — never
a customer's data. A refusal is JSON as every other (``{"error", "key", "params"}``: 400 a
body that is not an object, 401 a wrong token, 403 an address not allowed, 413 a body over
:data:`MAX_BODY`, 404 an extension no agent has, 422 a field out of its alphabet) and an audit
row (``cti.refused``, with the reason and the address, never the token or the body).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from sqlalchemy.exc import IntegrityError

from agentdesk import clock
from agentdesk.client import wire
from agentdesk.db import Database
from agentdesk.server import metrics
from agentdesk.server.tokens import bearer
from agentdesk.services import audit
from agentdesk.services.cti import events, systems
from agentdesk.services.errors import InvalidInput, ServiceError

log = logging.getLogger("agentdesk.server")

MAX_BODY = 16 * 1024  # an event is a few hundred bytes
LOOPBACK = ("127.0.0.0/8", "::1/128")
Networks = Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]


def networks(specs: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``--cti-allow`` values (addresses or networks); ValueError for one that is neither."""
    return [ipaddress.ip_network(spec.strip(), strict=False) for spec in specs if spec.strip()]


def _allowed(address: str, allowed: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in allowed)


def _fields(body: bytes, content_type: str) -> dict[str, Any]:
    if "application/x-www-form-urlencoded" in content_type:
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                            max_num_fields=64)
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidInput("cti.bad_body", field="body") from exc
        return {name: values if name.endswith("[]") else values[0] for name, values in form.items()}
    try:
        fields = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("cti.bad_body", field="body") from exc
    if not isinstance(fields, dict):
        raise InvalidInput("cti.bad_body", field="body")
    return fields


def _refused(db: Database, reason: str, address: str) -> None:
    metrics.REFUSED.labels(reason="cti").inc()
    try:
        with db.write() as session:
            audit.record(session, "cti.refused", actor_id=None, entity="cti", reason=reason, address=address[:64])
    except Exception:  # the database away: the refusal stands, unrecorded
        log.warning("could not record a refused call event", exc_info=True)


#: The error's name in the answer, by status (as the desk's operations name theirs).
_ERROR_NAMES = {401: "Unauthenticated", 403: "PermissionDenied", 404: "NotFound"}


def _error(status: int, key: str, **params: object) -> Response:
    body = wire.ErrorBody(_ERROR_NAMES.get(status, "ServiceError" if status >= 500 else "InvalidInput"), key, params)
    return Response(content=wire.ENCODER.encode(body), status_code=status, media_type="application/json")


def handle(db: Database, token: str | None, address: str, body: bytes, content_type: str,
           allowed: Networks) -> Response:
    """One posted event, start to end (on a worker thread)."""
    if not _allowed(address, allowed):
        _refused(db, "address", address)
        return _error(403, "cti.address_refused")
    if len(body) > MAX_BODY:
        _refused(db, "too_large", address)
        return _error(413, "cti.too_large", limit=MAX_BODY)
    with db.read() as session:
        system = systems.system_for(session, token)
    if system is None or system.id is None:
        _refused(db, "token", address)
        return _error(401, "cti.bad_token")
    try:
        event = events.parse_event(_fields(body, content_type))
        for attempt in range(2):  # two first events of one call at once: the loser reads the winner's leg
            try:
                with db.write() as session:
                    done = events.record_event(session, system.id, event, clock.now())
                break
            except IntegrityError:
                if attempt:
                    raise
    except ServiceError as exc:
        _refused(db, exc.key or type(exc).__name__, address)
        return _error(wire.status_of(exc), exc.key or "server.refused", **wire.error_body(exc).params)
    metrics.CTI_EVENTS.labels(event=event.event, outcome=done.outcome).inc()
    return Response(content=json.dumps({"ok": True, "outcome": done.outcome, "state": done.state}).encode(),
                    media_type="application/json")


def cti_handlers(db: Database, allowed: Networks) -> list[HTTPRouteHandler]:
    async def run(request: Request, token: str | None) -> Response:
        body = await request.body()
        address = request.client.host if request.client else ""
        return await anyio.to_thread.run_sync(handle, db, token, address, body,
                                              request.headers.get("content-type", ""), allowed)

    @post(f"{wire.API}/cti/events", include_in_schema=False, status_code=200)
    async def cti_events(request: Request) -> Response:
        return await run(request, bearer(request.headers))

    @post(f"{wire.API}/cti/{{token:str}}", include_in_schema=False, status_code=200)
    async def cti_events_at(request: Request, token: FromPath[str]) -> Response:
        return await run(request, token)

    return [cti_events, cti_events_at]

