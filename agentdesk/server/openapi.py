"""What the OpenAPI description says beyond the routes' types: the bearer session and the
error answers, so a client generated from it (or a fuzzer reading it) knows every answer.

Every error is an :class:`~agentdesk.client.wire.ErrorBody`: Litestar's own 400 description
(its ValidationException shape) is replaced, because the server never sends that shape.
Checked by the fuzz test (tests/server/test_fuzz_api.py): every answer conforms to it.
"""

from __future__ import annotations

import dataclasses

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, OpenAPI, OpenAPIFormat, Schema, SecurityRequirement, SecurityScheme

from agentdesk import __version__
from agentdesk.client import wire

SCHEME = "session"
LOCAL_TIME = "date-time-local"
#: On every route that needs a login.
SECURITY: list[SecurityRequirement] = [{SCHEME: []}]

_WHY = {
    400: "The body is not what the operation takes (the services' InvalidInput, key server.bad_request)",
    401: "No live session: no token, a forged one, an expired or ended session; or a wrong PIN",
    403: "The session's agent may not do this (a lead's operation: audited as server.refused)",
    404: "What the request names does not exist",
    409: "Someone else changed it first (a stale version)",
    413: "The body is over the server's limit (8 MB)",
    422: "The services refused a value, with the field and the reason's i18n key",
    503: "The database is unavailable",
}

#: The errors a route that takes a body and a session can answer.
OPERATION_ERRORS = (400, 401, 403, 404, 409, 413, 422, 503)


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    return {status: ResponseSpec(data_container=wire.ErrorBody, description=_WHY[status], generate_examples=False)
            for status in statuses}


def config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="agentdesk", version=__version__,
        description="The agent desk's server: every operation a desk performs. Log in with POST /api/v1/login; "
                    "send the token it gives as `Authorization: Bearer <token>`.",
        components=Components(security_schemes={SCHEME: SecurityScheme(
            type="http", scheme="bearer", description="The session token from /api/v1/login")}),
    )


def refine(document: OpenAPI) -> OpenAPI:
    """Say in ``document`` what the generated schemas leave out: an operation's body takes no
    field it does not name (the server answers 400), and a time is the center's local time
    without an offset (the OpenAPI registry's ``date-time-local``)."""
    strict = {op.body.__name__ for op in wire.OPERATIONS.values()}
    for name, schema in ((document.components.schemas if document.components else None) or {}).items():
        if name in strict and isinstance(schema, Schema):
            schema.additional_properties = False
    _local_times(document)
    return document


def _local_times(node: object) -> None:
    if isinstance(node, Schema) and node.format == OpenAPIFormat.DATE_TIME:
        node.format = LOCAL_TIME  # type: ignore[assignment]  # a registry format Litestar's enum lacks
        node.description = node.description or "The center's local time, ISO 8601 without an offset"
    if isinstance(node, dict):
        children: list[object] = list(node.values())
    elif isinstance(node, list | tuple):
        children = list(node)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        children = [getattr(node, f.name) for f in dataclasses.fields(node)]
    else:
        return
    for child in children:
        _local_times(child)
