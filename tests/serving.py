"""A real ``agentdesk serve`` (uvicorn on loopback) for tests, in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from agentdesk.db import Database
from agentdesk.server.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: Database, *, policy: str = "generic", port: int | None = None) -> Iterator[str]:
    """The server over ``db`` on a free loopback port; its base URL while the block runs."""
    port = port or free_port()
    config = uvicorn.Config(create_app(db, policy=policy), host="127.0.0.1", port=port, log_level="warning",
                            ws_ping_interval=5, ws_ping_timeout=5, timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
