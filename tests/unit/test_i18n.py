"""Both catalogs hold the same keys; screens hold no literal user-visible text."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from agentdesk.i18n import LANGUAGES, catalog, t

PKG = Path(__file__).resolve().parents[2] / "agentdesk"
UI_FILES = sorted([*PKG.glob("screens/*.py"), *PKG.glob("widgets/*.py"), PKG / "app.py"])
# Calls whose string arguments reach the screen.
UI_CALLS = {"Static", "Label", "Button", "notify", "Binding", "Input", "Checkbox", "Option",
            "SystemCommand", "Content", "Text", "update", "add_column", "add_row", "Placeholder",
            "TabPane", "RadioButton", "Switch", "show_message", "set_status"}
# Keyword arguments that are identifiers, not text.
NON_TEXT_KEYWORDS = {"id", "classes", "name", "group", "restrict", "variant", "key", "action", "severity"}


def test_catalogs_have_the_same_keys() -> None:
    keys = {lang: set(catalog(lang)) for lang in LANGUAGES}
    assert keys["zh_CN"] == keys["en"], keys["zh_CN"] ^ keys["en"]


def test_placeholders_match_between_languages() -> None:
    fmt = string.Formatter()
    for key, zh in catalog("zh_CN").items():
        en = catalog("en")[key]
        names = lambda s: {f for _, f, _, _ in fmt.parse(s) if f}  # noqa: E731
        assert names(zh) == names(en), key


def test_zh_catalog_is_chinese() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    mostly = [k for k, v in catalog("zh_CN").items() if cjk.search(v)]
    assert len(mostly) > 0.9 * len(catalog("zh_CN"))


def test_t_fills_variables_as_data() -> None:
    assert t("login.locked", lang="en", minutes=3) == "Too many wrong tries: this number is locked. Try again in 3 min."
    assert "[bold]" in t("agent.not_found", lang="en", number="[bold]")


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _looks_like_words(text: str) -> bool:
    # Binding descriptions are i18n keys ("binding.logout"); ids and CSS are not words.
    if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", text):
        return False
    return bool(re.search(r"[\u4e00-\u9fff]", text) or re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}", text))


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_no_literal_user_visible_strings(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offenders = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in UI_CALLS:
            continue
        args = list(node.args) + [k.value for k in node.keywords if k.arg not in NON_TEXT_KEYWORDS]
        for arg in args:
            text = _literal_text(arg)
            if text and _looks_like_words(text):
                offenders.append(f"{path.name}:{node.lineno}: {text!r}")
    assert not offenders, offenders
