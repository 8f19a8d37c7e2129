"""A user keymap in the running desk: the remapped key works and shows in the footer and in
the key panel (F1); a broken keymap is said once at start and the default keys stay."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from rich.console import Console
from textual.keys import Keys, _character_to_key
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey
from textual.widgets._key_panel import BindingsTable

from agentdesk.keymap import CHARACTER_NAMES, NAMED_KEYS, character_key
from agentdesk.ui.keymap import binding_classes, binding_rows, scopes
from tests.pilot.conftest import login
from tests.workers import press, settle


def _keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("AGENTDESK_KEYMAP", str(path))
    return path


def _footer_keys(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {key.action: key.key for key in app.screen.query_one(Footer).query(FooterKey)}


def _key_panel_text(app) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(app.screen.query_one(BindingsTable).render())
    return out.getvalue()


async def test_a_remapped_key_works_and_shows_in_footer_and_key_panel(desk, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _keymap(tmp_path, monkeypatch, '[keys]\ndesk.new_call = "f3"\nkeys = "f12"\npalette = "f11"\n')
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        assert type(app.screen).__name__ == "DeskScreen"
        await pilot.pause()
        footer = _footer_keys(app)
        assert footer["new_call"] == "f3" and footer["toggle_keys"] == "f12"
        assert footer["command_palette"] == "f11"  # the footer's palette hint follows it too
        hint = str(app.screen.query_one("#idle-hint", Static).render())
        assert hint == "来电时按 F3 接听；F11 打开命令面板；F12 查看全部按键。"  # the hint names the new keys

        await pilot.press("f1")  # no longer the key panel's key
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        await pilot.press("f12")
        await pilot.pause()
        panel = _key_panel_text(app)
        new_call = next(line for line in panel.splitlines() if "接听来电" in line)
        assert "f3" in new_call and "f2" not in new_call

        await pilot.press("f2")  # the default key does nothing now
        await settle(pilot)
        assert type(app.screen).__name__ == "DeskScreen"
        await press(pilot, "f3")
        assert type(app.screen).__name__ == "CallScreen"
        assert not app._notifications


async def test_a_broken_keymap_is_reported_and_the_desk_keeps_its_keys(desk, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Markup and an escape sequence in the file are shown as written, never interpreted.
    path = _keymap(tmp_path, monkeypatch, '[keys]\ndesk.new_call = "f3"\n"[@click=app.quit]x[/]\\u001b[31m" = "f6"\n'
                                         'desk.work_orders = "f3"\n')
    app = desk("en")
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot)
        assert app.is_running and type(app.screen).__name__ == "DeskScreen"
        [note] = list(app._notifications)
        assert note.markup is False and note.severity == "error"
        assert note.title == "Keymap not applied"
        assert note.message.splitlines() == [
            f"{path}, line 3: no binding has the id “[@click=app.quit]x[/]”; agentdesk keys lists them all",
            f"{path}, line 4: f3 would be bound twice on “desk”: desk.new_call / desk.work_orders",
            "The desk uses the default keys.",
        ]
        assert _footer_keys(app)["new_call"] == "f2"
        await press(pilot, "f2")
        assert type(app.screen).__name__ == "CallScreen"


async def test_a_keymap_with_bad_toml_is_reported(desk, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _keymap(tmp_path, monkeypatch, '[keys]\ndesk.new_call = f3\n')
    app = desk("zh_CN")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        [note] = list(app._notifications)
        assert note.message.startswith(f"{path}，第 2 行：不是有效的 TOML（")
        assert note.message.endswith("桌面使用默认按键。")


def test_every_binding_class_is_found_and_named() -> None:
    from agentdesk.i18n import LANGUAGES, catalog

    names = {cls.__name__ for cls in binding_classes()}
    assert {"AgentDeskApp", "DeskScreen", "CallScreen", "FormScreen", "PinInput"} <= names
    for lang in LANGUAGES:
        missing = {n for n in names if f"keymap.place.{n}" not in catalog(lang)}
        assert not missing, (lang, missing)
    ids = [row.id for row in binding_rows()]
    assert len(ids) == len(set(ids)) and {"quit", "desk.new_call", "form.save", "login.submit"} <= set(ids)
    assert len(scopes()) == len(names)


def test_key_names_are_textuals() -> None:
    textual_bases = {key.value.rpartition("+")[2] for key in Keys}
    assert NAMED_KEYS <= textual_bases
    for character in string.printable.strip():
        assert character_key(character) == _character_to_key(character), character
    assert CHARACTER_NAMES == {_character_to_key(c) for c in string.punctuation}
