"""The cli/ package's shape: command groups stand side by side, sharing only ``common``.

A new group is then one module and one mount line in ``root``; nothing else has to know.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

import agentdesk.cli

CLI = Path(agentdesk.cli.__file__).parent


def test_groups_import_only_common_from_the_package() -> None:
    graph = grimp.build_graph("agentdesk", cache_dir=None)
    groups = set(graph.find_children("agentdesk.cli")) - {"agentdesk.cli.root", "agentdesk.cli.common"}
    assert groups, "no command group modules found"
    for module in sorted(groups):
        inside = {m for m in graph.find_modules_directly_imported_by(module) if m.startswith("agentdesk.cli")}
        assert inside <= {"agentdesk.cli.common"}, f"{module} imports {sorted(inside)}"
    common = {m for m in graph.find_modules_directly_imported_by("agentdesk.cli.common")
              if m.startswith("agentdesk.cli")}
    assert common == set(), common
    entry = {m for m in graph.find_modules_directly_imported_by("agentdesk.cli") if m.startswith("agentdesk.cli")}
    assert entry == {"agentdesk.cli.root"}, entry  # and that one only inside main(), for a full command line


def test_the_language_is_set_at_import_in_one_place() -> None:
    setting = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)] if isinstance(node, ast.Expr) else []
            if any(isinstance(c.func, ast.Name) and c.func.id == "set_language" for c in calls):
                setting.append(path.name)
    assert setting == ["common.py"]
