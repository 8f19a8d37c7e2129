"""What travels between a desk and ``agentdesk serve``: the operations offered, their bodies
and results, and the errors, encoded and decoded by msgspec on both sides.

The server offers an explicit allow-list (:data:`OPERATIONS`), not "call any method": each
name is a :class:`~agentdesk.client.desk.Desk` method, and its request body and result types
are read from that method's signature, so the desk, the server and the OpenAPI description
cannot drift apart. The acting agent is never a parameter: the server takes it from the
session. Methods that only make sense on one side stay out: ``login`` (its own endpoint),
``outages_if_changed`` (the push channel says when), ``export_handovers`` (the file is
written on the desk's machine: the server returns its bytes), ``close``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from agentdesk.client import desk as desk_module
from agentdesk.client.desk import Desk, Identified, OrderFilters, ResumedCall
from agentdesk.clock import CENTER_TZ
from agentdesk.services.account_admin import MANAGERS
from agentdesk.services.accounts import AgentInfo, LoginResult, ShiftInfo
from agentdesk.services.board import BoardData
from agentdesk.services.callbacks import CallbackRow
from agentdesk.services.calls import CallerInfo, CallInfo, DepartmentInfo, FollowUpInfo, WorkOrderInfo
from agentdesk.services.complaints import Category, ComplaintInfo
from agentdesk.services.cti.popup import CallPopup
from agentdesk.services.cti.taking import TakenCall
from agentdesk.services.customers import CustomerCard, CustomerHit
from agentdesk.services.drafts import DraftInfo, UnfinishedCall
from agentdesk.services.errors import (
    InvalidFields,
    InvalidInput,
    LoginFailed,
    NotFound,
    PermissionDenied,
    ServiceError,
    Unauthenticated,
)
from agentdesk.services.handover import HandoverDraft, HandoverNoteInfo
from agentdesk.services.kb import KbArticleView, KbHit
from agentdesk.services.outages import OutageInfo, TimelineEntry
from agentdesk.services.workorders import OrderDetail, OrderRow, Page
from agentdesk.services.workorders.common import BadTransition, Conflict

API = "/api/v1"
#: Sent with every operation; the same key again means "the same request, its answer was lost".
IDEMPOTENCY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
#: The push channel's close code for "no live session" (4000 + HTTP 401): the desk logs in again.
CLOSE_SESSION = 4401

#: Operations any logged-in agent may call (the services still check ownership and rules).
AGENT_OPERATIONS = (
    "unfinished_calls", "load_draft", "save_draft", "delete_drafts",
    "start_call", "resume_call", "search_customers", "identify", "register_unregistered", "link_outage",
    "close_call", "set_request_type", "departments", "kb_search", "kb_article", "consult_answered",
    "follow_up_due", "consult_follow_up", "preview_deadlines", "create_work_order", "record_materials_missing",
    "record_praise", "complaint_categories", "accept_complaint", "refuse_complaint",
    "list_orders", "get_order", "change_status", "pause_order", "resume_order", "request_delay", "urge",
    "escalate",
    "callback_queue", "take_next_callback", "get_callback", "reveal_callback_phone", "record_callback_outcome",
    "release_callback",
    "known_areas", "list_outages", "outage_timeline",
    "call_popup", "take_call",
    "pending_handovers", "acknowledge_handovers", "compile_handover", "confirm_handover",
    "change_pin",
)
#: Operations only a team lead may call: refused before the services are reached.
LEAD_OPERATIONS = ("decide_delay", "board", "declare_outage", "update_outage", "clear_outage")
#: Account changes: a lead's or an admin's (the services decide whom each may change).
ACCOUNT_OPERATIONS = ("list_agents", "add_agent", "update_agent")
#: Operations that only read: sent without an idempotency key (asking twice is harmless), so the
#: server does not look one up. ``tests/unit/test_wire_reads.py`` checks each reads and never writes.
READS = frozenset({
    "unfinished_calls", "load_draft", "resume_call", "search_customers", "departments", "kb_search", "kb_article",
    "follow_up_due", "preview_deadlines", "complaint_categories", "list_orders", "get_order", "board",
    "callback_queue", "get_callback", "known_areas", "list_outages", "outage_timeline", "pending_handovers",
    "compile_handover", "list_agents", "call_popup",
})
#: Who may call each restricted operation; any other role is refused and audited.
RESTRICTED: dict[str, frozenset[str]] = {
    **{name: frozenset({"lead"}) for name in LEAD_OPERATIONS},
    **{name: frozenset(MANAGERS) for name in ACCOUNT_OPERATIONS},
}


@dataclass(frozen=True)
class OrderPage:
    rows: tuple[OrderRow, ...]
    next_cursor: tuple[Any, ...] | None


@dataclass(frozen=True)
class CallbackPage:
    rows: tuple[CallbackRow, ...]
    next_cursor: tuple[Any, ...] | None


@dataclass(frozen=True)
class LoginBody:
    number: str
    pin: str
    seat: str | None = None


@dataclass(frozen=True)
class LoggedIn:
    token: str
    expires_at: datetime
    login: LoginResult
    policy: str


@dataclass(frozen=True)
class Refreshed:
    expires_at: datetime


@dataclass(frozen=True)
class ServerInfo:
    """What a desk asks before login: the server's preset, whether accounts exist."""

    policy: str
    agents: int
    version: str


@dataclass(frozen=True)
class ExportBody:
    scope: str
    fmt: str
    destination: str  # where the desk will write it: for the audit row


@dataclass(frozen=True)
class EndSessionsBody:
    number: str


@dataclass(frozen=True)
class Ended:
    ended: int


@dataclass(frozen=True)
class ErrorBody:
    error: str
    key: str
    params: dict[str, Any]
    field: str = ""
    fields: dict[str, ErrorBody] | None = None


#: Results whose declared type is too loose to decode: the concrete type on the wire.
_RESULT_OVERRIDES: dict[str, Any] = {"list_orders": OrderPage, "callback_queue": CallbackPage}

_NAMESPACE: dict[str, Any] = {
    **vars(desk_module), "Sequence": Sequence, "datetime": datetime, "Path": Path,
    "AgentInfo": AgentInfo, "LoginResult": LoginResult, "ShiftInfo": ShiftInfo, "BoardData": BoardData,
    "CallbackRow": CallbackRow, "CallerInfo": CallerInfo, "CallInfo": CallInfo, "DepartmentInfo": DepartmentInfo,
    "FollowUpInfo": FollowUpInfo, "WorkOrderInfo": WorkOrderInfo, "Category": Category,
    "ComplaintInfo": ComplaintInfo, "CustomerCard": CustomerCard, "CustomerHit": CustomerHit,
    "DraftInfo": DraftInfo, "UnfinishedCall": UnfinishedCall, "HandoverDraft": HandoverDraft,
    "HandoverNoteInfo": HandoverNoteInfo, "KbArticleView": KbArticleView, "KbHit": KbHit,
    "OutageInfo": OutageInfo, "TimelineEntry": TimelineEntry, "OrderDetail": OrderDetail, "Page": Page,
    "Identified": Identified, "ResumedCall": ResumedCall, "OrderFilters": OrderFilters, "CallPopup": CallPopup,
    "TakenCall": TakenCall,
}

# desk.py imports its result types for type checkers only (the first paint stays light), so
# its dataclasses' annotations name types its module does not hold at run time; msgspec reads
# those annotations in that module, so the wire puts the names there.
for _name, _value in _NAMESPACE.items():
    vars(desk_module).setdefault(_name, _value)


@dataclass(frozen=True)
class Operation:
    name: str
    roles: frozenset[str] | None  # None: any logged-in agent
    body: type  # a msgspec Struct of the method's keyword arguments
    result: Any
    params: tuple[str, ...]
    reads: bool  # only reads (READS): no idempotency key


#: What the databases store an integer in: a larger one is refused on the wire (400), not by
#: the driver (an OverflowError, a 500).
Int64 = typing.Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


#: A page's keyset cursor, the ``next_cursor`` of the page before: (its last row's time, id).
#: Typed on the wire so a made-up one is a 400, not a TypeError deep in the query.
Cursor = tuple[datetime | None, Int64]


def _bounded(kind: Any) -> Any:
    if kind is int:
        return Int64
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and int in typing.get_args(kind):
        return typing.Union[tuple(Int64 if arg is int else arg for arg in typing.get_args(kind))]  # noqa: UP007
    return kind


def _operation(name: str) -> Operation:
    method = getattr(Desk, name)
    hints = typing.get_type_hints(method, globalns=_NAMESPACE)
    result = _RESULT_OVERRIDES.get(name, hints.pop("return"))
    import inspect

    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        kind = Cursor | None if param.name == "cursor" else _bounded(hints[param.name])
        if param.default is inspect.Parameter.empty:
            fields.append((param.name, kind))
        else:
            fields.append((param.name, kind, param.default))
    title = "".join(part.title() for part in name.split("_"))
    body = msgspec.defstruct(f"{title}Body", fields, kw_only=True, forbid_unknown_fields=True)
    return Operation(name, RESTRICTED.get(name), body, result, tuple(f[0] for f in fields),
                     name in READS)


OPERATIONS: dict[str, Operation] = {
    name: _operation(name) for name in (*AGENT_OPERATIONS, *LEAD_OPERATIONS, *ACCOUNT_OPERATIONS)
}


def center_time(value: datetime) -> datetime:
    """A time off the wire as the services keep every time: the center's local time, naive.
    The desk sends none with an offset; one that comes with one is converted, not compared
    with naive times (a TypeError, a 500)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(CENTER_TZ).replace(tzinfo=None)


def revive_cursor(cursor: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """A keyset cursor off the wire (:data:`Cursor`), its time as the services keep times."""
    if cursor is None:
        return None
    return tuple(center_time(value) if isinstance(value, datetime) else value for value in cursor)


# ---- errors -------------------------------------------------------------------------------------

_ERRORS: dict[str, type[ServiceError]] = {
    cls.__name__: cls for cls in (ServiceError, InvalidInput, PermissionDenied, NotFound, LoginFailed,
                                  Unauthenticated, Conflict)
}
STATUS_OF: dict[type[ServiceError], int] = {
    Unauthenticated: 401, LoginFailed: 401, PermissionDenied: 403, NotFound: 404, Conflict: 409, InvalidInput: 422,
}


def status_of(error: ServiceError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def _json_safe(params: dict[str, object]) -> dict[str, Any]:
    return {k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in params.items()}


def error_body(error: ServiceError) -> ErrorBody:
    fields = None
    if isinstance(error, InvalidFields):
        fields = {name: error_body(inner) for name, inner in error.errors.items()}
    name = type(error).__name__
    if isinstance(error, BadTransition):
        name = "BadTransition"
    elif name not in _ERRORS and not isinstance(error, InvalidFields):
        name = next(cls.__name__ for cls in type(error).__mro__ if cls.__name__ in _ERRORS)
    return ErrorBody(name if not isinstance(error, InvalidFields) else "InvalidFields", error.key,
                     _json_safe(error.params), getattr(error, "field", ""), fields)


def error_from(body: ErrorBody) -> ServiceError:
    """The service's own exception again, on the desk: screens word it as they always have."""
    if body.error == "InvalidFields" and body.fields:
        return InvalidFields({name: typing.cast(InvalidInput, error_from(inner))
                              for name, inner in body.fields.items()})
    if body.error == "BadTransition":
        return BadTransition(str(body.params.get("from_", "")), str(body.params.get("to", "")))
    cls = _ERRORS.get(body.error, ServiceError)
    if issubclass(cls, InvalidInput):
        return cls(body.key, field=body.field, **body.params)
    return cls(body.key, **body.params)


ENCODER = msgspec.json.Encoder(enc_hook=str)


def decoder(kind: Any) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(kind)
