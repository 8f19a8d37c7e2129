"""Reading and checking a user keymap, without Textual: ids, keys, lines, languages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentdesk.i18n import set_language
from agentdesk.keymap import BoundKey, Scope, keymap_path, normalize_key, read_keymap

APP = (BoundKey("quit", ("ctrl+q",), "quit"), BoundKey("keys", ("f1",), "keys"))
DESK = Scope("desk", (BoundKey("desk.new_call", ("f2",), "desk.new_call"),
                      BoundKey("desk.work_orders", ("f4",), "desk.work_orders"),
                      BoundKey(None, ("tab",), "Focus Next"), *APP))
CALL = Scope("call", (BoundKey("call.consult", ("1",), "call.consult"),
                      BoundKey("call.finish", ("ctrl+s",), "call.finish"), *APP))
SCOPES = [Scope("every screen", APP), DESK, CALL]


def _read(tmp_path: Path, text: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    set_language(lang)
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return read_keymap(path, SCOPES)


def test_a_good_keymap_applies(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.new_call = "F3"\n"call.finish" = "Shift+Ctrl+Enter"\n'
                             'call.consult = ["1", "c"]\n')
    assert keymap.problems == []
    assert keymap.keys == {"desk.new_call": ("f3",), "call.finish": ("ctrl+shift+enter",),
                           "call.consult": ("1", "c")}
    assert keymap.textual_keymap()["call.consult"] == "1,c"


def test_tables_and_inline_tables_name_the_same_ids(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys.desk]\nnew_call = "f3"\n[keys]\ncall = { finish = "f9" }\n')
    assert keymap.keys == {"desk.new_call": ("f3",), "call.finish": ("f9",)}


def test_a_missing_file_is_no_keymap_and_no_problem(tmp_path: Path) -> None:
    keymap = read_keymap(tmp_path / "none.toml", SCOPES)
    assert (keymap.found, keymap.keys, keymap.problems) == (False, {}, [])


def test_unknown_id_names_file_and_line(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '# mine\n[keys]\ndesk.new_call = "f3"\ndesk.coffee = "f6"\n')
    assert keymap.keys == {}  # nothing applies: the desk keeps its defaults
    [problem] = keymap.problems
    assert problem.line == 4
    assert str(problem) == (f"{tmp_path / 'keymap.toml'}, line 4: no binding has the id “desk.coffee”; "
                            "agentdesk keys lists them all")


def test_a_key_bound_twice_on_a_screen(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.new_call = "f4"\n')
    [problem] = keymap.problems
    assert problem.line == 2
    assert "f4 would be bound twice on “desk”: desk.new_call / desk.work_orders" in problem.text


def test_a_clash_with_the_apps_keys_or_textuals_own(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ncall.finish = "f1"\ndesk.new_call = "tab"\n')
    assert [(p.line, p.text.split(": ", 1)[1]) for p in keymap.problems] == [
        (2, "f1 would be bound twice on “call”: call.finish / keys"),
        (3, "tab would be bound twice on “desk”: Focus Next / desk.new_call"),
    ]


def test_swapping_two_keys_is_no_clash_and_other_screens_may_share_a_key(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.new_call = "f4"\ndesk.work_orders = "f2"\ncall.consult = "f2"\n')
    assert keymap.problems == []


def test_a_clash_through_the_app_is_said_once(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\nkeys = "ctrl+q"\n')
    [problem] = keymap.problems
    assert "ctrl+q would be bound twice on “every screen”: keys / quit" in problem.text


@pytest.mark.parametrize("key", ["ctrl+bogus", "cmd+s", "", "ctrl+", "ctrl+ctrl+s", "f25", "enter key"])
def test_bad_key_names(tmp_path: Path, key: str) -> None:
    keymap = _read(tmp_path, f'[keys]\n\ndesk.new_call = "{key}"\n')
    [problem] = keymap.problems
    assert problem.line == 3
    assert f"“{key.split(',')[0]}” is not a key name" in problem.text


def test_a_value_that_is_not_a_key_name(tmp_path: Path) -> None:
    [problem] = _read(tmp_path, "[keys]\ndesk.new_call = 3\n").problems
    assert problem.line == 2 and "“desk.new_call” takes a key name in quotes" in problem.text


def test_keys_outside_the_keys_table(tmp_path: Path) -> None:
    [problem] = _read(tmp_path, 'desk.new_call = "f3"\n').problems
    assert problem.line == 1 and "“desk” does not belong in a keymap; keys go under [keys]" in problem.text


def test_toml_syntax_error_with_its_line(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.new_call = "f3"\ncall.finish = ctrl+s\n')
    [problem] = keymap.problems
    assert problem.line == 3
    assert problem.text.startswith(f"{tmp_path / 'keymap.toml'}, line 3: not valid TOML (")
    assert keymap.keys == {}


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_bytes('[keys]\ndesk.new_call = "f3" # 键\n'.encode("gb18030"))
    set_language("en")
    [problem] = read_keymap(path, SCOPES).problems
    assert problem.text == f"{path}: is not UTF-8 text"


def test_problems_in_chinese(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.coffee = "f6"\ndesk.new_call = "f4"\n', lang="zh_CN")
    assert [p.text for p in keymap.problems] == [
        f"{tmp_path / 'keymap.toml'}，第 2 行：没有编号为“desk.coffee”的按键；agentdesk keys 列出全部编号",
        f"{tmp_path / 'keymap.toml'}，第 3 行：f4 在“desk”上绑定了两次：desk.new_call / desk.work_orders",
    ]


def test_problems_are_in_line_order(tmp_path: Path) -> None:
    keymap = _read(tmp_path, '[keys]\ndesk.new_call = "f4"\ndesk.coffee = "f6"\ncall.finish = "nope"\n')
    assert [p.line for p in keymap.problems] == [2, 3, 4]


@pytest.mark.parametrize(("written", "textual"), [
    ("f3", "f3"), ("F3", "f3"), ("Ctrl+S", "ctrl+s"), ("shift+ctrl+up", "ctrl+shift+up"), ("?", "question_mark"),
    ("ctrl+/", "ctrl+slash"), ("question_mark", "question_mark"), ("A", "A"), ("a", "a"), ("+", "plus"),
    ("PageDown", "pagedown"), ("space", "space"), ("alt+1", "alt+1"),
])
def test_key_names_are_spelled_as_textual_spells_them(written: str, textual: str) -> None:
    assert normalize_key(written) == textual


def test_the_file_is_found_in_the_user_config_dir_or_named_by_the_environment(tmp_path: Path) -> None:
    assert keymap_path({"AGENTDESK_KEYMAP": str(tmp_path / "mine.toml")}) == tmp_path / "mine.toml"
    if sys.platform.startswith("linux"):
        assert keymap_path({}).name == "keymap.toml"
        assert keymap_path({}).parent.name == "agentdesk"


def test_reading_a_keymap_needs_no_textual() -> None:
    import subprocess

    code = "import sys, agentdesk.keymap; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
