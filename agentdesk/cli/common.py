"""What every ``agentdesk`` command group shares: options, settings, failing, the database.

Importing this module fixes the language of the help texts: Typer reads them when the
command modules are imported, before any callback runs, so the language comes from the
environment (``AGENTDESK_LANG``, ``LC_ALL``, ``LANG``) here, once, for the root app and
for a group app invoked on its own alike. ``--lang`` then takes effect when a command
reads its settings (:func:`settings_from`).

Heavy imports (the database stack, Rich, Textual) happen inside the functions that need
them, so ``agentdesk --help`` stays quick.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from agentdesk.config import Settings, resolve_language
from agentdesk.i18n import set_language, t

if TYPE_CHECKING:
    from rich.console import Console
    from sqlmodel import Session

    from agentdesk.db import Database
    from agentdesk.services.accounts import AgentInfo

set_language(resolve_language())

P = ParamSpec("P")
R = TypeVar("R")

DbOpt = Annotated[str | None, typer.Option("--db", envvar="AGENTDESK_DB", help=t("cli.opt_db"), show_envvar=True)]
LangOpt = Annotated[str | None, typer.Option("--lang", help=t("cli.opt_lang"))]
PolicyOpt = Annotated[str | None, typer.Option("--policy", help=t("cli.opt_policy"))]
ServerOpt = Annotated[str | None, typer.Option("--server", envvar="AGENTDESK_SERVER", help=t("server.opt_server"),
                                               show_envvar=True)]


def settings_from(ctx: typer.Context, db: str | None = None, lang: str | None = None,
                  policy: str | None = None, default_db: Path | None = None) -> Settings:
    """A command's own options over the root's (``agentdesk --db … outage list``), then the
    environment; the language chosen is the one the command answers in."""
    obj = ctx.find_root().obj
    base: dict[str, str | None] = obj if isinstance(obj, dict) else {}
    try:
        settings = Settings.load(
            db=db or base.get("db"),
            lang=lang or base.get("lang"),
            policy=policy or base.get("policy"),
            default_db=default_db,
            server=None if db else base.get("server"),
        )
    except ValueError as exc:  # a config file or a server URL that cannot be read
        fail(t("server.bad_settings", detail=str(exc)), code=2)
    set_language(settings.lang)
    return settings


def fail(message: str, code: int = 1) -> NoReturn:
    # Plain, unwrapped text on stderr: error lines get grepped and pasted into tickets.
    typer.echo(message, err=True)
    raise typer.Exit(code)


def db_failed(exc: Exception) -> str:
    return t("app.db_failed", error=f"{type(exc).__name__}: {exc}")


def open_db(settings: Settings) -> Database:
    """The database, migrated; a bad URL or an unreachable server exits 1 with a message."""
    from agentdesk.db import DatabaseError, open_database

    try:
        return open_database(settings.db_url)
    except DatabaseError as exc:
        fail(str(exc))
    except Exception as exc:  # a bad URL or an unreachable server: say so, no traceback
        fail(db_failed(exc))


@contextmanager
def reading(ctx: typer.Context, db: str | None) -> Iterator[Session]:
    """One read transaction on the database the options name; the engine is closed after."""
    database = open_db(settings_from(ctx, db))
    try:
        with database.read() as session:
            yield session
    finally:
        database.dispose()


def authenticate_in(session: Session, number: str, pin: str) -> AgentInfo:
    """``accounts.authenticate`` inside the command's transaction; a wrong PIN is committed
    before the refusal goes on, so it counts towards the lock-out as at the desk's login."""
    from agentdesk.services import accounts
    from agentdesk.services.errors import LoginFailed

    try:
        return accounts.authenticate(session, number, pin)
    except LoginFailed:
        session.commit()
        raise


@contextmanager
def refusals_exit() -> Iterator[None]:
    """A refusal from the services or the database as the command's exit: a malformed value
    exits 2, anything else refused 1, with its message and no traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from agentdesk.services.errors import InvalidInput, ServiceError

    try:
        yield
    except InvalidInput as exc:
        fail(exc.message(), 2)
    except ServiceError as exc:
        fail(exc.message(), 1)
    except SQLAlchemyError as exc:
        fail(db_failed(exc), 1)


def service_call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``fn``'s result; a refusal from the services exits 1 with its message."""
    from agentdesk.services.errors import ServiceError

    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        fail(exc.message())


def read_pin(confirm: bool = True) -> str:
    """``AGENTDESK_PIN`` for scripts, else a hidden prompt (asked twice when setting one)."""
    pin = os.environ.get("AGENTDESK_PIN")
    if pin:
        return pin
    answer: str = typer.prompt(t("agent.pin_prompt"), hide_input=True,
                               confirmation_prompt=t("agent.pin_again") if confirm else False)
    return answer


def parse_iso(value: str, message: str | None = None) -> datetime:
    """An ISO 8601 time as the center's wall clock (an explicit offset is converted);
    unreadable, it exits 2 with ``message`` (by default the queues' wording)."""
    from agentdesk.clock import CENTER_TZ

    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(message or t("queues.bad_iso", value=value), 2)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CENTER_TZ).replace(tzinfo=None)
    return moment


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def console() -> Console:
    """Tables for a shell: no guessed highlighting of numbers, rows not wrapped by Rich."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def run_desk(settings: Settings) -> None:
    from agentdesk.app import make_app

    make_app(settings).run()
