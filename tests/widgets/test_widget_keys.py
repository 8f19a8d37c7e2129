"""Textual's own widget keys in the key panel (F1) speak the desk's language."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Input, OptionList, Select, SelectionList, TextArea
from textual.widgets._select import SelectOverlay

from agentdesk.i18n import catalog, set_language
from agentdesk.ui.textual_keys import localize_textual_bindings, widget_key

#: The Textual classes whose keys the desk shows: its fields, lists, dialogs and palette.
USED = (Input, TextArea, DataTable, Select, SelectOverlay, Checkbox, OptionList, SelectionList, CommandPalette,
        Screen, ModalScreen, App)


def descriptions(cls: type) -> set[str]:
    return {b.description for bindings in cls._merged_bindings.key_to_bindings.values()  # type: ignore[attr-defined]
            for b in bindings if b.description}


def test_every_key_of_the_widgets_used_has_a_translation() -> None:
    set_language("en")
    localize_textual_bindings()  # back to Textual's English
    missing = sorted({d for cls in USED for d in descriptions(cls)} - {
        d for cls in USED for d in descriptions(cls) if widget_key(d) in catalog("zh_CN")})
    assert not missing, f"add to agentdesk/i18n/*/widget_keys.toml: {missing}"


@pytest.mark.parametrize("lang, cursor_left", [("zh_CN", "光标左移"), ("en", "Move cursor left")])
def test_switching_language_translates_from_the_english(lang: str, cursor_left: str) -> None:
    for first in ("zh_CN", "en", lang):  # any order of apps in one process
        set_language(first)
        localize_textual_bindings()
    assert cursor_left in descriptions(Input)
    assert ("全选" in descriptions(TextArea)) == (lang == "zh_CN")
    set_language("zh_CN")
