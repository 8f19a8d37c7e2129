"""A real ``agentdesk serve`` (uvicorn on loopback) for tests: in a thread of the test process,
or as the command itself in a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from agentdesk.db import Database
from agentdesk.server.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: Database, *, policy: str = "generic", port: int | None = None,
            cti_allow: tuple[str, ...] | None = None) -> Iterator[str]:
    """The server over ``db`` on a free loopback port; its base URL while the block runs."""
    port = port or free_port()
    app = create_app(db, policy=policy) if cti_allow is None else create_app(db, policy=policy, cti_allow=cti_allow)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
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


@dataclass
class Served:
    """An ``agentdesk serve`` child process; its output once it has been stopped."""

    proc: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serve_process(db_url: str, port: int, *args: str, env: dict[str, str] | None = None,
                  ready: Callable[[], bool] | None = None) -> Iterator[Served]:
    """``agentdesk serve --db db_url --port port *args`` until ``ready()`` (by default: its
    /health answers on loopback over HTTP); stopped with SIGTERM when the block ends."""
    command = [sys.executable, "-m", "agentdesk", "serve", "--db", db_url, "--port", str(port), *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    served = Served(proc)
    check = ready or (lambda: _answers(f"http://127.0.0.1:{port}"))
    deadline = time.monotonic() + 60  # a loaded CI machine imports slowly
    started = False
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if check():
                started = True
                break
            time.sleep(0.05)
        if started:
            yield served
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            served.stdout, served.stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            served.stdout, served.stderr = proc.communicate()
    if not started:
        raise RuntimeError(f"agentdesk serve did not answer (exit {proc.returncode}): {served.stderr}")
