"""The ``agentdesk`` Typer app: the root options, and every command group mounted on it.

``agentdesk.cli.main`` (the entry point) starts the desk itself when the command line is
only ``--db``/``--lang``/``--policy``, and hands everything else here. A command group is
a module of this package with its own Typer app; mounting it is one line below. The
order of the mounts is the order ``agentdesk --help`` lists them in.
"""

from __future__ import annotations

import sys

import typer

from agentdesk.cli import common
from agentdesk.cli.agent import agent_app
from agentdesk.cli.audit import audit_app
from agentdesk.cli.common import DbOpt, LangOpt, PolicyOpt, ServerOpt, settings_from
from agentdesk.cli.cti import cti_app
from agentdesk.cli.db import db_app
from agentdesk.cli.demo import demo
from agentdesk.cli.handover import handover_app
from agentdesk.cli.imports import import_app
from agentdesk.cli.keys import keys
from agentdesk.cli.outage import outage_app
from agentdesk.cli.policy import policy_app, sla_app
from agentdesk.cli.queues import callbacks_app, workorders_app
from agentdesk.cli.serve import serve
from agentdesk.i18n import t

app = typer.Typer(help=t("cli.help"), no_args_is_help=False, add_completion=False, rich_markup_mode=None)


@app.callback(invoke_without_command=True)
def root(ctx: typer.Context, db: DbOpt = None, lang: LangOpt = None, policy: PolicyOpt = None,
         server: ServerOpt = None) -> None:
    ctx.obj = {"db": db, "lang": lang, "policy": policy, "server": server}
    settings = settings_from(ctx)
    if ctx.invoked_subcommand is None:
        common.run_desk(settings)


app.command("demo", help=t("cli.demo_help"))(demo)
app.add_typer(db_app, name="db")
app.add_typer(agent_app, name="agent")
app.add_typer(policy_app, name="policy")
app.add_typer(sla_app, name="sla")
app.add_typer(workorders_app, name="workorders")
app.add_typer(callbacks_app, name="callbacks")
app.add_typer(outage_app, name="outage")
app.add_typer(handover_app, name="handover")
app.add_typer(import_app, name="import")
app.add_typer(audit_app, name="audit")
app.add_typer(cti_app, name="cti")
app.command("keys", help=t("keymap.keys_help"))(keys)
app.command("serve", help=t("server.serve_help"))(serve)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
