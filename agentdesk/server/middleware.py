"""Request counts and latencies for ``/metrics``, per route (a bounded set of labels)."""

from __future__ import annotations

import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from agentdesk.client import wire
from agentdesk.server import metrics


def _label(path: str) -> str:
    if path.startswith(f"{wire.API}/op/"):
        name = path[len(f"{wire.API}/op/"):]
        return name if name in wire.OPERATIONS else "other"
    if path.startswith(f"{wire.API}/cti/"):
        return "cti"  # never the path: it may hold the phone system's token
    if path in ("/health", "/metrics") or path.startswith("/schema"):
        return path.split("/")[1]
    if path.startswith(f"{wire.API}/"):
        rest = path[len(f"{wire.API}/"):]
        return rest if rest in ("info", "login", "logout", "refresh", "outages/active", "export_handovers",
                                "sessions/end", "push") else "other"
    return "other"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        label = _label(scope.get("path", ""))
        started = time.perf_counter()
        status = 500
        counted = False

        def count() -> None:
            nonlocal counted
            counted = True
            metrics.REQUESTS.labels(operation=label, status=str(status)).inc()
            metrics.LATENCY.labels(operation=label).observe(time.perf_counter() - started)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)
            # The answer is out: what runs after it (a save's answer stored) is not its latency.
            if message["type"] == "http.response.body" and not message.get("more_body") and not counted:
                count()

        try:
            await self.app(scope, receive, sending)
        finally:
            if not counted:
                count()
