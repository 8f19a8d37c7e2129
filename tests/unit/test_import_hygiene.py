"""The domain runs without the TUI: importing it must not pull in Textual."""

from __future__ import annotations

import subprocess
import sys

#: Every module of these packages is imported, found by walking them: a new module is covered
#: without anyone listing it.
DOMAIN_PACKAGES = ("agentdesk.services", "agentdesk.policy", "agentdesk.scripts")


def test_domain_does_not_import_textual() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import agentdesk.models, agentdesk.db, agentdesk.normalize, agentdesk.config, agentdesk.cli\n"
        "seen = []\n"
        f"for name in {DOMAIN_PACKAGES!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    seen.append(name)\n"
        "    for info in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "        seen.append(info.name)\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
        "print('\\n'.join(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = set(done.stdout.split())
    # The walk really went through the packages (a broken walk would import nothing and pass).
    assert {"agentdesk.services.accounts", "agentdesk.services.demo", "agentdesk.policy.sla",
            "agentdesk.scripts"} <= imported, sorted(imported)
    assert len(imported) > 20, sorted(imported)


def test_cli_help_does_not_load_the_database_stack() -> None:
    code = (
        "import sys\n"
        "import agentdesk.cli, agentdesk.cli.root\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlalchemy', 'sqlmodel', 'alembic')]\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
