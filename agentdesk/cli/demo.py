"""``agentdesk demo``: build the demo database (if missing) and open the desk on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentdesk.cli import common
from agentdesk.cli.common import DbOpt, LangOpt, PolicyOpt, fail, open_db, service_call, settings_from
from agentdesk.config import demo_db_path
from agentdesk.i18n import t


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
    settings = settings_from(ctx, db, lang, policy, default_db=demo_db_path())
    from agentdesk.db import hide_password
    from agentdesk.services import demo as demo_service

    where = hide_password(settings.db_url)
    path = Path(settings.db_url.split("///", 1)[1]) if settings.db_url.startswith("sqlite:///") else None
    if reset:
        if path is None:
            fail(t("demo.reset_refused"))
        from agentdesk.db import CHECK_RECORD_SUFFIX

        for suffix in ("", "-wal", "-shm", CHECK_RECORD_SUFFIX):
            Path(str(path) + suffix).unlink(missing_ok=True)
    database = open_db(settings)
    from agentdesk.services.accounts import agent_count

    with database.read() as session:
        populated = agent_count(session) > 0
    if populated:
        typer.echo(t("demo.exists", path=path or where))
    else:
        typer.echo(t("demo.building", path=path or where))
        summary = service_call(demo_service.build_demo, database, customers=customers, seed=seed,
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
    common.run_desk(settings)
