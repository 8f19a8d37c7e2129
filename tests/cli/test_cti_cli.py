"""``agentdesk cti token`` (a manager's PIN; rotating stops the old token) and ``agentdesk cti
simulate`` posting one call's events to a real server."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from agentdesk.cli.root import app
from agentdesk.db import Database
from agentdesk.models import CallLeg
from agentdesk.services.cti import systems
from tests.serving import serving

runner = CliRunner()


def cti(*args: str, pin: str | None = None, **env: str):  # type: ignore[no-untyped-def]
    environment = {"AGENTDESK_LANG": "en", "COLUMNS": "200", **env}
    if pin is not None:
        environment["AGENTDESK_PIN"] = pin
    return runner.invoke(app, ["cti", *args], env=environment)


def test_a_lead_issues_a_token_an_agent_cannot(db: Database, lead_and_agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = db.url
    refused = cti("token", "--by", "1024", "--db", url, pin="1024")
    assert refused.exit_code == 1, refused.output
    issued = cti("token", "--by", "8001", "--system", "asterisk", "--db", url, pin="8001")
    assert issued.exit_code == 0, issued.output
    token = issued.output.splitlines()[1].strip()
    with db.read() as session:
        found = systems.system_for(session, token)
        assert found is not None and found.name == "asterisk"
    rotated = cti("token", "--by", "8001", "--system", "asterisk", "--db", url, pin="8001")
    with db.read() as session:
        assert systems.system_for(session, token) is None
        assert systems.system_for(session, rotated.output.splitlines()[1].strip()) is not None
    wrong = cti("token", "--by", "8001", "--db", url, pin="0000")
    assert wrong.exit_code == 1


def test_simulate_posts_a_whole_call(db: Database, lead_and_agent) -> None:  # type: ignore[no-untyped-def]
    issued = cti("token", "--by", "8001", "--db", db.url, pin="8001")
    token = issued.output.splitlines()[1].strip()
    with serving(db) as url:
        done = cti("simulate", "--from", "13800138000", "--to", "1024", "--answer-after", "0", "--hangup-after", "0",
                   "--server", url, AGENTDESK_CTI_TOKEN=token)
        assert done.exit_code == 0, done.output
        assert done.output.splitlines() == ["newCall: stored", "answer: updated", "hangup: updated"]
        bad = cti("simulate", "--from", "13800138000", "--to", "1024", "--server", url, "--token", "nope")
        assert bad.exit_code == 1 and "token is missing or wrong" in bad.output
    with db.read() as session:
        [leg] = session.exec(select(CallLeg)).all()
    assert leg.state == "ended" and leg.from_number == "13800138000" and leg.ring_at and leg.answered_at
    none = cti("simulate", "--from", "1", "--to", "2")
    assert none.exit_code == 2


def test_a_lead_gives_an_agent_an_extension_once(db: Database, lead_and_agent) -> None:  # type: ignore[no-untyped-def]
    def agent(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["agent", "set", *args, "--by", "8001", "--db", db.url],
                             env={"AGENTDESK_LANG": "en", "AGENTDESK_PIN": "8001"})

    assert agent("1024", "--extension", "801").exit_code == 0
    taken = agent("8001", "--extension", "801")
    assert taken.exit_code == 2 and "already 1024's" in taken.output
    assert agent("1024", "--extension", "<b>801</b>").exit_code == 2
    from agentdesk.models import Agent

    with db.read() as session:
        assert session.exec(select(Agent.extension).where(Agent.number == "1024")).one() == "801"
    assert agent("1024", "--extension", "").exit_code == 0
    with db.read() as session:
        assert session.exec(select(Agent.extension).where(Agent.number == "1024")).one() is None
