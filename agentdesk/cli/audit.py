"""``agentdesk audit list``: the audit log, as a table or JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from agentdesk.cli.common import DbOpt, fail, open_db, print_json, settings_from
from agentdesk.i18n import t

audit_app = typer.Typer(help=t("cli.audit_help"), no_args_is_help=True, rich_markup_mode=None)


@audit_app.command("list", help=t("cli.audit_list_help"))
def audit_list(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help=t("cli.opt_since"))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=t("cli.opt_limit"))] = 200,
    as_json: Annotated[bool, typer.Option("--json", help=t("cli.opt_json"))] = False,
    db: DbOpt = None,
) -> None:
    settings = settings_from(ctx, db)
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            fail(t("cli.bad_iso", value=since), code=2)
    from agentdesk.services.audit import list_events

    database = open_db(settings)
    with database.read() as session:
        events = list_events(session, since=start, limit=limit)
    if as_json:
        print_json([e.as_json() for e in events])
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
