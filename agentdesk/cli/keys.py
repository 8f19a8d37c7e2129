"""``agentdesk keys``: every key binding — its id, default key, this installation's key, what it
does and where it applies — in the user's language, columns aligned for Chinese text.

The list is walked from the screens' own bindings (``agentdesk.ui.keymap``), so it is the
installed version's; the keymap is checked as the desk checks it. Exit code 1 when the
keymap has problems (each on stderr with its file and line: the desk would use the default
keys), so an administrator can check a file before handing it out.
"""

from __future__ import annotations

import typer

from agentdesk.cli.common import LangOpt, settings_from
from agentdesk.i18n import t

COLUMNS = ("id", "default", "mapped", "action", "place")


def keys(ctx: typer.Context, lang: LangOpt = None) -> None:
    settings_from(ctx, lang=lang)
    # Here, not at the top: ``agentdesk --help`` imports this module and needs none of them.
    from agentdesk.normalize import clean_text
    from agentdesk.ui.keymap import binding_rows, load_user_keymap

    keymap = load_user_keymap()
    path = clean_text(str(keymap.path))
    typer.echo(t("keymap.file_used", file=path) if keymap.found else t("keymap.file_none", file=path))
    table = [[t(f"keymap.col_{column}") for column in COLUMNS]]
    for row in binding_rows():
        mapped = keymap.keys.get(row.id, row.keys)
        table.append([row.id, ",".join(row.keys), ",".join(mapped) if mapped != row.keys else "",
                      row.description, row.place])
    for line in aligned(table):
        typer.echo(line)
    if keymap.problems:
        for problem in keymap.problems:
            typer.echo(problem.text, err=True)
        typer.echo(t("keymap.defaults"), err=True)
        raise typer.Exit(1)


def aligned(table: list[list[str]]) -> list[str]:
    """Rows padded to their columns' widths in terminal cells (a Chinese character is two)."""
    from rich.cells import cell_len

    widths = [max(cell_len(row[column]) for row in table) for column in range(len(table[0]))]
    return ["  ".join(cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table]
