"""Outages on PostgreSQL: another process (the real CLI) declares while this process's
Watcher polls — seen within 2 seconds, as on SQLite — and the services behave the same:
the counter upsert, concurrent bumps and clears, restoration callbacks, area completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.db import open_database
from agentdesk.models import Callback
from agentdesk.services import accounts, broadcast, outages
from agentdesk.services.demo import build_demo
from tests.conftest import T0
from tests.processes.test_outage_two_processes import check_declaration_reaches_watcher
from tests.unit.test_outages import check_concurrent_bumps, check_concurrent_clear

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo(pg_url: str):  # type: ignore[no-untyped-def]
    db = open_database(pg_url)
    build_demo(db, customers=50)
    with db.read() as session:
        lead = accounts.get_agent(session, "8001")
        agent = accounts.get_agent(session, "1024")
    yield db, lead, agent
    db.dispose()


def test_another_process_declares_and_this_watcher_sees_it(pg_url: str) -> None:
    check_declaration_reaches_watcher(pg_url)


def test_services_on_postgres(pg_demo) -> None:
    db, lead, agent = pg_demo
    watcher = broadcast.Watcher(db)
    assert watcher.poll() is True and watcher.poll() is False
    with db.write() as session:
        info = outages.declare(session, actor=lead, areas=["朝阳区", "朝阳区"], services=["broadband", "tv"],
                               cause="光缆被挖断", eta=T0 + timedelta(hours=3), message="请安抚用户")
    assert info.areas == ("朝阳区",) and info.services == ("tv", "broadband")
    assert watcher.poll() is True
    with db.write() as session:
        outages.update(session, info.id, actor=lead, areas=["朝阳区红旗街道", "南关区"])
    with db.read() as session:
        assert outages.active_outage_for_area(session, "朝阳区红旗街道湖西社区").id == info.id
        assert outages.active_outage_for_area(session, "朝阳区南湖街道南湖社区") is None
        assert [e.action for e in outages.timeline(session, info.id)] == ["outage.declare", "outage.update"]
        assert "朝阳区红旗街道湖西社区" in outages.known_areas(session, "朝阳")
        assert "朝阳区" in outages.known_areas(session, "朝阳")
        assert outages.known_areas(session, "%") == []
    from agentdesk.services import calls

    with db.write() as session:
        call = calls.start_call(session, actor=agent, shift_id=None)
        calls.identify_customer(session, call.id, 1, actor=agent)
        outages.link_call(session, call.id, info.id, actor=agent)
    with db.write() as session:
        done, created = outages.clear(session, info.id, actor=lead)
    assert created == 1 and done.status == "cleared" and done.restoration_callbacks == 1
    with db.read() as session:
        cb = session.execute(select(Callback).where(Callback.outage_id == info.id)).scalar_one()
        assert cb.kind == "restoration" and cb.customer_id == 1 and cb.call_id == call.id
        assert broadcast.current(session) == 4  # declare, update, link, clear
    assert watcher.poll() is True


def test_two_leads_clear_at_once_on_postgres(pg_demo) -> None:
    check_concurrent_clear(*pg_demo)


def test_concurrent_bumps_on_postgres(pg_demo) -> None:
    db, _, _ = pg_demo
    check_concurrent_bumps(db)


def test_a_link_waits_for_a_clear_in_progress_and_is_refused(pg_demo) -> None:
    """A call linked while a lead's clear is still open waits for it, then is refused:
    no caller is linked after the restoration callbacks were queued."""
    import threading
    import time

    from agentdesk.services import calls
    from agentdesk.services.errors import InvalidInput

    db, lead, agent = pg_demo
    with db.write() as session:
        info = outages.declare(session, actor=lead, areas=["朝阳区"], services=["tv"], cause="停电", eta=None,
                               message="")
        call = calls.start_call(session, actor=agent, shift_id=None)
        calls.identify_customer(session, call.id, 1, actor=agent)
    outcome: list[object] = []

    def link() -> None:
        try:
            with db.write() as session:
                outages.link_call(session, call.id, info.id, actor=agent)
            outcome.append("linked")
        except InvalidInput as exc:
            outcome.append(exc.key)

    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
        linker = threading.Thread(target=link)
        linker.start()
        time.sleep(0.5)
        assert outcome == []  # waiting for the clear to commit
    linker.join(30)
    assert outcome == ["outage.not_active"]
