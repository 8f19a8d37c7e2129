"""``agentdesk keys``: every binding from the code, the keymap's keys beside the defaults,
columns aligned in Chinese, a broken keymap reported on stderr with exit code 1."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from typer.testing import CliRunner

from agentdesk.cli.root import app

runner = CliRunner()


def invoke(*args: str, lang: str = "en", keymap: Path | None = None):  # type: ignore[no-untyped-def]
    env = {"AGENTDESK_LANG": lang, **({"AGENTDESK_KEYMAP": str(keymap)} if keymap else {})}
    return runner.invoke(app, list(args), env=env)


def _row(output: str, binding_id: str) -> list[str]:
    [line] = [line for line in output.splitlines() if line.startswith(binding_id + " ")]
    return line.split()


def test_keys_lists_every_binding_with_its_default_and_place(tmp_path: Path) -> None:
    from agentdesk.ui.keymap import binding_rows

    result = invoke("keys", keymap=tmp_path / "none.toml")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Keymap: {tmp_path / 'none.toml'} (none; default keys)"
    assert result.output.splitlines()[1].split() == ["id", "default", "here", "does", "where"]
    for row in binding_rows():
        assert any(line.startswith(row.id + " ") for line in result.output.splitlines()), row.id
    assert _row(result.output, "desk.new_call") == ["desk.new_call", "f2", "Take", "call", "desk"]
    assert _row(result.output, "form.save") == ["form.save", "ctrl+s", "Save", "every", "form"]
    assert _row(result.output, "quit") == ["quit", "ctrl+q", "Quit", "every", "screen"]


def test_keys_shows_the_remapped_key(tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\ndesk.new_call = "F3"\nform.save = "ctrl+s"\n', encoding="utf-8")
    result = invoke("keys", keymap=keymap)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Keymap: {keymap}"
    assert _row(result.output, "desk.new_call")[:3] == ["desk.new_call", "f2", "f3"]
    assert _row(result.output, "form.save")[:3] == ["form.save", "ctrl+s", "Save"]  # unchanged: no second key


def test_keys_in_chinese_with_aligned_columns(tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\ndesk.new_call = "f3"\n', encoding="utf-8")
    result = invoke("keys", lang="zh_CN", keymap=keymap)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"按键表：{keymap}" and lines[1].split() == ["编号", "默认键", "本机按键", "作用", "位置"]
    new_call = next(line for line in lines if line.startswith("desk.new_call "))
    assert "接听来电" in new_call and new_call.endswith("工作台")
    # The last column ("where") starts at the same terminal cell on every line.
    from agentdesk.ui.keymap import binding_rows

    places = {row.id: row.place for row in binding_rows()}
    starts = {cell_len(line[: line.rindex(places[line.split()[0]])]) for line in lines[2:]}
    assert len(starts) == 1, starts


def test_a_broken_keymap_is_reported_on_stderr_without_a_traceback(tmp_path: Path) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keys]\ndesk.coffee = "f3"\ndesk.new_call = "f4"\n', encoding="utf-8")
    result = invoke("keys", keymap=keymap)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{keymap}, line 2: no binding has the id “desk.coffee”; agentdesk keys lists them all",
        f"{keymap}, line 3: f4 would be bound twice on “desk”: desk.new_call / desk.work_orders",
        "The desk uses the default keys.",
    ]
    assert _row(result.stdout, "desk.new_call")[:3] == ["desk.new_call", "f2", "Take"]  # the defaults
    assert "Traceback" not in result.output
