"""``agentdesk cti …``: the phone system's token, and a call posted as a phone system would.

``token`` issues (or rotates) a phone system's token on the server machine's database; it
needs an admin's or a team lead's number (``--by``) and PIN (a hidden prompt or
``AGENTDESK_PIN``). ``simulate`` posts one call's events (newCall, then answer and hangup
when asked) to a running ``agentdesk serve``: try the desk without a PBX.

Exit codes: 0 done; 1 refused (a wrong PIN, not a manager, an event refused, the server not
answering); 2 a malformed argument.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Annotated

import typer

from agentdesk.cli.common import DbOpt, authenticate_in, console, fail, open_db, refusals_exit, settings_from
from agentdesk.i18n import t

cti_app = typer.Typer(help=t("cti.help"), no_args_is_help=True, rich_markup_mode=None)

API = "/api/v1/cti"


@cti_app.command("token", help=t("cti.token_help"))
def cti_token(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help=t("cti.opt_by"))],
    system: Annotated[str, typer.Option("--system", help=t("cti.opt_system"))] = "pbx",
    db: DbOpt = None,
) -> None:
    from agentdesk.services.cti import systems

    pin = os.environ.get("AGENTDESK_PIN") or typer.prompt(t("agent.by_pin_prompt", number=by), hide_input=True)
    database = open_db(settings_from(ctx, db))
    try:
        with refusals_exit(), database.write() as session:
            actor = authenticate_in(session, by, pin)
            token = systems.issue_token(session, system, actor=actor)
    finally:
        database.dispose()
    out = console()
    out.print(t("cti.token_issued", system=system), markup=False, highlight=False)
    typer.echo(token)  # alone on its line: easy to copy into the PBX's configuration
    server, token_word = t("cti.server_placeholder"), t("cti.token_placeholder")
    out.print(t("cti.token_use", url=f"{server}{API}/events", url_token=f"{server}{API}/{token_word}"),
              markup=False, highlight=False)


@cti_app.command("simulate", help=t("cti.simulate_help"))
def cti_simulate(
    caller: Annotated[str, typer.Option("--from", help=t("cti.opt_from"))],
    to: Annotated[str, typer.Option("--to", help=t("cti.opt_to"))],
    answer_after: Annotated[float | None, typer.Option("--answer-after", min=0, help=t("cti.opt_answer_after"))] = None,
    hangup_after: Annotated[float | None, typer.Option("--hangup-after", min=0, help=t("cti.opt_hangup_after"))] = None,
    call_id: Annotated[str | None, typer.Option("--call-id", help=t("cti.opt_call_id"))] = None,
    server: Annotated[str, typer.Option("--server", help=t("cti.opt_server_url"))] = "http://127.0.0.1:8765",
    token: Annotated[str | None, typer.Option("--token", help=t("cti.opt_token"))] = None,
) -> None:
    import httpx

    secret = token or os.environ.get("AGENTDESK_CTI_TOKEN")
    if not secret:
        fail(t("cti.no_token"), 2)
    call = call_id or f"sim-{uuid.uuid4().hex[:12]}"
    steps: list[tuple[float, dict[str, str]]] = [
        (0.0, {"event": "newCall", "direction": "in", "from": caller, "to": to, "user": to, "callId": call})]
    if answer_after is not None:
        steps.append((answer_after, {"event": "answer", "callId": call, "user": to, "answeringNumber": to}))
    if hangup_after is not None:
        steps.append((hangup_after, {"event": "hangup", "callId": call, "cause": "normalClearing"}))
    out = console()
    with httpx.Client(base_url=server.rstrip("/"), timeout=10.0) as client:
        for wait, fields in steps:
            time.sleep(wait)
            try:
                response = client.post(f"{API}/events", json=fields, headers={"authorization": f"Bearer {secret}"})
            except httpx.HTTPError:
                fail(t("cti.unreachable", url=server))
            if response.status_code != 200:
                fail(t("cti.post_failed", event=fields["event"], status=response.status_code,
                       message=_message(response.content)))
            outcome = json.loads(response.content).get("outcome", "")
            out.print(t("cti.posted", event=fields["event"], outcome=t(f"cti.outcome_{outcome}")), markup=False,
                      highlight=False)


def _message(content: bytes) -> str:
    """The refusal in the reader's words (the server says which, by key)."""
    try:
        body = json.loads(content)
        return t(str(body["key"]), **(body.get("params") or {}))
    except (ValueError, KeyError, TypeError):
        return content[:200].decode(errors="replace")
