"""Two `agentdesk serve` processes on one PostgreSQL: an outage declared by a lead through one
instance reaches an agent's desk connected to the other within a second (NOTIFY between the
instances; their fallback read is every two seconds, so a pass within one shows the NOTIFY
path), and the desks never poll the database."""

from __future__ import annotations

import time
from pathlib import Path

from agentdesk.client.remote import RemoteDesk
from agentdesk.db import open_database
from agentdesk.services import accounts
from agentdesk.services.changes import Topic
from tests.processes.test_server_restart import start_server
from tests.serving import free_port

WITHIN = 1.0


def test_an_outage_crosses_from_one_instance_to_the_other(pg_url: str, tmp_path: Path) -> None:
    from agentdesk import clock
    from agentdesk.clock import SystemClock

    clock.set_clock(SystemClock())
    db = open_database(pg_url)  # migrated here, as `agentdesk db upgrade` would
    with db.write() as session:
        accounts.create_agent(session, "8001", "王红梅", "lead", "8001")
        accounts.create_agent(session, "1024", "李娜", "agent", "1024")
    db.dispose()
    ports = free_port(), free_port()
    servers = [start_server(pg_url, port) for port in ports]
    lead = RemoteDesk([f"http://127.0.0.1:{ports[0]}"], drafts_file=tmp_path / "lead.json")
    agent = RemoteDesk([f"http://127.0.0.1:{ports[1]}"], drafts_file=tmp_path / "agent.json")
    try:
        lead.login("8001", "8001")
        agent.login("1024", "1024")
        assert agent.outages_if_changed() == []
        time.sleep(1.0)  # the agent's push channel connects
        agent.wait_changes(0.1)
        delays = []
        for n in range(3):
            declared = lead.declare_outage(areas=[f"城东{n}区"], services=["broadband"], cause="光缆中断", eta=None,
                                           message="")
            acknowledged = time.monotonic()
            while time.monotonic() - acknowledged < 5:
                if any(c.topic == Topic.OUTAGE for c in agent.wait_changes(0.05)):
                    delays.append(time.monotonic() - acknowledged)
                    break
            assert declared.id in [o.id for o in agent.outages_if_changed() or []]
        print(f"outage from instance 1 to a desk on instance 2: {', '.join(f'{d * 1000:.0f} ms' for d in delays)}")
        assert len(delays) == 3 and max(delays) <= WITHIN
    finally:
        lead.close()
        agent.close()
        for server in servers:
            server.kill()
            server.wait(10)
