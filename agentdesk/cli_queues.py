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
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from agentdesk.config import resolve_language
from agentdesk.i18n import set_language, t

if TYPE_CHECKING:
    from rich.text import Text

set_language(resolve_language())

#: Work-order statuses (kept here too so ``--help`` needs no database stack).
ORDER_STATUSES = ("new", "dispatched", "in_progress", "resolved", "callback", "closed")
ORDER_JSON_KEYS = ("id", "number", "kind", "severity", "status", "department", "customer_name", "phone_masked",
                   "created_at", "resolve_by", "badge", "escalation_level", "owner_number")
CALLBACK_JSON_KEYS = ("id", "kind", "due_at", "customer_name", "phone_masked", "reason", "status", "attempts",
                      "order_number", "claimed_by")

DbOpt = Annotated[Optional[str], typer.Option("--db", envvar="AGENTDESK_DB", help=t("cli.opt_db"), show_envvar=True)]
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


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _open(ctx: typer.Context, db: str | None):  # type: ignore[no-untyped-def]
    # Imported here: agentdesk.cli mounts this module, and the database stack loads lazily.
    from agentdesk.cli import _open_db, _settings

    return _open_db(_settings(ctx, db))


def _label(prefix: str, value: str | None) -> str:
    if not value:
        return ""
    key = f"{prefix}.{value}"
    text = t(key)
    return value if text == key else text


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _jsonable(row: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    data = dataclasses.asdict(row)
    return {k: (data[k].isoformat() if isinstance(data[k], datetime) else data[k]) for k in keys}


def _print_json(rows: list[dict[str, Any]]) -> None:
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))


def _parse_iso(value: str) -> datetime:
    from agentdesk.clock import CENTER_TZ

    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        _fail(t("queues.bad_iso", value=value), 2)
        raise AssertionError("unreachable") from None  # pragma: no cover
    if moment.tzinfo is not None:
        moment = moment.astimezone(CENTER_TZ).replace(tzinfo=None)
    return moment


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


# -- workorders list -------------------------------------------------------------------------


@workorders_app.command("list", help=t("queues.workorders_list_help"))
def workorders_list(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option("--status", help=t("queues.opt_status",
                                                                      valid=", ".join(ORDER_STATUSES)))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=t("queues.opt_overdue"))] = False,
    as_json: JsonOpt = False,
    limit: LimitOpt = 50,
    db: DbOpt = None,
) -> None:
    if status is not None and status not in ORDER_STATUSES:
        _fail(t("queues.bad_status", value=status, valid=", ".join(ORDER_STATUSES)), 2)
    database = _open(ctx, db)
    from agentdesk.services import workorders

    try:
        with database.read() as session:
            page = workorders.list_orders(session, status=status, overdue=overdue, page_size=limit)
    finally:
        database.dispose()
    if as_json:
        _print_json([_jsonable(r, ORDER_JSON_KEYS) for r in page.rows])
        return
    if not page.rows:
        typer.echo(t("queues.no_orders"))
        return
    from rich.table import Table

    table = Table(*(t(f"queues.col_{c}") for c in ("number", "kind", "severity", "status", "department",
                                                    "customer", "phone", "deadline", "badge", "level", "owner")))
    for r in page.rows:
        table.add_row(
            _cell(r.number), _cell(_label("kind", r.kind)), _cell(_label("severity", r.severity)),
            _cell(_label("status", r.status)), _cell(r.department), _cell(r.customer_name), _cell(r.phone_masked),
            _cell(_when(r.resolve_by)), _cell(_label("badge", r.badge)), _cell(_label("escalation", r.escalation_level)),
            _cell(r.owner_number or ""),
        )
    _console().print(table)
    if page.next_cursor is not None:
        typer.echo(t("queues.more"))


# -- callbacks list --------------------------------------------------------------------------


@callbacks_app.command("list", help=t("queues.callbacks_list_help"))
def callbacks_list(
    ctx: typer.Context,
    due_before: Annotated[Optional[str], typer.Option("--due-before", help=t("queues.opt_due_before"))] = None,
    as_json: JsonOpt = False,
    limit: LimitOpt = 50,
    db: DbOpt = None,
) -> None:
    before = _parse_iso(due_before) if due_before is not None else None
    database = _open(ctx, db)
    from agentdesk.services import callbacks

    try:
        with database.read() as session:
            page = callbacks.queue(session, due_before=before, page_size=limit)
    finally:
        database.dispose()
    if as_json:
        _print_json([_jsonable(r, CALLBACK_JSON_KEYS) for r in page.rows])
        return
    if not page.rows:
        typer.echo(t("queues.no_callbacks"))
        return
    from rich.table import Table

    table = Table(*(t(f"queues.col_{c}") for c in ("due", "kind", "customer", "phone", "reason", "status",
                                                    "attempts", "order", "claimed")))
    for r in page.rows:
        table.add_row(
            _cell(_when(r.due_at)), _cell(_label("callback_kind", r.kind)), _cell(r.customer_name), _cell(r.phone_masked), _cell(r.reason),
            _cell(_label("callback_status", r.status)), _cell(str(r.attempts)), _cell(r.order_number or ""),
            _cell(r.claimed_by or ""),
        )
    _console().print(table)
    if page.next_cursor is not None:
        typer.echo(t("queues.more"))


def _cell(value: str) -> Text:
    """A table cell from a stored row: plain text, and cleaned again, since an imported or
    legacy row may still hold escape sequences that Rich would pass to the terminal."""
    from rich.text import Text

    from agentdesk.normalize import clean_text

    return Text(clean_text(value))
