"""The agentdesk command through typer's CliRunner, on a temporary database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli.root import app

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"AGENTDESK_LANG": "en", **(env or {})}, input=stdin)


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("demo", "db", "agent", "policy", "sla"):
        assert command in result.output


def test_agent_add_list_passwd(tmp_path: Path) -> None:
    db = str(tmp_path / "a.sqlite3")
    empty = invoke("agent", "list", "--db", db)
    assert empty.exit_code == 0 and "agentdesk agent add" in empty.output and "--role lead" in empty.output

    # The first account of an empty database: nobody to ask.
    added = invoke("agent", "add", "8001", "--name", "王红梅", "--role", "lead", "--db", db,
                   env={"AGENTDESK_NEW_PIN": "8001"})
    assert added.exit_code == 0, added.output
    assert "8001" in added.output

    # Then a lead makes the others: the lead's PIN from the environment, the new one prompted twice.
    prompted = invoke("agent", "add", "1024", "--name", "阿卜杜拉•买买提", "--by", "8001", "--db", db,
                      env={"AGENTDESK_PIN": "8001"}, stdin="1024\n1024\n")
    assert prompted.exit_code == 0, prompted.output
    assert "阿卜杜拉·买买提" in prompted.output  # the name was normalized (• → ·)

    listed = invoke("agent", "list", "--db", db)
    assert "王红梅" in listed.output and "阿卜杜拉·买买提" in listed.output and "team lead" in listed.output

    # One's own PIN: the current one, then the new one twice.
    changed = invoke("agent", "passwd", "1024", "--db", db, stdin="1024\n5678\n5678\n")
    assert changed.exit_code == 0, changed.output
    from agentdesk.db import open_database
    from agentdesk.services.accounts import login

    database = open_database(f"sqlite:///{db}")
    assert login(database, "1024", "5678").agent.name == "阿卜杜拉·买买提"
    database.dispose()


def test_agent_add_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    db = str(tmp_path / "a.sqlite3")
    bad_pin = invoke("agent", "add", "8001", "--name", "王", "--role", "lead", "--db", db,
                     env={"AGENTDESK_NEW_PIN": "12"})
    assert bad_pin.exit_code == 2 and "A PIN has 4 to 12 digits." in bad_pin.output
    bad_role = invoke("agent", "add", "8001", "--name", "王", "--role", "boss", "--db", db,
                      env={"AGENTDESK_NEW_PIN": "1234"})
    assert bad_role.exit_code == 2 and "first account" in bad_role.output  # not a manager: asked first
    first_agent = invoke("agent", "add", "1024", "--name", "李娜", "--db", db, env={"AGENTDESK_NEW_PIN": "1234"})
    assert first_agent.exit_code == 2 and "first account" in first_agent.output
    invoke("agent", "add", "8001", "--name", "王", "--role", "lead", "--db", db, env={"AGENTDESK_NEW_PIN": "8001"})
    zh = invoke("agent", "passwd", "9999", "--by", "8001", "--db", db,
                env={"AGENTDESK_PIN": "8001", "AGENTDESK_NEW_PIN": "1234", "AGENTDESK_LANG": "zh_CN"})
    assert zh.exit_code == 1 and "没有工号为 9999 的坐席。" in zh.output
    assert "Traceback" not in bad_pin.output + bad_role.output + zh.output


def test_mismatched_pins_are_refused(tmp_path: Path) -> None:
    result = invoke("agent", "add", "8001", "--name", "王", "--role", "lead", "--db", str(tmp_path / "a.sqlite3"),
                    stdin="1234\n4321\n1234\n1234\n")
    assert result.exit_code == 0  # typer asks again after a mismatch
    assert "8001" in result.output


def test_db_upgrade_and_info_hide_the_password(tmp_path: Path) -> None:
    db = str(tmp_path / "i.sqlite3")
    up = invoke("db", "upgrade", "--db", db)
    from agentdesk.migrate import head_revision

    head = head_revision()
    assert up.exit_code == 0 and f"revision {head}." in up.output
    info = invoke("db", "info", "--db", db)
    assert info.exit_code == 0
    assert f"Schema revision: {head}" in info.output and "customers" in info.output
    unreachable = invoke("db", "info", "--db", "postgresql+psycopg://desk:s3cret@127.0.0.1:1/none")
    assert unreachable.exit_code == 1 and "s3cret" not in unreachable.output and "Traceback" not in unreachable.output


def test_env_var_picks_the_database(tmp_path: Path) -> None:
    db = str(tmp_path / "env.sqlite3")
    invoke("agent", "add", "8001", "--name", "王", "--role", "lead",
           env={"AGENTDESK_DB": db, "AGENTDESK_NEW_PIN": "8001"})
    assert "8001" in invoke("agent", "list", env={"AGENTDESK_DB": db}).output


def test_demo_no_open_builds_and_prints_logins(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite3")
    result = invoke("demo", "--customers", "60", "--no-open", "--db", db)
    assert result.exit_code == 0, result.output
    assert "8001 / 8001" in result.output and "1024 / 1024" in result.output
    assert f"agentdesk demo --db {db}" in result.output
    again = invoke("demo", "--no-open", "--db", db)
    assert "exists" in again.output
    rebuilt = invoke("demo", "--customers", "50", "--no-open", "--reset", "--db", db)
    assert "ready" in rebuilt.output and "50 customers" in rebuilt.output


def test_demo_default_goes_to_the_user_data_dir(tmp_path: Path) -> None:
    result = invoke("demo", "--customers", "20", "--no-open")
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "xdg") in result.output


def test_demo_reset_refused_for_postgres() -> None:
    result = invoke("demo", "--reset", "--no-open", "--db", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert result.exit_code == 1 and "SQLite" in result.output


@pytest.mark.parametrize("lang,word", [("zh_CN", "坐席账号管理"), ("en", "Agent accounts")])
def test_help_is_translated(lang: str, word: str) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "agentdesk", "--help"], capture_output=True, text=True,
                         env={"AGENTDESK_LANG": lang, "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0 and word in out.stdout


def test_db_info_on_a_missing_file_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    result = invoke("db", "info", "--db", str(missing))
    assert result.exit_code == 1 and "No database file" in result.output and "demo.sqlite3" in result.output
    assert not missing.exists()
