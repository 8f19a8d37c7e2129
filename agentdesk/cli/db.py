"""``agentdesk db …``: upgrade, look at and back up the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentdesk.cli.common import DbOpt, db_failed, fail, open_db, settings_from
from agentdesk.config import demo_db_path
from agentdesk.i18n import t

db_app = typer.Typer(help=t("cli.db_help"), no_args_is_help=True, rich_markup_mode=None)


@db_app.command("upgrade", help=t("cli.db_upgrade_help"))
def db_upgrade(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = settings_from(ctx, db)
    database = open_db(settings)
    typer.echo(t("db.upgraded", revision=database.revision()))


@db_app.command("info", help=t("cli.db_info_help"))
def db_info(ctx: typer.Context, db: DbOpt = None) -> None:
    settings = settings_from(ctx, db)
    from rich.console import Console
    from rich.table import Table

    from agentdesk.db import Database, hide_password
    from agentdesk.migrate import head_revision

    if settings.db_url.startswith("sqlite:///"):
        path = Path(settings.db_url.split("///", 1)[1])
        if not path.exists():
            # Looking must not create: an empty file here would hide a mistyped path.
            fail(t("db.missing", path=path, demo=demo_db_path()))
    try:
        database = Database(settings.db_url)
        revision = database.revision()
        counts = database.row_counts()
    except Exception as exc:
        fail(db_failed(exc))
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
    settings = settings_from(ctx, db)
    from agentdesk.db import Database, DatabaseError

    if path.exists() and not force:
        fail(t("db.backup_exists", path=path))
    try:
        Database(settings.db_url).backup(path)
    except DatabaseError as exc:
        fail(str(exc))
    typer.echo(t("db.backed_up", path=path))


@db_app.command("grants", help=t("cli.db_grants_help"))
def db_grants(
    ctx: typer.Context,
    app_role: Annotated[str, typer.Option("--app-role", help=t("cli.opt_app_role"))] = "agentdesk_app",
    owner_role: Annotated[str | None, typer.Option("--owner-role", help=t("cli.opt_owner_role"))] = None,
    create: Annotated[bool, typer.Option("--create", help=t("cli.opt_create_roles"))] = False,
    apply: Annotated[bool, typer.Option("--apply", help=t("cli.opt_apply_grants"))] = False,
    db: DbOpt = None,
) -> None:
    """Print (or, as the owner, apply) the PostgreSQL rights of the server's role."""
    from agentdesk import db_roles

    settings = settings_from(ctx, db)
    if not settings.db_url.startswith("postgresql"):
        fail(t("db.grants_pg_only"))
    from sqlalchemy.engine import make_url

    database_name = make_url(settings.db_url).database or "agentdesk"
    try:
        owner = owner_role or make_url(settings.db_url).username or "agentdesk_owner"
        grants = db_roles.grant_statements(app_role, owner=db_roles.check_role_name(owner))
        created = db_roles.create_statements(owner, app_role, database_name) if create else []
    except ValueError as exc:
        fail(t("db.bad_role_name", name=str(exc)), 2)
    if not apply:
        if created:
            typer.echo(t("db.grants_create_header"))
            for statement in created:
                typer.echo(statement + ";")
            typer.echo(f"\\connect {database_name}")
        typer.echo(t("db.grants_header", owner=owner))
        for statement in grants:
            typer.echo(statement + ";")
        return
    from agentdesk.db import Database

    try:
        database = Database(settings.db_url)
        with database.engine.begin() as connection:
            db_roles.apply(connection, grants)
            ok = db_roles.audit_is_append_only(connection, app_role)
        database.dispose()
    except Exception as exc:
        fail(db_failed(exc))
    if not ok:
        fail(t("db.grants_not_append_only", role=app_role))
    typer.echo(t("db.grants_applied", role=app_role))
