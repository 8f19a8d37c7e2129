"""The server's ASGI application (Litestar, served by uvicorn: ``agentdesk serve``).

Litestar because it encodes and decodes with msgspec natively: the services' dataclasses go
out as they are and the desk decodes them with the same library into the same types, and
the OpenAPI description (``/schema/openapi.json``) is generated from those types.

Every operation is ``POST /api/v1/op/<name>`` with the method's keyword arguments as a JSON
object; the session token comes in ``Authorization: Bearer …``. Errors are JSON
(:class:`~agentdesk.client.wire.ErrorBody`): the service's exception, its i18n key and
parameters, so the desk words it in the agent's own language. No traceback or SQL text
ever leaves the server.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence

from litestar import Litestar, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import JSONBody
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agentdesk import __version__
from agentdesk.client import wire
from agentdesk.client.local import LocalDesk
from agentdesk.db import Database, DatabaseError
from agentdesk.server import cti, metrics, openapi
from agentdesk.server.feed import Feed
from agentdesk.server.middleware import MetricsMiddleware
from agentdesk.server.openapi import OPERATION_ERRORS, SECURITY, errors
from agentdesk.server.operations import operation_handlers, refuse
from agentdesk.server.push import Hub, push_handler
from agentdesk.server.session_cache import SessionCache
from agentdesk.server.tokens import bearer
from agentdesk.services import accounts, idempotency, outages, sessions
from agentdesk.services.errors import LoginFailed, ServiceError
from agentdesk.services.outages import OutageInfo

log = logging.getLogger("agentdesk.server")
JSON = "application/json"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _error_response(status: int, body: wire.ErrorBody) -> Response:
    return Response(content=wire.ENCODER.encode(body), status_code=status, media_type=JSON)


def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    status = wire.status_of(exc)
    if status == 401:
        metrics.REFUSED.labels(reason="session").inc()
    return _error_response(status, wire.error_body(exc))


def _database_error(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", type(exc).__name__)
    return _error_response(503, wire.ErrorBody("ServiceError", "server.database_unavailable", {}))


def _validation_error(request: Request, exc: Exception) -> Response:
    detail = getattr(exc, "extra", None) or []
    return _error_response(400, wire.ErrorBody("InvalidInput", "server.bad_request",
                                                {"detail": str(detail)[:500]}))


def _out_of_range(request: Request, exc: Exception) -> Response:
    # A number or a time past what the database or datetime can hold, deep in a body the wire
    # types do not bound (a cursor, a filter): the request's fault, not the server's.
    log.warning("out of range in %s: %s", request.url.path, exc)
    return _error_response(400, wire.ErrorBody("InvalidInput", "server.bad_request", {"detail": "out of range"}))


def _unexpected(request: Request, exc: Exception) -> Response:
    from litestar.exceptions import HTTPException

    if isinstance(exc, HTTPException):  # 404 for an unknown path, 405, 413…
        response = _error_response(exc.status_code, wire.ErrorBody("ServiceError", "server.refused",
                                                                     {"status": exc.status_code}))
        response.headers.update(exc.headers or {})  # a 405's Allow
        return response
    log.exception("unexpected error in %s", request.url.path)
    return _error_response(500, wire.ErrorBody("ServiceError", "error.generic", {}))


def create_app(db: Database, *, policy: str, feed: bool = True,
               cti_allow: Sequence[str] = cti.LOOPBACK) -> Litestar:
    """The server over ``db``; ``feed=False`` leaves the change feed off (a test that drives it);
    ``cti_allow``: the addresses or networks the phone system may post call events from."""
    idempotency.install()
    cache = SessionCache(db)
    hub = Hub(before=cache.changed)
    change_feed = Feed(db, hub.publish) if feed else None

    @get("/health", sync_to_thread=True, include_in_schema=True)
    def health() -> Response:
        try:
            with db.read() as session:
                session.execute(text("SELECT 1"))
        except (SQLAlchemyError, DatabaseError):
            return Response(content=b'{"status":"database unavailable"}', status_code=503, media_type=JSON)
        return Response(content=b'{"status":"ok"}', status_code=200, media_type=JSON)

    @get("/metrics", sync_to_thread=False, include_in_schema=False)
    def metrics_page() -> Response:
        return Response(content=metrics.exposition(), media_type="text/plain; version=0.0.4")

    @get(f"{wire.API}/info", sync_to_thread=True, responses=errors(503))
    def info() -> wire.ServerInfo:
        with db.read() as session:
            count = accounts.agent_count(session)
        return wire.ServerInfo(policy=policy, agents=count, version=__version__)

    @post(f"{wire.API}/login", sync_to_thread=True, status_code=200, responses=errors(400, 401, 413, 503))
    def login(data: JSONBody[wire.LoginBody], request: Request) -> wire.LoggedIn:
        try:
            opened = sessions.open_session(db, unicodedata.normalize("NFKC", data.number),
                                           unicodedata.normalize("NFKC", data.pin),
                                           client=client_address(request), seat=data.seat)
        except LoginFailed as exc:
            metrics.LOGINS_REFUSED.labels(reason=exc.key.rsplit(".", 1)[-1]).inc()
            raise
        return wire.LoggedIn(token=opened.token, expires_at=opened.expires_at, login=opened.login, policy=policy)

    @post(f"{wire.API}/logout", sync_to_thread=True, status_code=200, security=SECURITY, responses=errors(401, 503))
    def logout(request: Request) -> None:
        token = bearer(request.headers)
        try:
            sessions.close_session(db, token)
        finally:
            cache.forget(token)

    @post(f"{wire.API}/refresh", sync_to_thread=True, status_code=200, security=SECURITY,
          responses=errors(401, 503))
    def refresh(request: Request) -> wire.Refreshed:
        token = bearer(request.headers)
        cache.forget(token)  # its expiry moves
        return wire.Refreshed(expires_at=sessions.refresh(db, token))

    @get(f"{wire.API}/outages/active", sync_to_thread=True, security=SECURITY, responses=errors(401, 503))
    def active_outages(request: Request) -> list[OutageInfo]:
        cache.current(bearer(request.headers))
        with db.read() as session:
            return outages.active_outages(session)

    @post(f"{wire.API}/export_handovers", sync_to_thread=True, status_code=200, security=SECURITY,
          responses=errors(*OPERATION_ERRORS), media_type="application/octet-stream")
    def export_handovers(data: JSONBody[wire.ExportBody], request: Request) -> Response:
        live = cache.current(bearer(request.headers))
        desk = LocalDesk.acting(db, policy=policy, login=live.login)
        content = desk.export_handover_data(scope=data.scope, fmt=data.fmt, destination=data.destination[:500])
        return Response(content=content, media_type="application/octet-stream")

    @post(f"{wire.API}/sessions/end", sync_to_thread=True, status_code=200, security=SECURITY,
          responses=errors(*OPERATION_ERRORS))
    def end_sessions(data: JSONBody[wire.EndSessionsBody], request: Request) -> wire.Ended:
        live = cache.current(bearer(request.headers))
        if not live.login.agent.is_lead:  # audited like a lead-only operation
            raise refuse(db, live.login.agent, "sessions/end")
        try:
            with db.write() as session:
                return wire.Ended(ended=sessions.force_logout(session, data.number, actor=live.login.agent))
        finally:
            cache.clear()

    handlers = [health, metrics_page, info, login, logout, refresh, active_outages, export_handovers,
                end_sessions, push_handler(db, hub), *operation_handlers(db, policy, cache),
                *cti.cti_handlers(db, cti.networks(cti_allow))]
    app = Litestar(
        route_handlers=handlers,
        exception_handlers={ServiceError: _service_error, DatabaseError: _database_error,
                            SQLAlchemyError: _database_error, ValidationException: _validation_error,
                            OverflowError: _out_of_range,
                            Exception: _unexpected},
        openapi_config=openapi.config(),
        middleware=[MetricsMiddleware],
        on_startup=[change_feed.start] if change_feed else [],
        on_shutdown=[change_feed.stop] if change_feed else [],
        request_max_body_size=8 * 1_048_576,  # a 1 MB paste of CJK text, refused by the services as too long
        debug=False,
    )
    app.state.hub = hub  # a test without the feed publishes changes itself
    app.state.sessions = cache
    openapi.refine(app.openapi_schema)  # built once, here, and served as refined
    return app
