"""Hints name keys as the desk has them bound: every hint's placeholders resolve on the
screen that shows it, the default keys read as the catalogs always wrote them, and a
remapped key is named instead."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.dom import DOMNode

from agentdesk.app import AgentDeskApp
from agentdesk.dialogs.checklist import ChecklistScreen
from agentdesk.dialogs.consult import ConsultScreen
from agentdesk.dialogs.handover_ack import HandoverAckScreen
from agentdesk.i18n import catalog, t
from agentdesk.screens.call import CallScreen
from agentdesk.screens.callback_call import CallbackCallScreen
from agentdesk.screens.desk import DeskScreen
from agentdesk.ui.key_names import KeyNames, key_display, remember_keymap

PLACEHOLDER = re.compile(r"\{key\[([^\]]+)\]\}")

# Each hint with a key in it, and the screen it is shown on.
HINTS = {
    "desk.idle_hint": DeskScreen,
    "app.quit_in_call": CallScreen,
    "call.identify_hint": CallScreen,
    "call.request_hint": CallScreen,
    "call.closing_hint": CallScreen,
    "checklist.hint": ChecklistScreen,
    "consult.no_results": ConsultScreen,
    "callbacks.hint": CallbackCallScreen,
    "handover_ui.ack_hint": HandoverAckScreen,
}


@pytest.mark.parametrize(("key", "shown"), [
    ("f2", "F2"), ("ctrl+e", "Ctrl+E"), ("escape", "Esc"), ("down", "↓"), ("1", "1"), ("o", "o"),
    ("ctrl+shift+up", "Ctrl+Shift+↑"), ("question_mark", "?"),
])
def test_keys_are_named_as_the_hints_write_them(key: str, shown: str) -> None:
    assert key_display(key) == shown


class _Host(App[None]):
    BINDINGS = AgentDeskApp.BINDINGS  # the desk's own app-wide keys (quit, palette, F1)


def _names(cls: type[DOMNode], app: App[None]) -> KeyNames:
    return KeyNames.for_class(app, cls)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("hint", sorted(HINTS))
def test_every_hint_resolves_on_its_screen(hint: str, lang: str) -> None:
    names = _names(HINTS[hint], _Host())
    wanted = PLACEHOLDER.findall(catalog(lang)[hint])
    assert wanted, f"{hint} names no key through the keymap"
    assert all(binding_id in names for binding_id in wanted)
    assert "{" not in t(hint, lang=lang, key=names)


def test_the_default_keys_read_as_before_and_a_remapped_key_replaces_them() -> None:
    app = _Host()
    assert t("desk.idle_hint", lang="en", key=_names(DeskScreen, app)) == (
        "F2 takes a call; Ctrl+P opens the command palette; F1 shows every key.")
    remember_keymap(app, {"desk.new_call": ("f3",), "keys": ("ctrl+k",)})
    assert t("desk.idle_hint", lang="zh_CN", key=_names(DeskScreen, app)) == (
        "来电时按 F3 接听；Ctrl+P 打开命令面板；Ctrl+K 查看全部按键。")
