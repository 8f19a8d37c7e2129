"""A desk is pushed only the topics its screens react to, and always an outage and its logout."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentdesk.client import wire
from agentdesk.client.local import LocalDesk
from agentdesk.client.remote import RemoteDesk
from agentdesk.server import push as push_module
from agentdesk.server.push import watched
from agentdesk.services import changes
from agentdesk.services.changes import Change
from tests.server.test_security import client_login, in_process  # noqa: F401 - the fixture
from tests.serving import serving

PUSH = f"{wire.API}/push"


def settle(done: Callable[[], bool]) -> None:
    """Until the server's handler (another thread) has read what was sent."""
    deadline = time.monotonic() + 5
    while not done():
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_watch_message_names_known_topics_only() -> None:
    assert watched('{"watch": ["order", "nonsense", 3]}') == frozenset({"order"})
    assert watched('{"watch": []}') == frozenset()
    assert watched("not json") is None and watched('{"other": 1}') is None and watched("[1]") is None


def test_a_desk_watching_orders_is_sent_orders_and_outages_not_callbacks(in_process) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    client, hub = in_process
    with client.websocket_connect(PUSH, headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        socket.send_text(json.dumps({"watch": ["order"]}))
        socket.send_text("{not a message}")  # ignored; the channel stays open
        settle(lambda: any(c.topics is not None for c in hub._connections.values()))  # the handler read it
        hub.publish([Change(1, "callback", 5)])
        hub.publish([Change(2, "order", 7)])
        assert socket.receive_json(timeout=5)["changes"] == [{"topic": "order", "ref_id": 7}]
        socket.send_text(json.dumps({"watch": []}))  # back on the call screen
        settle(lambda: not any(c.topics for c in hub._connections.values()))
        hub.publish([Change(3, "order", 8)])
        hub.publish([Change(4, "outage", 2)])
        assert socket.receive_json(timeout=5)["changes"] == [{"topic": "outage", "ref_id": 2}]


def test_a_desk_that_never_says_is_sent_every_topic(in_process) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    client, hub = in_process
    with client.websocket_connect(PUSH, headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        hub.publish([Change(1, "callback", 5), Change(2, "order", 7)])
        assert socket.receive_json(timeout=5)["changes"] == [{"topic": "callback", "ref_id": 5},
                                                             {"topic": "order", "ref_id": 7}]


@pytest.mark.parametrize("replay_seconds, replayed", [(push_module.REPLAY_SECONDS, True), (0.0, False)])
def test_a_topic_watched_anew_gets_its_recent_changes_again(in_process, monkeypatch: pytest.MonkeyPatch,  # noqa: F811  # type: ignore[no-untyped-def]
                                                            replay_seconds: float, replayed: bool) -> None:
    monkeypatch.setattr(push_module, "REPLAY_SECONDS", replay_seconds)
    client, hub = in_process
    with client.websocket_connect(PUSH, headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        socket.send_text(json.dumps({"watch": []}))
        settle(lambda: any(c.topics is not None for c in hub._connections.values()))
        # Committed while the list was being read, before the server knew the desk watched orders.
        hub.publish([Change(1, "order", 7)])
        socket.send_text(json.dumps({"watch": ["order"]}))
        settle(lambda: any(c.topics for c in hub._connections.values()))
        hub.publish([Change(2, "outage", 3)])
        first = socket.receive_json(timeout=5)["changes"]
        if replayed:
            assert {"topic": "order", "ref_id": 7} in first
        else:
            assert first == [{"topic": "outage", "ref_id": 3}]


def test_the_desk_tells_the_server_and_hears_only_what_it_watches(db, lead_and_agent, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with serving(db) as url:
        desk = RemoteDesk([url], drafts_file=tmp_path / "offline.json")
        try:
            desk.login("1024", "1024")
            desk.watch(frozenset({"callback"}))
            desk.wait_changes(1.0)  # connected, the watch sent
            with db.write() as session:
                changes.note(session, "order", 1)
                changes.note(session, "callback", 2)
            found = []
            for _ in range(10):
                found += desk.wait_changes(0.5)
                if found:
                    break
            assert {c.topic for c in found} == {"callback"}
        finally:
            desk.close()


def test_one_pc_reads_every_change_whatever_it_watches(db, lead_and_agent) -> None:  # type: ignore[no-untyped-def]
    desk = LocalDesk(db, policy="generic")
    desk.login("1024", "1024")
    assert desk.wait_changes(0.0) == []  # where the changes stand now
    desk.watch(frozenset({"order"}))  # a list just opened gets what committed before its watch
    with db.write() as session:
        changes.note(session, "callback", 2)
        changes.note(session, "order", 1)
    assert sorted(c.topic for c in desk.wait_changes(1.0)) == ["callback", "order"]
