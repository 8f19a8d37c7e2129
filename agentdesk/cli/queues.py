"""``agentdesk workorders …`` and ``agentdesk callbacks …``: the queues from a shell.

Two typer apps the main CLI mounts. Tables by default (user text printed as
``rich.text.Text``, never markup), ``--json`` for scripts. Exit codes: 0 fine, 1 a database
problem, 2 a malformed argument (unknown status, unreadable time) — the message lists the
valid values.

JSON output is a list of objects with these keys (stable; times ISO 8601, local wall-clock
time without offset; phone numbers masked like ``138****8000``):

``workorders list --json``
    ``id, number, kind, severity, status, department, customer_name, phone_masked,
    created_at, resolve_by, badge, escalation_level, owner_number``
    (``badge``: on_time | warning | overdue | paused | done;
    ``escalation_level``: window | branch | province | national)

``callbacks list --json``
    ``id, kind, due_at, customer_name, phone_masked, reason, status, attempts,
    order_number, claimed_by``
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentdesk.cli.common import DbOpt, console, fail, parse_iso, print_json, reading, when
from agentdesk.i18n import t
from agentdesk.vocab import WorkOrderStatus

if TYPE_CHECKING:
    from rich.text import Text

    from agentdesk.services.workorders import Page

#: Work-order statuses (kept here too so ``--help`` needs no database stack).
ORDER_STATUSES = tuple(WorkOrderStatus)
ORDER_JSON_KEYS = ("id", "number", "kind", "severity", "status", "department", "customer_name", "phone_masked",
                   "created_at", "resolve_by", "badge", "escalation_level", "owner_number")
CALLBACK_JSON_KEYS = ("id", "kind", "due_at", "customer_name", "phone_masked", "reason", "status", "attempts",
                      "order_number", "claimed_by")

JsonOpt = Annotated[bool, typer.Option("--json", help=t("queues.opt_json"))]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, max=500, help=t("queues.opt_limit"))]

workorders_app = typer.Typer(help=t("queues.workorders_help"), no_args_is_help=True, add_completion=False,
                             rich_markup_mode=None)
callbacks_app = typer.Typer(help=t("queues.callbacks_help"), no_args_is_help=True, add_completion=False,
                            rich_markup_mode=None)


@workorders_app.callback()
def _workorders_group() -> None:
    """Keep ``workorders`` a group with one subcommand, mounted or on its own."""


@callbacks_app.callback()
def _callbacks_group() -> None:
    """Keep ``callbacks`` a group with one subcommand, mounted or on its own."""


# -- helpers ----------------------------------------------------------------------------------


def _label(prefix: str, value: str | None) -> str:
    if not value:
        return ""
    key = f"{prefix}.{value}"
    text = t(key)
    return value if text == key else text


def _jsonable(row: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    data = dataclasses.asdict(row)
    return {k: (data[k].isoformat() if isinstance(data[k], datetime) else data[k]) for k in keys}


def _cell(value: str) -> Text:
    """A table cell from a stored row: plain text, and cleaned again, since an imported or
    legacy row may still hold escape sequences that Rich would pass to the terminal."""
    from rich.text import Text

    from agentdesk.normalize import clean_text

    return Text(clean_text(value))


def _show(page: Page, as_json: bool, json_keys: tuple[str, ...], empty: str, columns: Sequence[str],
          cells: Callable[[Any], Sequence[str]]) -> None:
    """One page of a queue: JSON, the ``empty`` line, or a table and a hint that more follow."""
    if as_json:
        print_json([_jsonable(r, json_keys) for r in page.rows])
        return
    if not page.rows:
        typer.echo(t(empty))
        return
    from rich.table import Table

    table = Table(*(t(f"queues.col_{c}") for c in columns))
    for r in page.rows:
        table.add_row(*(_cell(value) for value in cells(r)))
    console().print(table)
    if page.next_cursor is not None:
        typer.echo(t("queues.more"))


# -- workorders list -------------------------------------------------------------------------


@workorders_app.command("list", help=t("queues.workorders_list_help"))
def workorders_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help=t("queues.opt_status",
                                                                      valid=", ".join(ORDER_STATUSES)))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=t("queues.opt_overdue"))] = False,
    as_json: JsonOpt = False,
    limit: LimitOpt = 50,
    db: DbOpt = None,
) -> None:
    if status is not None and status not in ORDER_STATUSES:
        fail(t("queues.bad_status", value=status, valid=", ".join(ORDER_STATUSES)), 2)
    from agentdesk.services import workorders

    with reading(ctx, db) as session:
        page = workorders.list_orders(session, status=status, overdue=overdue, page_size=limit)
    _show(page, as_json, ORDER_JSON_KEYS, "queues.no_orders",
          ("number", "kind", "severity", "status", "department", "customer", "phone", "deadline", "badge", "level",
           "owner"),
          lambda r: (r.number, _label("kind", r.kind), _label("severity", r.severity), _label("status", r.status),
                     r.department, r.customer_name, r.phone_masked, when(r.resolve_by), _label("badge", r.badge),
                     _label("escalation", r.escalation_level), r.owner_number or ""))


# -- callbacks list --------------------------------------------------------------------------


@callbacks_app.command("list", help=t("queues.callbacks_list_help"))
def callbacks_list(
    ctx: typer.Context,
    due_before: Annotated[str | None, typer.Option("--due-before", help=t("queues.opt_due_before"))] = None,
    as_json: JsonOpt = False,
    limit: LimitOpt = 50,
    db: DbOpt = None,
) -> None:
    before = parse_iso(due_before) if due_before is not None else None
    from agentdesk.services import callbacks

    with reading(ctx, db) as session:
        page = callbacks.queue(session, due_before=before, page_size=limit)
    _show(page, as_json, CALLBACK_JSON_KEYS, "queues.no_callbacks",
          ("due", "kind", "customer", "phone", "reason", "status", "attempts", "order", "claimed"),
          lambda r: (when(r.due_at), _label("callback_kind", r.kind), r.customer_name, r.phone_masked, r.reason,
                     _label("callback_status", r.status), str(r.attempts), r.order_number or "",
                     r.claimed_by or ""))
