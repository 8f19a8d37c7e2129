"""``agentdesk outage …``: declare, change, clear and list outages from a shell.

A typer app the main CLI mounts. Declaring, changing and clearing need a team lead:
``--agent NUMBER`` and the PIN from a hidden prompt or ``AGENTDESK_PIN``, checked with
``accounts.authenticate`` (wrong PINs count towards the lock-out, as at the desk's login;
no shift is opened). An agent's number is refused and nothing is written.

Exit codes: 0 done; 1 refused (wrong number or PIN, not a lead, outage not found or
already cleared) or a database problem; 2 a malformed argument (unknown service, unreadable
time, no area, nothing to change) — the message lists the valid values.

JSON output (``--json``; stable keys, times ISO 8601 local wall-clock without offset):

``declare``, ``update``, ``list`` (a list), ``show``
    ``id, status, areas, services, cause, eta, message, linked_calls,
    restoration_callbacks, declared_at, declared_by, updated_at, cleared_at, cleared_by``
    (``status``: active | cleared; ``services``: codes tv | broadband | phone;
    ``declared_by`` / ``cleared_by``: agent numbers). ``show`` adds ``timeline``: a list
    of ``at, action, agent_number, agent_name, text``.
``clear``
    the same keys plus ``callbacks_created``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from agentdesk.cli.common import (
    DbOpt,
    authenticate_in,
    console,
    fail,
    open_db,
    parse_iso,
    print_json,
    read_pin,
    reading,
    refusals_exit,
    settings_from,
    when,
)
from agentdesk.i18n import t

if TYPE_CHECKING:
    from sqlmodel import Session

    from agentdesk.services.accounts import AgentInfo
    from agentdesk.services.outages import OutageInfo

#: Kept here too so ``--help`` needs no database stack (agentdesk.services.outages.SERVICES).
SERVICES = ("tv", "broadband", "phone")
OUTAGE_JSON_KEYS = ("id", "status", "areas", "services", "cause", "eta", "message", "linked_calls",
                    "restoration_callbacks", "declared_at", "declared_by", "updated_at", "cleared_at", "cleared_by")
TIMELINE_JSON_KEYS = ("at", "action", "agent_number", "agent_name", "text")

JsonOpt = Annotated[bool, typer.Option("--json", help=t("outages.opt_json"))]
AgentOpt = Annotated[str, typer.Option("--agent", help=t("outages.opt_agent"))]
IdArg = Annotated[int, typer.Argument(help=t("outages.arg_id"))]
AreaOpt = Annotated[list[str] | None, typer.Option("--area", help=t("outages.opt_area"))]
ServicesOpt = Annotated[str | None, typer.Option("--services", help=t("outages.opt_services",
                                                                          valid=", ".join(SERVICES)))]
CauseOpt = Annotated[str | None, typer.Option("--cause", help=t("outages.opt_cause"))]
EtaOpt = Annotated[str | None, typer.Option("--eta", help=t("outages.opt_eta"))]
MessageOpt = Annotated[str | None, typer.Option("--message", help=t("outages.opt_message"))]

outage_app = typer.Typer(help=t("outages.cli_help"), no_args_is_help=True, add_completion=False,
                         rich_markup_mode=None)

R = TypeVar("R")


@outage_app.callback()
def _outage_group() -> None:
    """Keep ``outage`` a group of subcommands, mounted or on its own."""


# -- helpers ----------------------------------------------------------------------------------


def _checked(**fields: Any) -> dict[str, Any]:
    """The arguments checked by the service's own rules before any PIN is asked for;
    a malformed one exits 2 (every one that is wrong is named)."""
    from agentdesk.services import outages
    from agentdesk.services.errors import InvalidFields, InvalidInput

    try:
        return outages.check_fields(**fields)
    except InvalidFields as exc:
        fail("\n".join(e.message() for e in exc.errors.values()), 2)
    except InvalidInput as exc:
        fail(exc.message(), 2)


class _NotLead(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


def _as_lead(ctx: typer.Context, db: str | None, number: str, action: Callable[[Session, AgentInfo], R]) -> R:
    """Open the database, authenticate ``number`` and run ``action(session, actor)`` in one
    write transaction.

    A wrong PIN is committed (the failed-try counter, as ``accounts.login`` does) and
    exits 1; an agent who is not a lead exits 1 with everything rolled back.
    """
    from agentdesk.services.outages import NotActive

    database = open_db(settings_from(ctx, db))
    pin = read_pin(confirm=False)
    try:
        with refusals_exit():
            try:
                with database.write() as session:
                    actor = authenticate_in(session, number, pin)
                    if not actor.is_lead:
                        raise _NotLead(actor.number)
                    return action(session, actor)
            except NotActive as exc:  # refused (exit 1), though worded as a field's problem
                fail(exc.message(), 1)
    except _NotLead as exc:
        fail(t("outages.lead_only", number=exc.number), 1)
    finally:
        database.dispose()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _info_json(info: OutageInfo) -> dict[str, Any]:
    return {
        "id": info.id, "status": info.status, "areas": list(info.areas), "services": list(info.services),
        "cause": info.cause, "eta": _iso(info.eta), "message": info.message, "linked_calls": info.linked_calls,
        "restoration_callbacks": info.restoration_callbacks, "declared_at": _iso(info.declared_at),
        "declared_by": info.declared_by, "updated_at": _iso(info.updated_at), "cleared_at": _iso(info.cleared_at),
        "cleared_by": info.cleared_by,
    }


def _fields(info: OutageInfo) -> tuple[Any, ...]:
    return info.areas, info.services, info.cause, info.eta, info.message


def _join(items: Iterable[str]) -> str:
    return t("outages.separator").join(items)


def _services_text(services: tuple[str, ...]) -> str:
    return _join(t(f"service.{s}") for s in services) or "-"


def _print_table(infos: list[OutageInfo]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(*(t(f"outages.col_{c}") for c in ("id", "status", "areas", "services", "cause", "eta",
                                                     "declared", "linked")))
    for i in infos:
        table.add_row(
            Text(str(i.id)), Text(t(f"outages.status_{i.status}")), Text(_join(i.areas)),
            Text(_services_text(i.services)), Text(i.cause), Text(when(i.eta)),
            Text(f"{when(i.declared_at)} {i.declared_by or ''}".strip()), Text(str(i.linked_calls)),
        )
    console().print(table)


# -- commands ---------------------------------------------------------------------------------


@outage_app.command("declare", help=t("outages.declare_help"))
def declare_cmd(
    ctx: typer.Context,
    agent: AgentOpt,
    area: AreaOpt = None,
    services: ServicesOpt = None,
    cause: CauseOpt = None,
    eta: EtaOpt = None,
    message: MessageOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import outages

    moment = parse_iso(eta) if eta is not None else None
    v = _checked(areas=area or [], services=services or "", cause=cause or "", eta=moment, message=message or "")
    info = _as_lead(ctx, db, agent, lambda session, actor: outages.declare(
        session, actor=actor, areas=list(v["areas"]), services=list(v["services"]), cause=v["cause"],
        eta=v.get("eta"), message=v["message"]))
    if as_json:
        print_json(_info_json(info))
    else:
        typer.echo(t("outages.declared", id=info.id, areas=_join(info.areas)))


@outage_app.command("update", help=t("outages.update_help"))
def update_cmd(
    ctx: typer.Context,
    outage_id: IdArg,
    agent: AgentOpt,
    area: AreaOpt = None,
    services: ServicesOpt = None,
    cause: CauseOpt = None,
    eta: EtaOpt = None,
    no_eta: Annotated[bool, typer.Option("--no-eta", help=t("outages.opt_no_eta"))] = False,
    message: MessageOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import outages

    if not area and services is None and cause is None and eta is None and not no_eta and message is None:
        fail(t("outages.nothing_to_update"), 2)
    moment = parse_iso(eta) if eta is not None else None
    v = _checked(areas=area or None, services=services, cause=cause, eta=moment, message=message)
    before: list[OutageInfo] = []

    def change(session: Session, actor: AgentInfo) -> OutageInfo:
        before.append(outages.get_outage(session, outage_id))
        return outages.update(session, outage_id, actor=actor, areas=v.get("areas"), services=v.get("services"),
                              cause=v.get("cause"), eta=v.get("eta"), message=v.get("message"), clear_eta=no_eta)

    info = _as_lead(ctx, db, agent, change)
    if as_json:
        print_json(_info_json(info))
    elif before and _fields(before[0]) == _fields(info):
        typer.echo(t("outages.unchanged", id=info.id))
    else:
        typer.echo(t("outages.updated", id=info.id))


@outage_app.command("clear", help=t("outages.clear_help"))
def clear_cmd(
    ctx: typer.Context,
    outage_id: IdArg,
    agent: AgentOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import outages

    info, created = _as_lead(ctx, db, agent, lambda session, actor: outages.clear(session, outage_id, actor=actor))
    if as_json:
        print_json({**_info_json(info), "callbacks_created": created})
    else:
        typer.echo(t("outages.cleared", id=info.id, callbacks=created))


@outage_app.command("list", help=t("outages.list_help"))
def list_cmd(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help=t("outages.opt_active"))] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help=t("outages.opt_limit"))] = 100,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import outages

    with reading(ctx, db) as session:
        infos = outages.list_outages(session, active_only=active, limit=limit)
    if as_json:
        print_json([_info_json(i) for i in infos])
        return
    if not infos:
        typer.echo(t("outages.no_active" if active else "outages.no_outages"))
        return
    _print_table(infos)


@outage_app.command("show", help=t("outages.show_help"))
def show_cmd(
    ctx: typer.Context,
    outage_id: IdArg,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import outages
    from agentdesk.services.errors import ServiceError

    try:
        with reading(ctx, db) as session:
            info = outages.get_outage(session, outage_id)
            entries = outages.timeline(session, outage_id)
    except ServiceError as exc:
        fail(exc.message(), 1)
    if as_json:
        print_json({**_info_json(info), "timeline": [
            {"at": e.at.isoformat(), "action": e.action, "agent_number": e.agent_number,
             "agent_name": e.agent_name, "text": outages.describe(e)} for e in entries]})
        return
    from rich.table import Table
    from rich.text import Text

    _print_table([info])
    if info.message:
        typer.echo(info.message)
    if info.status == "cleared":
        typer.echo(t("outages.cleared", id=info.id, callbacks=info.restoration_callbacks))
    table = Table(t("outages.col_at"), t("outages.col_agent"), t("outages.col_event"), title=t("outages.timeline"))
    for e in entries:
        who = " ".join(x for x in (e.agent_number, e.agent_name) if x)
        table.add_row(Text(when(e.at)), Text(who), Text(outages.describe(e)))
    console().print(table)
