"""Wake-ups arriving close together reach a desk as one message; an outage goes at once."""

from __future__ import annotations

import time

from agentdesk.client import wire
from agentdesk.server.push import merged
from agentdesk.services.changes import Change
from tests.server.test_security import client_login, in_process  # noqa: F401 - the fixture


def test_merged_keeps_each_wake_up_once_in_order() -> None:
    payload = [{"topic": "order", "ref_id": 3}, {"topic": "callback", "ref_id": 1}, {"topic": "order", "ref_id": 3},
               {"topic": "resync", "ref_id": None}, {"topic": "resync", "ref_id": None}]
    assert merged(payload) == [{"topic": "order", "ref_id": 3}, {"topic": "callback", "ref_id": 1},
                               {"topic": "resync", "ref_id": None}]


def test_a_burst_of_order_changes_is_one_message_and_an_outage_is_not_held(in_process) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    client, hub = in_process
    with client.websocket_connect(f"{wire.API}/push", headers=client_login(client, "1024")) as socket:
        assert socket.receive_json() == {"hello": "1024"}
        for n in range(1, 21):
            hub.publish([Change(n, "order", n % 5, None)])
        first = socket.receive_json(timeout=5)["changes"]
        assert sorted(c["ref_id"] for c in first) == [0, 1, 2, 3, 4]  # twenty wake-ups, five orders, one message
        start = time.monotonic()
        hub.publish([Change(99, "outage", 7, None)])
        assert socket.receive_json(timeout=5)["changes"] == [{"topic": "outage", "ref_id": 7}]
        assert time.monotonic() - start < 0.4  # not held for the coalescing window
