"""Database care: integrity check at start, online backup, network filesystems refused, audit list."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli import app
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

        accounts.add_agent(session, "8001", "王红梅", "lead", "8001")
    db.dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file first
    raw.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 4096 * 4
    # Scribble over every page after the first: damaged b-trees, an intact header.
    for i in range(4096 + 100, len(data)):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    with pytest.raises(DatabaseError, match="integrity check") as err:
        open_database(f"sqlite:///{path}")
    assert "agentdesk db backup" in str(err.value)


def test_backup_is_consistent_while_writing(tmp_path: Path, db, db_url) -> None:
    from agentdesk.services import accounts

    with db.write() as session:
        accounts.add_agent(session, "8001", "王红梅", "lead", "8001")
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
