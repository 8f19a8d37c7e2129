"""``agentdesk handover …``: export handover notes, see which ones nobody acknowledged.

``agentdesk handover export [--agent NUMBER] [--shift latest|ID] [--date YYYY-MM-DD]
--format md|csv|json|xlsx --out PATH|- [--force] [--unmasked --lead NUMBER]``

* Without ``--shift`` and ``--date`` the most recent confirmed note is exported
  (``--shift latest``); ``--date`` takes the notes of the shifts that started that day;
  ``--agent`` narrows either to one agent.
* ``--out -`` writes to standard output (md, csv, json; xlsx refused: exit 2). An existing
  file is kept unless ``--force``; a file is written owner-only (0600) and whole (written
  beside, then renamed), never half.
* Phone numbers are masked; ``--unmasked`` needs a team lead (``--lead NUMBER`` and the PIN
  from a hidden prompt or ``AGENTDESK_PIN``) and is audited (``handover.export_unmasked``).
  Every export is audited (``handover.export``). Wrong PINs count towards the lock-out,
  as at login.

``agentdesk handover pending --lead NUMBER [--json]`` — a lead's list of recent notes some
addressee has not acknowledged.

Exit codes: 0 fine; 1 nothing to export (no such agent, shift or date), a refused
credential, an existing output file, a database or file problem; 2 a malformed argument.
On any failure no file is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from agentdesk.cli.common import (
    DbOpt,
    LangOpt,
    authenticate_in,
    console,
    fail,
    open_db,
    print_json,
    read_pin,
    settings_from,
    when,
)
from agentdesk.i18n import t

if TYPE_CHECKING:
    from agentdesk.db import Database
    from agentdesk.services.accounts import AgentInfo

#: Kept here too so ``--help`` needs no database stack.
FORMATS = ("md", "csv", "json", "xlsx")
PENDING_JSON_KEYS = ("note_id", "shift_id", "agent_number", "agent_name", "team", "confirmed_at", "items",
                     "not_acknowledged")

LeadOpt = Annotated[str | None, typer.Option("--lead", help=t("handover.cli.opt_lead"))]

handover_app = typer.Typer(help=t("handover.cli.help"), no_args_is_help=True, add_completion=False,
                           rich_markup_mode=None)


@handover_app.callback()
def _handover_group() -> None:
    """Keep ``handover`` a group, mounted or on its own."""


# -- helpers ----------------------------------------------------------------------------------


def _parse_shift(value: str | None) -> Literal["latest"] | int | None:
    if value is None:
        return None
    text = value.strip()
    if text.lower() == "latest":
        return "latest"
    if text.isdigit():
        return int(text)
    fail(t("handover.cli.bad_shift", value=value), 2)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(t("handover.cli.bad_date", value=value), 2)


def _authenticate(database: Database, number: str) -> AgentInfo:
    """The lead's AgentInfo; a wrong PIN is counted (committed) like a failed login."""
    from agentdesk.services.errors import LoginFailed

    pin = read_pin(confirm=False)
    try:
        with database.write() as session:
            return authenticate_in(session, number, pin)
    except LoginFailed as exc:
        fail(exc.message())


def _write_file(path: Path, data: bytes, force: bool) -> None:
    from agentdesk.services.private_file import write_private

    try:
        write_private(path, data, overwrite=force)
    except FileExistsError:
        fail(t("handover.cli.exists", path=path))
    except OSError as exc:
        fail(t("handover.cli.write_failed", path=path, error=exc.strerror or exc))


def _no_notes_message(agent: str | None, shift: str | int | None, day: date | None) -> str:
    if isinstance(shift, int):
        return t("handover.cli.no_notes_for_shift", shift=shift)
    if day is not None:
        return t("handover.cli.no_notes_on_date", date=day.isoformat())
    if agent is not None:
        return t("handover.cli.no_notes_for_agent", number=agent)
    return t("handover.cli.no_notes")


# -- export ------------------------------------------------------------------------------------


@handover_app.command("export", help=t("handover.cli.export_help"))
def export_notes(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help=t("handover.cli.opt_format"))],
    out: Annotated[str, typer.Option("--out", help=t("handover.cli.opt_out"))],
    agent: Annotated[str | None, typer.Option("--agent", help=t("handover.cli.opt_agent"))] = None,
    shift: Annotated[str | None, typer.Option("--shift", help=t("handover.cli.opt_shift"))] = None,
    day: Annotated[str | None, typer.Option("--date", help=t("handover.cli.opt_date"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("handover.cli.opt_force"))] = False,
    unmasked: Annotated[bool, typer.Option("--unmasked", help=t("handover.cli.opt_unmasked"))] = False,
    lead: LeadOpt = None,
    db: DbOpt = None,
    lang: LangOpt = None,
) -> None:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(t("handover.cli.bad_format", value=fmt, valid=", ".join(FORMATS)), 2)
    wanted_shift = _parse_shift(shift)
    wanted_day = _parse_date(day)
    if wanted_shift is None and wanted_day is None:
        wanted_shift = "latest"
    to_stdout = out.strip() == "-"
    if to_stdout and fmt == "xlsx":
        fail(t("handover.cli.xlsx_stdout"), 2)
    if unmasked and not lead:
        fail(t("handover.cli.unmasked_needs_lead"), 2)
    path = None if to_stdout else Path(out).expanduser()
    if path is not None:
        if path.exists() and not force:
            fail(t("handover.cli.exists", path=path))
        if not path.parent.is_dir():
            fail(t("handover.cli.no_dir", path=path.parent))

    settings = settings_from(ctx, db, lang)
    database = open_db(settings)
    from agentdesk.services import handover, handover_export
    from agentdesk.services.errors import ServiceError

    try:
        actor = _authenticate(database, lead) if lead else None
        with database.write() as session:
            try:
                notes = handover.find_notes(session, agent_number=agent, shift=wanted_shift,
                                            date=wanted_day)
                if not notes:
                    fail(_no_notes_message(agent, wanted_shift, wanted_day))
                data = handover_export.export(notes, fmt, lang=settings.lang, unmasked=unmasked)
                # Audited before the data leaves: an export never goes unrecorded.
                handover.record_export(session, notes, fmt=fmt, actor=actor, unmasked=unmasked,
                                       destination="-" if path is None else str(path.resolve()))
            except ServiceError as exc:
                fail(exc.message())
    finally:
        database.dispose()
    if path is None:
        stream = typer.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()
        return
    _write_file(path, data, force)
    key = "handover.cli.written_unmasked" if unmasked else "handover.cli.written"
    typer.echo(t(key, count=len(notes), path=path))


# -- pending -------------------------------------------------------------------------------------

@handover_app.command("pending", help=t("handover.cli.pending_help"))
def pending(
    ctx: typer.Context,
    lead: LeadOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help=t("handover.cli.opt_json"))] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help=t("handover.cli.opt_limit"))] = 50,
    db: DbOpt = None,
    lang: LangOpt = None,
) -> None:
    if not lead:
        fail(t("handover.cli.lead_needed"), 2)
    settings = settings_from(ctx, db, lang)
    database = open_db(settings)
    from agentdesk.services import accounts, handover
    from agentdesk.services.errors import ServiceError

    try:
        actor = _authenticate(database, lead)
        with database.read() as session:
            try:
                rows = handover.unacknowledged_overview(session, actor=actor, limit=limit)
            except ServiceError as exc:
                fail(exc.message())
            names = {a.number: a.name for a in accounts.list_agents(session)}
    finally:
        database.dispose()
    if as_json:
        data: list[dict[str, Any]] = [{
            "note_id": info.id, "shift_id": info.shift_id, "agent_number": info.agent_number,
            "agent_name": info.agent_name, "team": info.team,
            "confirmed_at": info.confirmed_at.isoformat() if info.confirmed_at else None,
            "items": len(info.items),
            "not_acknowledged": [{"agent_number": n, "agent_name": names.get(n, "")} for n in missing],
        } for info, missing in rows]
        print_json(data)
        return
    if not rows:
        typer.echo(t("handover.cli.nothing_pending"))
        return
    from rich.table import Table
    from rich.text import Text

    sep = t("handover.list_sep")
    table = Table(*(t(f"handover.cli.col_{c}") for c in ("note", "agent", "team", "confirmed", "items", "missing")))
    for info, missing in rows:
        table.add_row(
            Text(str(info.id)), Text(f"{info.agent_number} {info.agent_name}"), Text(info.team or ""),
            Text(when(info.confirmed_at)), Text(str(len(info.items))),
            Text(sep.join(f"{n} {names.get(n, '')}".strip() for n in missing)),
        )
    console().print(table)
