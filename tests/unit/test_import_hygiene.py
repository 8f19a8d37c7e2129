"""The domain runs without the TUI: importing it must not pull in Textual."""

from __future__ import annotations

import subprocess
import sys


def test_domain_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import agentdesk.models, agentdesk.db, agentdesk.services.accounts, agentdesk.services.demo\n"
        "import agentdesk.policy, agentdesk.normalize, agentdesk.config, agentdesk.cli\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_help_does_not_load_the_database_stack() -> None:
    code = (
        "import sys\n"
        "import agentdesk.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy', 'sqlmodel', 'alembic')]\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
