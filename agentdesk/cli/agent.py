"""``agentdesk agent …``: create accounts, change them, list them, set PINs.

Who may do what is decided in ``services/account_admin.py``; this module only says who is
asking. Every change names its maker with ``--by NUMBER`` (a team lead or an admin) and that
PIN, from a hidden prompt or ``AGENTDESK_PIN``, checked like the desk's login (wrong PINs
count towards the lock-out; no shift is opened). The one exception is the first account of
an empty database, which has nobody to ask and must be a lead or an admin. ``passwd`` without
``--by`` is one's own PIN: the current one, then the new one.

PINs being set come from a hidden prompt (asked twice) or ``AGENTDESK_NEW_PIN``.
Exit codes: 0 done; 1 refused (wrong PIN, not allowed, unknown number) or a database problem;
2 a malformed value or a missing ``--by``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from agentdesk.cli.common import DbOpt, authenticate_in, fail, open_db, refusals_exit, settings_from
from agentdesk.i18n import t

if TYPE_CHECKING:
    from sqlmodel import Session

    from agentdesk.db import Database
    from agentdesk.services.accounts import AgentInfo

R = TypeVar("R")

agent_app = typer.Typer(help=t("cli.agent_help"), no_args_is_help=True, rich_markup_mode=None)

NumberArg = Annotated[str, typer.Argument(help=t("cli.arg_number"))]
ByOpt = Annotated[str | None, typer.Option("--by", help=t("cli.opt_by"))]
TeamOpt = Annotated[str | None, typer.Option("--team", help=t("cli.opt_team"))]


def _new_pin() -> str:
    pin = os.environ.get("AGENTDESK_NEW_PIN")
    if pin:
        return pin
    answer: str = typer.prompt(t("agent.new_pin_prompt"), hide_input=True,
                               confirmation_prompt=t("agent.new_pin_again"))
    return answer


def _pin_of(number: str, prompt: str | None = None) -> str:
    pin = os.environ.get("AGENTDESK_PIN")
    if pin:
        return pin
    answer: str = typer.prompt(prompt or t("agent.by_pin_prompt", number=number), hide_input=True)
    return answer


def _run(ctx: typer.Context, db: str | None, by: str | None, action: Callable[[Session, AgentInfo | None, str], R],
         *, by_pin: str | None = None, new_pin: bool = False, bootstrap: bool = False) -> R:
    """``action(session, actor, new_pin)`` in one write transaction, ``actor`` authenticated
    from ``by`` (None only for the first account of an empty database), the PINs asked first.
    A wrong PIN is committed (the lock-out counts it) and exits 1; any refusal exits with
    everything rolled back."""
    from agentdesk.services.errors import LoginFailed

    database = open_db(settings_from(ctx, db))
    try:
        with refusals_exit():
            if by is None and not (bootstrap and _empty(database)):
                fail(t("agent.by_required"), 2)
            secret = by_pin if by_pin is not None else (_pin_of(by) if by is not None else None)
            fresh = _new_pin() if new_pin else ""
            with database.write() as session:
                actor = authenticate_in(session, by, secret or "") if by is not None else None
                try:
                    return action(session, actor, fresh)
                except LoginFailed:
                    session.commit()  # a wrong old PIN counts too
                    raise
    finally:
        database.dispose()


def _empty(database: Database) -> bool:
    from agentdesk.services import accounts

    with database.read() as session:
        return accounts.agent_count(session) == 0


@agent_app.command("add", help=t("cli.agent_add_help"))
def agent_add(
    ctx: typer.Context,
    number: NumberArg,
    name: Annotated[str, typer.Option("--name", help=t("cli.opt_name"))],
    role: Annotated[str, typer.Option("--role", help=t("cli.opt_role"))] = "agent",
    team: TeamOpt = None,
    by: ByOpt = None,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import account_admin

    def create(session: Session, actor: AgentInfo | None, pin: str) -> AgentInfo:
        return account_admin.add_agent(session, number, name, role, pin, team=team, actor=actor)

    info = _run(ctx, db, by, create, new_pin=True, bootstrap=True)
    typer.echo(t("agent.added", role=t("role." + info.role), number=info.number, name=info.name))


@agent_app.command("set", help=t("cli.agent_set_help"))
def agent_set(
    ctx: typer.Context,
    number: NumberArg,
    by: ByOpt = None,
    name: Annotated[str | None, typer.Option("--name", help=t("cli.opt_name"))] = None,
    role: Annotated[str | None, typer.Option("--role", help=t("cli.opt_role"))] = None,
    team: Annotated[str | None, typer.Option("--team", help=t("cli.opt_team_set"))] = None,
    active: Annotated[bool | None, typer.Option("--active/--disabled", help=t("cli.opt_active"))] = None,
    extension: Annotated[str | None, typer.Option("--extension", help=t("cli.opt_extension"))] = None,
    db: DbOpt = None,
) -> None:
    from agentdesk.services import account_admin

    if name is None and role is None and team is None and active is None and extension is None:
        fail(t("agent.unchanged", number=number), 2)

    def change(session: Session, actor: AgentInfo | None, _pin: str) -> AgentInfo:
        assert actor is not None
        return account_admin.update_agent(session, number, name=name, role=role, team=team, active=active,
                                          extension=extension, actor=actor)

    info = _run(ctx, db, by, change)
    if active is False:
        typer.echo(t("agent.disabled", number=info.number))
    what = ", ".join(filter(None, (info.name if name is not None else "",
                                   t("role." + info.role) if role is not None else "",
                                   (info.team or "-") if team is not None else "",
                                   t("agent.extension_is", extension=extension or "-")
                                   if extension is not None else "")))
    if what:
        typer.echo(t("agent.updated", number=info.number, what=what))


@agent_app.command("list", help=t("cli.agent_list_help"))
def agent_list(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = settings_from(ctx, db)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from agentdesk.services import accounts

    database = open_db(settings)
    with database.read() as session:
        agents = accounts.list_agents(session)
    if not agents:
        typer.echo(t("app.no_agents"))
        return
    table = Table(t("agent.col_number"), t("agent.col_name"), t("agent.col_role"), t("agent.col_team"))
    for a in agents:
        table.add_row(Text(a.number), Text(a.name), Text(t("role." + a.role)), Text(a.team or ""))
    Console().print(table)


@agent_app.command("passwd", help=t("cli.agent_passwd_help"))
def agent_passwd(ctx: typer.Context, number: NumberArg, by: ByOpt = None, db: DbOpt = None) -> None:
    from agentdesk.services import account_admin

    if by is None or by.strip() == number.strip():
        # One's own PIN: the current one proves who is asking.
        old = _pin_of(number, t("agent.old_pin_prompt"))

        def own(session: Session, actor: AgentInfo | None, pin: str) -> None:
            assert actor is not None
            account_admin.change_pin(session, number, pin, actor=actor, old_pin=old)

        _run(ctx, db, number, own, by_pin=old, new_pin=True)
    else:

        def reset(session: Session, actor: AgentInfo | None, pin: str) -> None:
            assert actor is not None
            account_admin.change_pin(session, number, pin, actor=actor)

        _run(ctx, db, by, reset, new_pin=True)
    typer.echo(t("agent.pin_changed", number=number))
