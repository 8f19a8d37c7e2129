"""Four processes writing one SQLite file lose nothing and never surface "database is locked"."""

from __future__ import annotations

from pathlib import Path

from tests.perf.stress_writes import run


def test_four_processes_lose_nothing(tmp_path: Path) -> None:
    report = run(processes=4, calls_per_process=40, db_path=tmp_path / "stress.sqlite3")
    assert report["errors"] == []
    assert report["acknowledged"] == 160 and report["missing"] == 0
    assert report["integrity"] == "ok"
