"""Database care: integrity check at start, online backup, network filesystems refused, audit list."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli.root import app
from agentdesk.db import DatabaseError, filesystem_type, open_database, refuse_network_path

MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
server:/export /mnt/share nfs4 rw 0 0
//nas/desk /mnt/nas\\040box cifs rw 0 0
"""


def test_network_filesystem_is_refused() -> None:
    assert filesystem_type(Path("/mnt/share/desk.sqlite3"), MOUNTS) == "nfs4"
    assert filesystem_type(Path("/mnt/nas box/x.sqlite3"), MOUNTS) == "cifs"
    assert filesystem_type(Path("/home/a/desk.sqlite3"), MOUNTS) == "ext4"
    with pytest.raises(DatabaseError, match="nfs4"):
        refuse_network_path(Path("/mnt/share/desk.sqlite3"), MOUNTS)
    refuse_network_path(Path("/home/a/desk.sqlite3"), MOUNTS)


def test_corrupt_file_gets_a_clear_message(tmp_path: Path) -> None:
    from agentdesk.i18n import set_language

    set_language("en")
    path = tmp_path / "broken.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.write() as session:
        from agentdesk.services import accounts

        accounts.create_agent(session, "8001", "王红梅", "lead", "8001")
    db.dispose()
    _scribble_after_first_page(path)
    with pytest.raises(DatabaseError, match="integrity check") as err:
        open_database(f"sqlite:///{path}")
    assert "agentdesk db backup" in str(err.value)


def _scribble_after_first_page(path: Path) -> None:
    """Damage every page after the first (the schema's too): damaged b-trees, an intact header."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file first
    raw.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 4096 * 4
    for i in range(4096 + 100, len(data)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _scribble_last_page(path: Path) -> None:
    """Damage the last page of the file (a data page of the filler table), not the schema."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    data = bytearray(path.read_bytes())
    for i in range(len(data) - page, len(data)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database that counts as large (its whole check once a day, in the background)."""
    import agentdesk.db

    monkeypatch.setattr(agentdesk.db, "FULL_CHECK_MAX_BYTES", 0)
    path = tmp_path / "large.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE filler (x BLOB)")
    raw.executemany("INSERT INTO filler VALUES (randomblob(3000))", [()] * 50)
    raw.commit()
    raw.close()
    return path


def test_a_large_file_gets_its_whole_check_once_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      fixed_clock) -> None:  # type: ignore[no-untyped-def]
    from agentdesk.db import CHECK_RECORD_SUFFIX

    path = _large_file(tmp_path, monkeypatch)
    db = open_database(f"sqlite:///{path}")
    assert db.full_check_due  # never checked whole
    failures: list = []
    db.check_in_background(failures.append).join(30)
    assert failures == [] and not db.full_check_due
    assert Path(str(path) + CHECK_RECORD_SUFFIX).exists()
    db.dispose()

    again = open_database(f"sqlite:///{path}")
    assert not again.full_check_due and again.check_in_background(failures.append) is None
    again.dispose()
    fixed_clock.advance(hours=25)
    assert open_database(f"sqlite:///{path}").full_check_due  # a day later
    # Another file in its place (a copy, a restore) is not the file that was checked.
    fixed_clock.advance(hours=-25)
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(path.read_bytes())
    copy.replace(path)
    assert open_database(f"sqlite:///{path}").full_check_due


def test_a_large_file_damaged_in_its_data_is_reported_by_the_background_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentdesk.db import CHECK_RECORD_SUFFIX
    from agentdesk.i18n import set_language

    set_language("en")
    path = _large_file(tmp_path, monkeypatch)
    _scribble_last_page(path)
    db = open_database(f"sqlite:///{path}")  # the schema is intact: the desk opens
    failures: list = []
    db.check_in_background(failures.append).join(30)
    assert len(failures) == 1 and isinstance(failures[0], DatabaseError)
    assert "integrity check" in str(failures[0]) and "agentdesk db backup" in str(failures[0])
    assert not Path(str(path) + CHECK_RECORD_SUFFIX).exists()  # so the next start checks again
    assert open_database(f"sqlite:///{path}", migrate=False).full_check_due
    # A small file is checked whole at every start, as before: refused at once.
    monkeypatch.setattr("agentdesk.db.FULL_CHECK_MAX_BYTES", 64 * 2**20)
    with pytest.raises(DatabaseError, match="integrity check"):
        open_database(f"sqlite:///{path}", migrate=False)


def test_a_large_file_with_a_damaged_schema_is_refused_at_start(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from agentdesk.i18n import set_language

    set_language("en")
    path = _large_file(tmp_path, monkeypatch)
    _scribble_after_first_page(path)
    with pytest.raises(DatabaseError, match="integrity check") as err:
        open_database(f"sqlite:///{path}")
    assert "agentdesk db backup" in str(err.value)


def test_damage_met_while_migrating_gets_the_same_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentdesk.i18n import set_language

    set_language("en")
    path = _large_file(tmp_path, monkeypatch)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        page = raw.execute("SELECT pageno FROM dbstat WHERE name = 'alembic_version'").fetchone()[0]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * size:page * size] = b"\xa5" * size
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="integrity check") as err:
        open_database(f"sqlite:///{path}")  # the schema check passes; the migrations read the page
    assert "agentdesk db backup" in str(err.value)


def test_backup_is_consistent_while_writing(tmp_path: Path, db, db_url) -> None:
    from agentdesk.services import accounts

    with db.write() as session:
        accounts.create_agent(session, "8001", "王红梅", "lead", "8001")
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            with db.write() as session:
                from agentdesk.services import audit

                audit.record(session, "test.write", actor_id=None, n=n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = tmp_path / "backup.sqlite3"
        result = CliRunner().invoke(app, ["db", "backup", str(target), "--db", db_url], env={"AGENTDESK_LANG": "en"})
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT number FROM agents").fetchall() == [("8001",)]
    copy.close()
    again = CliRunner().invoke(app, ["db", "backup", str(target), "--db", db_url], env={"AGENTDESK_LANG": "en"})
    assert again.exit_code == 1 and "--force" in again.output


def test_audit_list(db, db_url, lead_and_agent) -> None:
    import json

    result = CliRunner().invoke(app, ["audit", "list", "--db", db_url, "--json"], env={"AGENTDESK_LANG": "en"})
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert {e["action"] for e in events} >= {"agent.add"}
    assert set(events[0]) == {"id", "at", "agent", "action", "entity", "entity_id", "detail"}
    bad = CliRunner().invoke(app, ["audit", "list", "--db", db_url, "--since", "yesterday"],
                             env={"AGENTDESK_LANG": "en"})
    assert bad.exit_code == 2
