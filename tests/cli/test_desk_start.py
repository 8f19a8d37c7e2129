"""``agentdesk`` with only --db/--lang/--policy opens the desk without Typer (a quick first
paint); every other command line goes to the Typer app exactly as before."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk import cli
from agentdesk.cli import common, root

PLAIN = [
    [],
    ["--db", "x.sqlite3"],
    ["--db=x.sqlite3"],
    ["--lang", "zh_CN", "--db", "sqlite:////tmp/a.sqlite3", "--policy", "jiangxi"],
    ["--policy=bazhong-96655", "--lang=en"],
    ["--lang", "fr"],
    ["--db", "demo"],  # a file called demo, as Typer reads it too
]
FULL = [
    ["--help"], ["-h"], ["--lang", "en", "--help"], ["demo"], ["demo", "--db", "x"], ["--db", "x", "demo"],
    ["db", "info"], ["--db"], ["--db", ""], ["--db="], ["--db", "--lang"], ["--db", "-x"],
    ["--db", "a", "--db", "b"], ["--bogus"], ["--d", "x"], ["--", "demo"], ["x"], ["--DB", "x"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_desk_start_is_recognized(argv: list[str]) -> None:
    assert cli.desk_options(argv, {}) is not None


@pytest.mark.parametrize("argv", FULL, ids=" ".join)
def test_everything_else_goes_to_typer(argv: list[str]) -> None:
    assert cli.desk_options(argv, {}) is None


def test_a_completion_request_goes_to_typer() -> None:
    assert cli.desk_options([], {"_AGENTDESK_COMPLETE": "bash_source"}) is None


ENVIRONMENTS = [{}, {"AGENTDESK_DB": "/tmp/env.sqlite3", "AGENTDESK_LANG": "zh_CN", "AGENTDESK_POLICY": "jiangxi"},
                {"AGENTDESK_DB": "", "LANG": "zh_CN.UTF-8"}]


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=["no-env", "env", "empty-db-env"])
@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_the_desk_gets_the_settings_typer_would_give_it(monkeypatch: pytest.MonkeyPatch, argv: list[str],
                                                        env: dict[str, str]) -> None:
    for name in ("AGENTDESK_DB", "AGENTDESK_LANG", "AGENTDESK_POLICY", "LANG", "LC_ALL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    by_typer: list = []
    monkeypatch.setattr(common, "run_desk", by_typer.append)
    result = CliRunner().invoke(root.app, argv)
    assert result.exit_code == 0, result.output

    by_fast_path: list = []

    class FakeApp:
        def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
            self.settings = settings

        def run(self) -> None:
            by_fast_path.append(self.settings)

    monkeypatch.setitem(sys.modules, "agentdesk.app", types.SimpleNamespace(make_app=FakeApp))
    monkeypatch.setattr(sys, "argv", ["agentdesk", *argv])
    cli.main()
    assert by_fast_path == by_typer and len(by_typer) == 1


def test_help_and_errors_are_typer_s(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AGENTDESK_LANG", "en")
    for argv, code, text in ((["--help"], 0, "Without a command it opens the desk"),
                             (["--bogus"], 2, "No such option: --bogus"),
                             (["--db"], 2, "Option '--db' requires an argument")):
        monkeypatch.setattr(sys, "argv", ["agentdesk", *argv])
        with pytest.raises(SystemExit) as ended:
            cli.main()
        assert ended.value.code == code
        out = capsys.readouterr()
        assert text in out.out + out.err


def test_the_full_app_lives_in_its_own_modules_not_behind_agentdesk_cli() -> None:
    """The Typer app and the shared helpers have one home each; the entry point forwards
    no names to them (no module ``__getattr__``), so importing it never loads them."""
    from agentdesk.cli.common import open_db, settings_from
    from agentdesk.cli.root import app

    assert callable(open_db) and callable(settings_from) and app.registered_callback is not None
    assert "__getattr__" not in vars(cli)
    for name in ("app", "_open_db", "_settings", "no_such_name"):
        with pytest.raises(AttributeError):
            getattr(cli, name)


def test_a_plain_start_imports_neither_typer_nor_the_database_stack(tmp_path: Path) -> None:
    """What is imported before the desk runs: the app, its login screen, nothing of the CLI or DB."""
    code = (
        "import sys\n"
        "import agentdesk.app\n"
        "def run(self):\n"
        "    import agentdesk.screens.login\n"
        "    heavy = ('typer', 'click', 'sqlalchemy', 'sqlmodel', 'alembic', 'pydantic', 'holidays', 'openpyxl')\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
        "agentdesk.app.AgentDeskApp.run = run\n"
        f"sys.argv = ['agentdesk', '--db', {str(tmp_path / 'x.sqlite3')!r}, '--lang', 'en']\n"
        "from agentdesk.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
