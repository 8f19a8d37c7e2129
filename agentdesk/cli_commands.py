"""The ``agentdesk`` command line: open the desk, build the demo, manage agents and the database.

The Typer app with every sub-command. ``agentdesk.cli.main`` (the entry point) starts the
desk itself when the command line is only ``--db``/``--lang``/``--policy``, and hands
everything else here. Heavy imports (Textual, the database stack) happen inside the
commands that need them, so ``agentdesk --help`` stays quick.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from agentdesk.config import Settings, demo_db_path, resolve_language
from agentdesk.i18n import set_language, t

set_language(resolve_language())

DbOpt = Annotated[Optional[str], typer.Option("--db", envvar="AGENTDESK_DB", help=t("cli.opt_db"), show_envvar=True)]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help=t("cli.opt_lang"))]
PolicyOpt = Annotated[Optional[str], typer.Option("--policy", help=t("cli.opt_policy"))]

app = typer.Typer(help=t("cli.help"), no_args_is_help=False, add_completion=False, rich_markup_mode=None)
db_app = typer.Typer(help=t("cli.db_help"), no_args_is_help=True, rich_markup_mode=None)
agent_app = typer.Typer(help=t("cli.agent_help"), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(agent_app, name="agent")


def _mount_subcommands() -> None:
    from agentdesk.cli_policy import policy_app, sla_app
    from agentdesk.cli_handover import handover_app
    from agentdesk.cli_import import import_app
    from agentdesk.cli_outage import outage_app
    from agentdesk.cli_queues import callbacks_app, workorders_app

    app.add_typer(policy_app, name="policy")
    app.add_typer(sla_app, name="sla")
    app.add_typer(workorders_app, name="workorders")
    app.add_typer(callbacks_app, name="callbacks")
    app.add_typer(outage_app, name="outage")
    app.add_typer(handover_app, name="handover")
    app.add_typer(import_app, name="import")


_mount_subcommands()


def _settings(ctx: typer.Context, db: str | None = None, lang: str | None = None,
              policy: str | None = None, default_db: Path | None = None) -> Settings:
    base: dict = ctx.find_root().obj or {}
    settings = Settings.load(
        db=db or base.get("db"),
        lang=lang or base.get("lang"),
        policy=policy or base.get("policy"),
        default_db=default_db,
    )
    set_language(settings.lang)
    return settings


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _open_db(settings: Settings):  # type: ignore[no-untyped-def]
    from agentdesk.db import DatabaseError, open_database

    try:
        return open_database(settings.db_url)
    except DatabaseError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bad URL or an unreachable server: say so, no traceback
        _fail(t("app.db_failed", error=f"{type(exc).__name__}: {exc}"))


def _service_call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    from agentdesk.services.errors import ServiceError

    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        _fail(exc.message())


def run_desk(settings: Settings) -> None:
    from agentdesk.app import make_app

    make_app(settings).run()


@app.callback(invoke_without_command=True)
def root(ctx: typer.Context, db: DbOpt = None, lang: LangOpt = None, policy: PolicyOpt = None) -> None:
    ctx.obj = {"db": db, "lang": lang, "policy": policy}
    settings = _settings(ctx)
    if ctx.invoked_subcommand is None:
        run_desk(settings)


@app.command(help=t("cli.demo_help"))
def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option("--customers", min=10, help=t("cli.opt_customers"))] = 2000,
    workorders: Annotated[int, typer.Option("--workorders", min=0, help=t("cli.opt_workorders"))] = 30,
    reset: Annotated[bool, typer.Option("--reset", help=t("cli.opt_reset"))] = False,
    no_open: Annotated[bool, typer.Option("--no-open", help=t("cli.opt_no_open"))] = False,
    seed: Annotated[int, typer.Option("--seed", help=t("cli.opt_seed"))] = 96633,
    db: DbOpt = None,
    lang: LangOpt = None,
    policy: PolicyOpt = None,
) -> None:
    settings = _settings(ctx, db, lang, policy, default_db=demo_db_path())
    from agentdesk.db import hide_password
    from agentdesk.services import demo as demo_service

    where = hide_password(settings.db_url)
    path = Path(settings.db_url.split("///", 1)[1]) if settings.db_url.startswith("sqlite:///") else None
    if reset:
        if path is None:
            _fail(t("demo.reset_refused"))
        from agentdesk.db import CHECK_RECORD_SUFFIX

        for suffix in ("", "-wal", "-shm", CHECK_RECORD_SUFFIX):
            Path(str(path) + suffix).unlink(missing_ok=True)
    database = _open_db(settings)
    from agentdesk.services.accounts import agent_count

    with database.read() as session:
        populated = agent_count(session) > 0
    if populated:
        typer.echo(t("demo.exists", path=path or where))
    else:
        typer.echo(t("demo.building", path=path or where))
        summary = _service_call(demo_service.build_demo, database, customers=customers, seed=seed,
                                policy=settings.policy, workorders=workorders)
        typer.echo(t("demo.built", path=path or where))
        typer.echo(t("demo.customers", count=summary.customers))
    typer.echo(t("demo.logins"))
    for login in demo_service.demo_logins():
        typer.echo(f"  {login.number} / {login.pin} / {t('role.' + login.role)}  {login.name}")
    database.dispose()
    if no_open:
        hint = "agentdesk demo" + (f" --db {path or where}" if (db or (ctx.find_root().obj or {}).get("db")) else "")
        typer.echo(t("demo.open_hint", command=hint))
        return
    run_desk(settings)


@db_app.command("upgrade", help=t("cli.db_upgrade_help"))
def db_upgrade(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = _settings(ctx, db)
    database = _open_db(settings)
    typer.echo(t("db.upgraded", revision=database.revision()))


@db_app.command("info", help=t("cli.db_info_help"))
def db_info(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = _settings(ctx, db)
    from rich.console import Console
    from rich.table import Table

    from agentdesk.db import Database, hide_password
    from agentdesk.migrate import head_revision

    if settings.db_url.startswith("sqlite:///"):
        path = Path(settings.db_url.split("///", 1)[1])
        if not path.exists():
            # Looking must not create: an empty file here would hide a mistyped path.
            _fail(t("db.missing", path=path, demo=demo_db_path()))
    try:
        database = Database(settings.db_url)
        revision = database.revision()
        counts = database.row_counts()
    except Exception as exc:
        _fail(t("app.db_failed", error=f"{type(exc).__name__}: {exc}"))
    console = Console(highlight=False)
    colon = t("ui.colon")
    console.print(f"{t('db.url')}{colon}{hide_password(settings.db_url)}", markup=False)
    console.print(f"{t('db.revision')}{colon}{revision or '-'}", markup=False)
    console.print(f"{t('db.head')}{colon}{head_revision()}", markup=False)
    table = Table(t("db.table"), t("db.rows"))
    for name, n in counts.items():
        table.add_row(name, str(n))
    console.print(table)


@db_app.command("backup", help=t("cli.db_backup_help"))
def db_backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help=t("cli.arg_backup_path"))],
    force: Annotated[bool, typer.Option("--force", help=t("cli.opt_force"))] = False,
    db: DbOpt = None,
) -> None:
    settings = _settings(ctx, db)
    from agentdesk.db import Database, DatabaseError

    if path.exists() and not force:
        _fail(t("db.backup_exists", path=path))
    try:
        Database(settings.db_url).backup(path)
    except DatabaseError as exc:
        _fail(str(exc))
    typer.echo(t("db.backed_up", path=path))


audit_app = typer.Typer(help=t("cli.audit_help"), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(audit_app, name="audit")


@audit_app.command("list", help=t("cli.audit_list_help"))
def audit_list(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help=t("cli.opt_since"))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=t("cli.opt_limit"))] = 200,
    as_json: Annotated[bool, typer.Option("--json", help=t("cli.opt_json"))] = False,
    db: DbOpt = None,
) -> None:
    from datetime import datetime

    settings = _settings(ctx, db)
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            _fail(t("cli.bad_iso", value=since), code=2)
    from agentdesk.services.audit import list_events

    database = _open_db(settings)
    with database.read() as session:
        events = list_events(session, since=start, limit=limit)
    if as_json:
        import json

        typer.echo(json.dumps([e.as_json() for e in events], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(t("audit.col_at"), t("audit.col_agent"), t("audit.col_action"), t("audit.col_entity"),
                  t("audit.col_detail"))
    for e in events:
        table.add_row(Text(e.at.isoformat(sep=" ")), Text(e.agent_number or "—"), Text(e.action),
                      Text(f"{e.entity} {e.entity_id or ''}".strip()), Text(e.detail or ""))
    Console().print(table)


def _read_pin(confirm: bool = True) -> str:
    pin = os.environ.get("AGENTDESK_PIN")
    if pin:
        return pin
    return typer.prompt(t("agent.pin_prompt"), hide_input=True,
                        confirmation_prompt=t("agent.pin_again") if confirm else False)


@agent_app.command("add", help=t("cli.agent_add_help"))
def agent_add(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help=t("cli.arg_number"))],
    name: Annotated[str, typer.Option("--name", help=t("cli.opt_name"))],
    role: Annotated[str, typer.Option("--role", help=t("cli.opt_role"))] = "agent",
    team: Annotated[Optional[str], typer.Option("--team", help=t("cli.opt_team"))] = None,
    db: DbOpt = None,
) -> None:
    settings = _settings(ctx, db)
    from agentdesk.services import accounts

    pin = _read_pin()
    database = _open_db(settings)

    def create():  # type: ignore[no-untyped-def]
        with database.write() as session:
            return accounts.add_agent(session, number, name, role, pin, team=team)

    info = _service_call(create)
    typer.echo(t("agent.added", role=t("role." + info.role), number=info.number, name=info.name))


@agent_app.command("list", help=t("cli.agent_list_help"))
def agent_list(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = _settings(ctx, db)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from agentdesk.services import accounts

    database = _open_db(settings)
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
    settings = _settings(ctx, db)
    from agentdesk.services import accounts

    database = _open_db(settings)
    with database.read() as session:
        _service_call(accounts.get_agent, session, number)
    pin = _read_pin()

    def change() -> None:
        with database.write() as session:
            accounts.change_pin(session, number, pin)

    _service_call(change)
    typer.echo(t("agent.pin_changed", number=number))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
