"""The desk on a server: every :class:`~agentdesk.client.desk.Desk` operation over HTTP to
``agentdesk serve``, the push channel on a WebSocket, drafts kept locally while it is away.

The desk holds no database credentials, only its session token. Each operation is one POST
(:mod:`agentdesk.client.wire`); the answer is decoded by msgspec into the services' own
dataclasses, and an error into the services' own exception, so the screens cannot tell this
facade from :class:`~agentdesk.client.local.LocalDesk`.

When no server answers, an operation raises :class:`ServerUnavailable` ("nothing was saved;
what you typed is kept"): the form stays open with its text, and the agent saves again once
the status bar says the server is back. Drafts typed meanwhile go to a small local file
(:class:`~agentdesk.client.offline.OfflineDrafts`) and are sent when the link returns.
A request that never reached a server is tried on the next URL given (fail-over); one that
may have reached it is not repeated behind the agent's back.
"""

from __future__ import annotations

import inspect
import logging
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

from agentdesk.client import wire
from agentdesk.client.offline import OfflineDrafts
from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.changes import Change, Topic
from agentdesk.services.drafts import DraftInfo
from agentdesk.services.errors import ServiceError, Unauthenticated
from agentdesk.services.outages import OutageInfo
from agentdesk.services.paging import Page

log = logging.getLogger("agentdesk.client")

CONNECT_SECONDS = 3.0
REQUEST_SECONDS = 20.0
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 10.0
#: How soon a change of the screens on show reaches the server (the push thread looks this often).
WATCH_SECONDS = 0.2
REFRESH_EVERY = 1800.0  # the session's expiry pushed out while the desk is in use
# An idle connection is not reused after this long. The server closes its idle ones after 5 s
# (cli/serve.py KEEP_ALIVE_SECONDS); with httpx's own 5 s a request sent as the server closed
# the connection failed as if the server were away ("nothing was saved"): the load test saw
# 23 such failures in 5,500 requests at 500 desks, none with 2 s.
KEEPALIVE_SECONDS = 2.0


class ServerUnavailable(ServiceError):
    key = "server.unreachable"


class RemoteDesk:
    def __init__(self, servers: Sequence[str], *, drafts_file: Path,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not servers:
            raise ValueError("no server URL")
        self.servers = list(servers)
        self._server = 0  # the one that answered last
        self._http = httpx.Client(timeout=httpx.Timeout(REQUEST_SECONDS, connect=CONNECT_SECONDS),
                                  limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
                                  headers={"user-agent": "agentdesk-desk"}, transport=transport)
        self._token: str | None = None
        self._login: LoginResult | None = None
        self.policy: str | None = None
        self.online: bool | None = None  # None until a server has been asked
        self._changes: queue.Queue[list[Change]] = queue.Queue()
        self._watching: frozenset[str] | None = None  # None: never said, the server sends every topic
        self._watch_sent: frozenset[str] | None = None  # what this push connection was told
        self._outages_dirty = True
        self._stop = threading.Event()
        self._push: threading.Thread | None = None
        self.offline = OfflineDrafts(drafts_file)
        self._unanswered: tuple[tuple[str, bytes], str] | None = None  # the last request without an answer

    # -- the wire ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.servers[self._server]

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self._token}"} if self._token else {}

    def _send(self, method: str, path: str, content: bytes | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        """One request to the first server that takes it; ServerUnavailable when none does."""
        order = [*range(self._server, len(self.servers)), *range(0, self._server)]
        for index in order:
            try:
                response = self._http.request(method, self.servers[index] + path, content=content,
                                              headers={**self._headers(), "content-type": "application/json",
                                                       **(headers or {})})
            except httpx.ConnectError:
                continue  # never reached that server: the next one may take it
            except httpx.TransportError:
                self._set_online(False)
                raise ServerUnavailable() from None  # it may have arrived: not sent again
            self._server = index
            self._set_online(True)
            return response
        self._set_online(False)
        raise ServerUnavailable()

    def _call(self, method: str, path: str, body: Any = None, result: Any = None, *,
              headers: dict[str, str] | None = None) -> Any:
        content = wire.ENCODER.encode(body) if body is not None else (b"{}" if method == "POST" else None)
        response = self._send(method, path, content, headers)
        if response.status_code >= 400:
            raise self._error(response)
        if result is None:
            return None
        return msgspec.json.decode(response.content, type=result)

    def _error(self, response: httpx.Response) -> ServiceError:
        try:
            body = msgspec.json.decode(response.content, type=wire.ErrorBody)
        except msgspec.DecodeError:
            if response.status_code >= 500:
                return ServerUnavailable()
            return ServiceError("server.refused", status=response.status_code)
        if response.status_code == 503:
            return ServiceError(body.key, **body.params)
        error = wire.error_from(body)
        if isinstance(error, Unauthenticated):
            self._token = None
        return error

    def _operation(self, name: str, args: tuple, kwargs: dict) -> Any:
        op = wire.OPERATIONS[name]
        bound = dict(zip(op.params, args, strict=False))
        bound.update(kwargs)
        body = op.body(**bound)
        # The same request again after an unanswered one keeps its key: if the first did
        # arrive, the server answers as it did then instead of saving twice.
        if op.reads:  # asked again, it reads again: nothing to keep
            result = self._call("POST", f"{wire.API}/op/{name}", body, op.result)
        else:
            sent = (name, wire.ENCODER.encode(body))
            key = self._unanswered[1] if self._unanswered and self._unanswered[0] == sent else uuid.uuid4().hex
            try:
                result = self._call("POST", f"{wire.API}/op/{name}", body, op.result,
                                    headers={wire.IDEMPOTENCY_HEADER: key})
            except ServerUnavailable:
                self._unanswered = (sent, key)
                raise
            self._unanswered = None
        if isinstance(result, wire.OrderPage | wire.CallbackPage):
            return Page(result.rows, result.next_cursor)
        return result

    def _set_online(self, online: bool) -> None:
        was, self.online = self.online, online
        if was is False and online:
            self._outages_dirty = True

    # -- before and at login --------------------------------------------------------------

    def agent_count(self) -> int:
        info = self._call("GET", f"{wire.API}/info", result=wire.ServerInfo)
        self.policy = info.policy
        return int(info.agents)

    def login(self, number: str, pin: str) -> LoginResult:
        if self._token:
            self._logout_quietly()
        logged = self._call("POST", f"{wire.API}/login", wire.LoginBody(number=number, pin=pin), wire.LoggedIn)
        self._token, self._login, self.policy = logged.token, logged.login, logged.policy
        self._outages_dirty = True
        self._start_push()
        return logged.login

    def _logout_quietly(self) -> None:
        try:
            self._call("POST", f"{wire.API}/logout")
        except ServiceError:
            pass
        self._token = None

    # -- drafts: kept here while the server is away ------------------------------------------------

    def save_draft(self, form: str, key: str, values: dict) -> None:
        try:
            self._operation("save_draft", (form, key, values), {})
        except ServerUnavailable:
            self.offline.put(form, key, values)
            return
        self.offline.discard(form, key)

    def load_draft(self, form: str, key: str) -> DraftInfo | None:
        kept = self.offline.get(form, key)
        try:
            remote = self._operation("load_draft", (form, key), {})
        except ServerUnavailable:
            remote = None
            if kept is None:
                raise
        if kept is not None and (remote is None or kept.updated_at >= remote.updated_at):
            return kept
        return remote

    def delete_drafts(self, key: str, forms: tuple[str, ...] | None = None) -> None:
        self._operation("delete_drafts", (key, forms), {})
        self.offline.discard_key(key, forms)

    def send_offline_drafts(self) -> int:
        """The drafts typed while the server was away, sent now; the number sent."""
        sent = 0
        for draft in self.offline.all():
            self._operation("save_draft", (draft.form, draft.key, draft.values), {})
            self.offline.discard(draft.form, draft.key, if_saved_at=draft.updated_at)
            sent += 1
        return sent

    # -- what only this side can do -------------------------------------------------------------------

    def outages_if_changed(self, *, refresh: bool = False) -> list[OutageInfo] | None:
        """Asked twice a second by the desk, answered from memory: the server is asked only when
        the push channel said an outage changed (or on ``refresh``)."""
        if not (refresh or self._outages_dirty) or self._token is None:
            return None
        self._outages_dirty = False
        try:
            return self._call("GET", f"{wire.API}/outages/active", result=list[OutageInfo])
        except ServiceError:
            self._outages_dirty = True
            raise

    def export_handovers(self, *, scope: str, fmt: str, path: Path, overwrite: bool) -> Path:
        from agentdesk.client.export_file import refuse_existing, write_export

        path = refuse_existing(path, overwrite)
        response = self._send("POST", f"{wire.API}/export_handovers",
                              wire.ENCODER.encode(wire.ExportBody(scope=scope, fmt=fmt, destination=str(path))))
        if response.status_code >= 400:
            raise self._error(response)
        return write_export(path, response.content, overwrite=overwrite)

    def record_callback_outcome(self, callback_id: int, *, outcome: str, satisfaction: int | None,
                                note: str) -> dict:
        result = self._operation("record_callback_outcome", (callback_id,),
                                 {"outcome": outcome, "satisfaction": satisfaction, "note": note})
        if isinstance(result.get("next_due"), str):
            result["next_due"] = datetime.fromisoformat(result["next_due"])
        return dict(result)

    def end_sessions(self, number: str) -> int:
        """A lead ends another agent's sessions (their desks go back to the login)."""
        ended = self._call("POST", f"{wire.API}/sessions/end", wire.EndSessionsBody(number=number), wire.Ended)
        return int(ended.ended)

    # -- the push channel ---------------------------------------------------------------------------

    def wait_changes(self, timeout: float) -> list[Change]:
        try:
            found = self._changes.get(timeout=timeout)
        except queue.Empty:
            return []
        while True:
            try:
                found.extend(self._changes.get_nowait())
            except queue.Empty:
                return found

    def link_status(self) -> str | None:
        if self.online is False:
            return t("server.unreachable_status")
        return t("server.online_status")

    def _start_push(self) -> None:
        if self._push is not None and self._push.is_alive():
            return
        self._stop.clear()
        self._push = threading.Thread(target=self._push_loop, name="agentdesk-push", daemon=True)
        self._push.start()

    def _push_loop(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        delay = BACKOFF_FIRST
        refreshed = time.monotonic()
        connections = 0
        while not self._stop.is_set() and self._token:
            url = self.url.replace("http", "ws", 1) + f"{wire.API}/push"
            token = self._token  # this connection's: a later login gets a connection of its own
            try:
                # No permessage-deflate: wake-ups are a few dozen bytes, and compressing each
                # one for every desk was a fifth of a busy server's time.
                with connect(url, additional_headers=self._headers(), open_timeout=CONNECT_SECONDS,
                             close_timeout=1, compression=None) as socket:
                    first = True
                    self._watch_sent = None
                    while not self._stop.is_set() and self._token == token:
                        self._send_watch(socket)
                        try:
                            raw = socket.recv(timeout=WATCH_SECONDS)
                        except TimeoutError:
                            if time.monotonic() - refreshed > REFRESH_EVERY:
                                refreshed = time.monotonic()
                                self._refresh_quietly()
                            continue
                        if first:  # connected (again): whatever happened meanwhile is reloaded
                            first, delay = False, BACKOFF_FIRST
                            connections += 1
                            self._connected(again=connections > 1)
                        self._received(raw)
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == wire.CLOSE_SESSION:
                    if self._token != token:  # the session logged out of, closed: connect as the new one
                        continue
                    self._ended(token)  # the server says this session is over: not a link down
                    return
                self._set_online(False)
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):  # refused at the handshake (a proxy's auth)
                    if self._token != token:
                        continue
                    self._ended(token)
                    return
                self._set_online(False)
            except (OSError, WebSocketException, TimeoutError):
                self._set_online(False)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, BACKOFF_MAX)
            self._server = (self._server + 1) % len(self.servers) if self.online is False else self._server

    def watch(self, topics: frozenset[str]) -> None:
        self._watching = frozenset(topics)  # the push thread tells the server (no I/O here)

    def _send_watch(self, socket: Any) -> None:
        watching = self._watching
        if watching is not None and watching != self._watch_sent:
            socket.send(msgspec.json.encode({"watch": sorted(watching)}).decode())
            self._watch_sent = watching

    def _connected(self, *, again: bool) -> None:
        self._set_online(True)
        if self.offline.count():
            try:
                self.send_offline_drafts()
            except ServiceError:  # still unreachable after all: they stay in the file
                pass
        if again:
            self._changes.put([Change(0, "resync", None)])
            self._outages_dirty = True

    def _received(self, raw: str | bytes) -> None:
        try:
            message = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            return
        found = [Change(0, str(c.get("topic")), c.get("ref_id")) for c in message.get("changes", ())]
        if not found:
            return
        if any(c.topic in (Topic.OUTAGE, "resync") for c in found):
            self._outages_dirty = True
        if any(c.topic == Topic.LOGOUT for c in found):
            self._token = None
            self._stop.set()
        self._changes.put(found)

    def _ended(self, token: str | None) -> None:
        if self._token != token:  # a later login's session is not the one that ended
            return
        self._token = None
        self._changes.put([Change(0, Topic.LOGOUT, None)])

    def _refresh_quietly(self) -> None:
        try:
            self._call("POST", f"{wire.API}/refresh", result=wire.Refreshed)
        except ServiceError:
            pass

    def close(self) -> None:
        self._stop.set()
        if self._token:
            self._logout_quietly()
        if self._push is not None:
            self._push.join(timeout=2)
        self._http.close()


def _operation_method(name: str) -> Any:
    signature = inspect.signature(getattr(wire.Desk, name))

    def method(self: RemoteDesk, *args: Any, **kwargs: Any) -> Any:
        return self._operation(name, args, kwargs)

    method.__name__ = name
    method.__signature__ = signature  # type: ignore[attr-defined]
    return method


# Every allowed operation the class does not word itself goes straight to the server.
for _name in wire.OPERATIONS:
    if _name not in vars(RemoteDesk):
        setattr(RemoteDesk, _name, _operation_method(_name))
