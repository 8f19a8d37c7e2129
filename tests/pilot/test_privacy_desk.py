"""The desk's F7 handover export is masked and audited like the CLI's (see tests/unit/test_privacy.py)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from textual.widgets import Input

from agentdesk.app import make_app
from agentdesk.dialogs.handover_export import HandoverExportScreen
from tests.conftest import settings_for
from tests.pilot.conftest import login, press
from tests.unit import test_privacy
from tests.unit.test_privacy import MASKED, PINS, audit_rows, secrets_in

handed_over = test_privacy.handed_over  # the same fixture: 1024's shift handed over


async def desk_export(db_url: str, fixed_clock, out: Path):  # type: ignore[no-untyped-def]
    """Log in as 1024, F7, save the latest handover as Markdown to ``out`` (by keys)."""
    app = make_app(settings_for(db_url, "en"), clock=fixed_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await login(pilot, "1024", PINS["1024"])
        await press(pilot, "f7")
        assert isinstance(app.screen, HandoverExportScreen)
        app.screen.query_one("#path", Input).value = str(out)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, HandoverExportScreen), "the export did not finish"
    assert out.exists()


async def test_the_desk_export_is_masked_and_audited(db, db_url: str, tmp_path: Path, fixed_clock,
                                                     handed_over) -> None:
    _lead, agent, _note = handed_over
    out = tmp_path / "handover.md"
    await desk_export(db_url, fixed_clock, out)
    text = out.read_text(encoding="utf-8")
    assert MASKED.search(text) and secrets_in(text) == []
    rows = [r for r in audit_rows(db, "handover") if "export" in r.action]
    assert len(rows) == 1 and rows[0].agent_id == agent.id
    assert json.loads(rows[0].detail)["format"] == "md"


async def test_the_desk_export_is_audited_and_written_like_the_cli(db, db_url: str, tmp_path: Path, fixed_clock,
                                                                   handed_over) -> None:
    _lead, agent, note = handed_over
    out = tmp_path / "handover.md"
    await desk_export(db_url, fixed_clock, out)
    rows = audit_rows(db, "handover.export")
    problems = {
        "audited as handover.export": [r.action for r in rows] == ["handover.export"],
        "with the note and destination": bool(rows) and json.loads(rows[0].detail).get("notes") == [note.id]
        and json.loads(rows[0].detail).get("destination") == str(out.resolve()),
        "owner-only file": stat.S_IMODE(out.stat().st_mode) & 0o077 == 0,
    }
    assert all(problems.values()), problems
