"""The desk never reuses a connection the server may be closing: its idle connections are
dropped before the server's keep-alive timeout (a request sent on a connection as the server
closes it fails as if the server were away: the load test saw it at 500 desks)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn

from agentdesk.cli.serve import KEEP_ALIVE_SECONDS
from agentdesk.client import remote
from agentdesk.client.remote import RemoteDesk
from tests.serving import free_port


def test_the_desk_lets_go_of_idle_connections_before_the_server_does() -> None:
    assert remote.KEEPALIVE_SECONDS < KEEP_ALIVE_SECONDS - 1  # a second's margin for a busy desk


def test_an_idle_connection_is_not_reused_past_the_desks_keepalive(tmp_path: Path) -> None:
    ports: list[int] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        ports.append(scope["client"][1])  # the desk's end of the connection
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"policy":"generic","agents":1,"version":"t"}'})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_keep_alive=KEEP_ALIVE_SECONDS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    desk = RemoteDesk([f"http://127.0.0.1:{port}"], drafts_file=tmp_path / "offline.json")
    try:
        desk.agent_count()
        desk.agent_count()
        # Idle for the last stretch of the server's keep-alive: still open there, but the desk
        # must have let go of it (a busy desk's request could otherwise meet the server's close).
        time.sleep(KEEP_ALIVE_SECONDS - 1.5)
        desk.agent_count()
    finally:
        desk.close()
        server.should_exit = True
        thread.join(10)
    assert ports[0] == ports[1], "back-to-back requests share a connection"
    assert ports[2] != ports[1], "a connection the server is about to close is not reused"
