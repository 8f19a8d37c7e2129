"""tests/unit stays the domain's lane: no test here imports Textual or the desk's UI.

A test that drives a screen or a widget belongs in tests/pilot or tests/widgets (see
CONTRIBUTING.md); imports inside test functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

UNIT = Path(__file__).resolve().parent
UI = ("textual", "agentdesk.app", "agentdesk.screens", "agentdesk.dialogs", "agentdesk.widgets", "agentdesk.ui",
      "tests.pilot", "tests.snapshots", "tests.widgets")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def is_ui(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in UI)


def test_no_unit_test_imports_the_ui() -> None:
    found = {path.name: sorted(filter(is_ui, imported(path))) for path in sorted(UNIT.glob("*.py"))}
    assert not {name: ui for name, ui in found.items() if ui}, "move these to tests/pilot or tests/widgets"


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("def test_x():\n    from textual.widgets import Input\n", encoding="utf-8")
    assert any(is_ui(name) for name in imported(sample))
