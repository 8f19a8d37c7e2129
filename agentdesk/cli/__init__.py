"""The ``agentdesk`` command's entry point (the console script and ``python -m agentdesk``).

A plain desk start — ``agentdesk`` with nothing but ``--db``, ``--lang`` and ``--policy`` —
goes straight to the desk: it imports neither Typer nor any sub-command module (nor,
through them, the policy engine and the database stack), so the login screen paints
about as soon as a bare Textual app's would (docs/performance.md). Every other command
line — a sub-command, ``--help``, a misspelt option, a shell-completion request — is
handed to the full Typer app in :mod:`agentdesk.cli.root`, which words help and
errors, and sets exit codes, exactly as it always has.

So this module imports nothing of the package's own: the Typer app is
``agentdesk.cli.root.app``, the helpers every command group shares are in
:mod:`agentdesk.cli.common`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

DESK_OPTIONS = ("--db", "--lang", "--policy", "--server")


def desk_options(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The options of a plain desk start, or None when the full command line must read ``argv``.

    Only what Typer would read the same way is taken: each of ``--db``, ``--lang``,
    ``--policy`` at most once, as ``--db VALUE`` or ``--db=VALUE``, the value neither
    empty nor starting with ``-``. Anything else goes to Typer.
    """
    env = os.environ if environ is None else environ
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in env):
        return None  # Click's shell completion
    if os.name == "nt" and any(c in arg for arg in argv for c in "*?[~$%"):
        return None  # Click expands globs, ~ and variables on Windows
    found: dict[str, str] = {}
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name not in DESK_OPTIONS or name[2:] in found:
            return None
        if not eq:
            if i + 1 == len(argv):
                return None
            i += 1
            value = argv[i]
        if not value or value.startswith("-"):
            return None
        found[name[2:]] = value
        i += 1
    return found


def main() -> None:
    options = desk_options(sys.argv[1:])
    if options is None:
        from agentdesk.cli.root import main as full_command_line

        full_command_line()
        return
    _run_desk(options)


def _run_desk(options: dict[str, str]) -> None:
    """What the Typer app's root callback does for a desk start."""
    from agentdesk.config import Settings, resolve_language
    from agentdesk.i18n import set_language

    try:
        settings = Settings.load(db=options.get("db"), lang=options.get("lang"), policy=options.get("policy"),
                                 server=options.get("server"))
    except ValueError as exc:  # a config file or a server URL that cannot be read
        from agentdesk.i18n import t

        set_language(resolve_language(options.get("lang")))
        print(t("server.bad_settings", detail=str(exc)), file=sys.stderr)
        sys.exit(2)
    set_language(settings.lang)
    from agentdesk.app import make_app

    try:
        make_app(settings).run()
    except KeyboardInterrupt:
        sys.exit(130)

