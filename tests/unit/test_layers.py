"""Every top-level module of agentdesk has a place in the layer contract (pyproject.toml).

``lint-imports`` checks only the modules a contract names, so a new module left out of the
layers would be free to import anything. Naming it is one line in ``[tool.importlinter]``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import agentdesk

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(agentdesk.__file__).resolve().parent


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def top_level_modules() -> set[str]:
    modules = {f"agentdesk.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    # Alembic's folder is no package: nothing imports it, Alembic loads its files by path.
    modules |= {f"agentdesk.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    return modules


def names(layers: list[str]) -> set[str]:
    """The modules of layers written as import-linter reads them: "a | b", "a : b", "(optional)"."""
    return {name.strip().strip("()") for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_top_level_module_has_a_layer() -> None:
    missing = sorted(top_level_modules() - names(contracts()["layers"]["layers"]))
    assert not missing, f"give these a layer in pyproject.toml [tool.importlinter] 'layers': {missing}"


def test_everything_below_the_ui_is_kept_free_of_textual() -> None:
    layers = contracts()["layers"]["layers"]
    below_ui = names(layers[layers.index("agentdesk.client"):])
    kept_free = set(contracts()["no-textual-below-ui"]["source_modules"])
    assert below_ui <= kept_free, f"add to 'no-textual-below-ui': {sorted(below_ui - kept_free)}"
