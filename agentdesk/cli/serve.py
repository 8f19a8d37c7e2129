"""``agentdesk serve``: the server the desks of a shared center talk to (agentdesk.server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agentdesk.cli.common import DbOpt, PolicyOpt, console, fail, settings_from
from agentdesk.i18n import t

LOOPBACK = ("127.0.0.1", "::1", "localhost")
#: Seconds an idle keep-alive connection stays open (uvicorn's default, named): the desk stops
#: reusing its idle connections sooner (client/remote.py KEEPALIVE_SECONDS), so it never sends a
#: request on a connection the server is closing.
KEEP_ALIVE_SECONDS = 5


def serve(
    ctx: typer.Context,
    db: DbOpt = None,
    policy: PolicyOpt = None,
    host: Annotated[str, typer.Option("--host", help=t("server.opt_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=t("server.opt_port"), min=1, max=65535)] = 8765,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help=t("server.opt_tls_cert"))] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help=t("server.opt_tls_key"))] = None,
    cti_allow: Annotated[list[str] | None, typer.Option("--cti-allow", help=t("cti.opt_cti_allow"))] = None,
) -> None:
    import uvicorn

    from agentdesk.db import DatabaseError, hide_password, open_database
    from agentdesk.migrate import head_revision
    from agentdesk.server import cti
    from agentdesk.server.app import create_app

    settings = settings_from(ctx, db=db, policy=policy)
    allowed = [part for value in (cti_allow or []) for part in value.split(",")] or list(cti.LOOPBACK)
    for value in allowed:
        try:
            cti.networks([value])
        except ValueError:
            fail(t("cti.bad_network", value=value), 2)
    if (tls_cert is None) != (tls_key is None):
        fail(t("server.tls_pair"))
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            fail(t("server.tls_missing", path=str(path)))
    sqlite = settings.db_url.startswith("sqlite")
    try:
        # One PC's file is migrated as the desk does; a shared PostgreSQL is migrated by its
        # owner role (`agentdesk db upgrade`): the server's role may not change the schema.
        database = open_database(settings.db_url, migrate=sqlite, check=sqlite)
        current, head = database.revision(), head_revision()
    except DatabaseError as exc:
        fail(str(exc))
    except Exception as exc:
        from agentdesk.cli.common import db_failed

        fail(db_failed(exc))
    if current != head:
        fail(t("server.schema_behind", current=current or "-", head=head or "-"))
    if tls_cert is None and host not in LOOPBACK:
        # On stderr, with every warning: stdout is the one line saying where the server listens.
        typer.echo(t("server.plain_http_warning", host=host), err=True)
    scheme = "https" if tls_cert else "http"
    console().print(t("server.listening", url=f"{scheme}://{host}:{port}", db=hide_password(settings.db_url),
                      policy=settings.policy), markup=False, highlight=False)
    app = create_app(database, policy=settings.policy, cti_allow=allowed)
    try:
        uvicorn.run(app, host=host, port=port, ssl_certfile=str(tls_cert) if tls_cert else None,
                    ssl_keyfile=str(tls_key) if tls_key else None, log_level="warning", server_header=False,
                    proxy_headers=False, ws_ping_interval=20, ws_ping_timeout=20, timeout_graceful_shutdown=5,
                    timeout_keep_alive=KEEP_ALIVE_SECONDS,
                    # httptools and uvloop (dependencies): a pure-Python parser and loop cost a
                    # busy server most of its time; "auto" still runs where uvloop is not built.
                    http="httptools", loop="auto")
    finally:
        database.dispose()
