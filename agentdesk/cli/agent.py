"""``agentdesk agent …``: add agents, list them, change a PIN."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agentdesk.cli.common import DbOpt, open_db, read_pin, service_call, settings_from
from agentdesk.i18n import t

if TYPE_CHECKING:
    from agentdesk.services.accounts import AgentInfo

agent_app = typer.Typer(help=t("cli.agent_help"), no_args_is_help=True, rich_markup_mode=None)


@agent_app.command("add", help=t("cli.agent_add_help"))
def agent_add(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help=t("cli.arg_number"))],
    name: Annotated[str, typer.Option("--name", help=t("cli.opt_name"))],
    role: Annotated[str, typer.Option("--role", help=t("cli.opt_role"))] = "agent",
    team: Annotated[str | None, typer.Option("--team", help=t("cli.opt_team"))] = None,
    db: DbOpt = None,
) -> None:
    settings = settings_from(ctx, db)
    from agentdesk.services import accounts

    pin = read_pin()
    database = open_db(settings)

    def create() -> AgentInfo:
        with database.write() as session:
            return accounts.add_agent(session, number, name, role, pin, team=team)

    info = service_call(create)
    typer.echo(t("agent.added", role=t("role." + info.role), number=info.number, name=info.name))


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
def agent_passwd(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help=t("cli.arg_number"))],
    db: DbOpt = None,
) -> None:
    settings = settings_from(ctx, db)
    from agentdesk.services import accounts

    database = open_db(settings)
    with database.read() as session:
        service_call(accounts.get_agent, session, number)
    pin = read_pin()

    def change() -> None:
        with database.write() as session:
            accounts.change_pin(session, number, pin)

    service_call(change)
    typer.echo(t("agent.pin_changed", number=number))
