"""``agentdesk import customers FILE``: customer lists from operators' systems and Excel.

A typer app the main CLI mounts as ``import``. The work is done by
``agentdesk.services.importer``; this module reads the options, shows a progress bar on
large files (stderr, only on a terminal or with ``--progress``) and prints the report:
user text (headers, codes, reasons quoting cells) as plain text or ``rich.text.Text``,
never markup.

Exit codes: 0 every row imported (or, with ``--dry-run``, would be); 1 some rows were
rejected, required columns are missing, or the database failed; 2 a usage error
(unreadable file, malformed ``--map``, unknown field or sheet).

``--json`` prints one object (keys stable)::

    file, encoding, delimiter, sheet, columns [{header, field}], ignored_columns,
    rows, inserted, updated, unchanged, rejected, dry_run, all_or_nothing, committed,
    errors [{line, user_code, fields, reason}]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agentdesk.cli.common import DbOpt, db_failed, fail, open_db, print_json, settings_from
from agentdesk.i18n import t

#: Import fields (kept here too so ``--help`` needs no database stack; a test keeps them equal).
FIELDS = ("user_code", "name", "phone", "address", "area", "area_class", "tier")
JSON_KEYS = ("file", "encoding", "delimiter", "sheet", "columns", "ignored_columns", "rows", "inserted", "updated",
             "unchanged", "rejected", "dry_run", "all_or_nothing", "committed", "errors")
MAX_LISTED_ERRORS = 100
PROGRESS_MIN_ROWS = 2000  # smaller files finish before a bar would be worth drawing

import_app = typer.Typer(help=t("importer.help"), no_args_is_help=True, add_completion=False, rich_markup_mode=None)


@import_app.callback()
def _import_group() -> None:
    """Keep ``import`` a group with one subcommand, mounted or on its own."""


def _delimiter_name(delimiter: str | None) -> str:
    names = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
    return t(f"importer.delim_{names[delimiter]}") if delimiter in names else repr(delimiter)


def _encoding_name(encoding: str | None) -> str:
    names = {"utf-8": "UTF-8", "utf-8-sig": t("importer.enc_bom"), "gb18030": "GB18030", "utf-16": "UTF-16"}
    return names.get(encoding or "", "-")


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "file": report.file,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "sheet": report.sheet,
        "columns": [{"header": h, "field": f} for h, f in report.columns],
        "ignored_columns": report.ignored_columns,
        "rows": report.rows,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "dry_run": report.dry_run,
        "all_or_nothing": report.all_or_nothing,
        "committed": report.committed,
        "errors": [{"line": e.line, "user_code": e.user_code, "fields": e.fields, "reason": e.message()}
                   for e in report.errors],
    }


def _print_report(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from agentdesk.services.importer import field_label

    console = Console(highlight=False)
    sep = t("importer.list_sep")
    if report.sheet is not None:
        typer.echo(t("importer.source_xlsx", file=report.file, sheet=report.sheet))
    else:
        typer.echo(t("importer.source_csv", file=report.file, encoding=_encoding_name(report.encoding),
                     delimiter=_delimiter_name(report.delimiter)))
    typer.echo(t("importer.columns", columns=sep.join(
        h if h.casefold() == field_label(f).casefold() else t("importer.header_as", header=h, field=field_label(f))
        for h, f in report.columns)))
    if report.ignored_columns:
        typer.echo(t("importer.ignored", columns=sep.join(report.ignored_columns)))
    if report.errors:
        table = Table(title=Text(t("importer.errors_title")))
        table.add_column(t("importer.col_line"), justify="right", no_wrap=True)
        table.add_column(t("importer.col_code"), overflow="fold")
        table.add_column(t("importer.col_reason"), overflow="fold")  # Chinese has no spaces to wrap at
        for error in report.errors[:MAX_LISTED_ERRORS]:
            table.add_row(Text(str(error.line)), Text(error.user_code), Text(error.message()))
        console.print(table)
        if len(report.errors) > MAX_LISTED_ERRORS:
            typer.echo(t("importer.more_errors", count=len(report.errors) - MAX_LISTED_ERRORS))
    if report.rows == 0:
        typer.echo(t("importer.no_rows"))
        return
    typer.echo(t("importer.summary", **report.counts()))
    if report.dry_run:
        typer.echo(t("importer.dry_run"))
        if report.rejected:
            typer.echo(t("importer.dry_rejected", rejected=report.rejected))
    elif not report.committed:
        typer.echo(t("importer.aborted", rejected=report.rejected))
    elif report.rejected:
        typer.echo(t("importer.partial", rejected=report.rejected))
    else:
        typer.echo(t("importer.all_good"))


class _Bar:
    """A rich progress bar on stderr, started on the first report of progress."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.task: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task(t("importer.progress"), total=total)
        # The row count of a CSV is estimated from its line breaks: never let it lag.
        current_total = self.progress.tasks[0].total
        if current_total is not None and done > current_total:
            self.progress.update(self.task, total=done)
        self.progress.update(self.task, completed=done)

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()


@import_app.command("customers", help=t("importer.customers_help"))
def customers(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=t("importer.arg_file"), show_default=False, metavar="FILE")],
    map_: Annotated[list[str] | None, typer.Option("--map", metavar="HEADER=FIELD", help=t(
        "importer.opt_map", fields=", ".join(FIELDS)))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=t("importer.opt_dry_run"))] = False,
    all_or_nothing: Annotated[bool, typer.Option("--all-or-nothing", help=t("importer.opt_all_or_nothing"))] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", metavar="NAME", help=t("importer.opt_sheet"))] = None,
    progress: Annotated[bool, typer.Option("--progress", help=t("importer.opt_progress"))] = False,
    as_json: Annotated[bool, typer.Option("--json", help=t("importer.opt_json"))] = False,
    db: DbOpt = None,
) -> None:
    settings = settings_from(ctx, db)
    from agentdesk.services import importer

    # The file and the options are checked before the database is opened (or created).
    try:
        mapping = importer.parse_map_options(map_ or [])
        _encoding, _headers, source = importer.read_rows(file, sheet=sheet, mapping=mapping)
    except importer.MissingColumns as exc:
        fail(exc.message(), 1)
    except importer.ImportUsageError as exc:
        fail(exc.message(), 2)

    bar = _Bar() if progress or (sys.stderr.isatty() and (source.total_hint or 0) >= PROGRESS_MIN_ROWS) else None
    database = None
    try:
        database = open_db(settings)
        report = importer.import_customers(database, file, dry_run=dry_run, all_or_nothing=all_or_nothing,
                                           source=source, progress=bar)
    except importer.ImportUsageError as exc:  # a CSV line that cannot be parsed, found midway
        fail(exc.message(), 2)
    except typer.Exit:
        raise
    except Exception as exc:  # locked or unreachable database: nothing was committed
        fail(db_failed(exc), 1)
    finally:
        if bar is not None:
            bar.stop()
        source.close()
        if database is not None:
            database.dispose()

    if as_json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    if report.rejected:
        raise typer.Exit(1)
