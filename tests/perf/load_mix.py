"""The simulated desks of the load test: what agents do at their desks, through the real HTTP
API of ``agentdesk serve`` or straight on the database (``LocalDesk``), the same mix both ways.

Each desk is an asyncio task, logged in as its own agent, with its push channel open the
whole time (a WebSocket at ``/api/v1/push`` through a server; directly, the embedded desk's
change poll: ``LocalDesk.wait_changes``, twice a second, as ``agentdesk`` on one PC does).
Its role decides what it does (shares in :data:`ROLES`):

* **calls** — between calls a pause (wrap-up, waiting for the next one); then a call as the
  call screen makes it: ``start_call``; the caller searched for *as the agent types*, one
  search per keystroke as the screen sends them (the phone number digit by digit, the last
  digits of it, the Chinese name character by character as an IME commits them, the pinyin
  initials, the user code), stopping once the caller is among the hits; ``identify``; for
  most calls a repair work order (``departments`` and ``preview_deadlines`` as the form
  opens, a ``save_draft`` while the description is typed, ``create_work_order``); then
  ``close_call`` with the checklist and ``delete_drafts``.
* **queue** — the work-order queue: a first page (open, overdue, warning or own orders), now
  and then the next page or one order's detail; while the list is on screen it reloads on a
  pushed order change, at most every 3 s (the screen's ``RELOAD_EVERY``).
* **callbacks** — the callback queue (reloaded on pushed callback changes, as above), the
  next callback taken, its phone revealed, the talk, the outcome recorded.
* **idle** — logged in, the push channel open, nothing else.

Each desk watches (``{"watch": […]}`` on its push channel, as ``RemoteDesk.watch``) the
topics of the screen it works on: the queue desks ``order``, the callback desks ``callback``,
the call-taking and idle desks none — an outage reaches every desk anyway.

Every wait is a human's (seconds, scaled by ``pace``). Latencies are measured around each
operation as the desk sees it (request, answer, decoding into the services' dataclasses).
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tests.perf.load_seed import DESK_NUMBER_FIRST, DESK_PIN, Target

#: (role, share of the desks), in the order desks are given them.
ROLES = (("calls", 0.6), ("queue", 0.1), ("callbacks", 0.1), ("idle", 0.2))
#: What each kind of desk's screens react to (their RELOAD_ON): the lists it keeps open.
WATCHES = {"queue": frozenset({"order"}), "callbacks": frozenset({"callback"})}
RELOAD_EVERY = 3.0  # a list on screen reloads at most this often on pushed changes (ui/base.py)
REQUEST_SECONDS = 30.0


def role_of(n: int, desks: int) -> str:
    """Desk ``n``'s role: the shares of :data:`ROLES` spread evenly over the desk numbers."""
    position = (n * 0.6180339887) % 1.0  # low-discrepancy: every slice of desks gets every role
    total = 0.0
    for role, share in ROLES:
        total += share
        if position < total:
            return role
    return ROLES[-1][0]


class OpFailed(Exception):
    pass


class Counted(Exception):
    """An operation failed and its error is already in the results."""


class Stopped(Exception):
    """The measured window is over."""


@dataclass
class Results:
    """What one worker process's desks measured and were acknowledged."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # ms
    errors: list[str] = field(default_factory=list)
    calls_closed: list[int] = field(default_factory=list)
    calls_started: list[int] = field(default_factory=list)
    orders: list[tuple[int, int, str]] = field(default_factory=list)  # (order id, call id, description)
    callbacks_taken: list[int] = field(default_factory=list)
    callbacks_done: list[int] = field(default_factory=list)
    pushes: int = 0
    logins_ms: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    loop_lag_ms: list[float] = field(default_factory=list)  # how late this process's event loop woke


@dataclass
class Clock:
    start: float  # time.time() of the measured window's start
    end: float

    def measuring(self, at: float) -> bool:
        return self.start <= at < self.end


# -- the two ways a desk reaches the services ---------------------------------------------------


class HttpDesk:
    """One desk through ``agentdesk serve``: POST /api/v1/op/<name>, a WebSocket for pushes."""

    def __init__(self, http: Any, base: str, number: str) -> None:
        self.http, self.base, self.number = http, base, number
        self.token = ""
        self.changed: set[str] = set()
        self.pushes = 0
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def login(self) -> None:
        from agentdesk.client import wire

        body = wire.ENCODER.encode(wire.LoginBody(number=self.number, pin=DESK_PIN))
        response = await self.http.post(f"{self.base}{wire.API}/login", content=body,
                                        headers={"content-type": "application/json"})
        if response.status_code != 200:
            raise OpFailed(f"login {self.number}: HTTP {response.status_code} {response.text[:200]}")
        import msgspec

        self.token = msgspec.json.decode(response.content, type=wire.LoggedIn).token

    async def op(self, name: str, **kwargs: Any) -> Any:
        import msgspec

        from agentdesk.client import wire

        operation = wire.OPERATIONS[name]
        response = await self.http.post(
            f"{self.base}{wire.API}/op/{name}", content=wire.ENCODER.encode(operation.body(**kwargs)),
            headers={"authorization": f"Bearer {self.token}", "content-type": "application/json",
                     # as the desk sends every operation that writes
                     **({} if operation.reads else {wire.IDEMPOTENCY_HEADER: uuid.uuid4().hex})})
        if response.status_code != 200:
            raise OpFailed(f"{name}: HTTP {response.status_code} {response.text[:200]}")
        return msgspec.json.decode(response.content, type=operation.result)

    async def open_push(self) -> None:
        from websockets.asyncio.client import connect

        from agentdesk.client import wire

        url = self.base.replace("http", "ws", 1) + f"{wire.API}/push"
        self._socket = await connect(url, additional_headers={"authorization": f"Bearer {self.token}"},
                                     open_timeout=30, close_timeout=2, compression=None)  # as the desk
        await self._socket.recv()  # the hello: connected and authenticated
        self._reader = asyncio.create_task(self._read())
        await self.watch(frozenset())  # logged in, the desk screen: outages only

    async def watch(self, topics: frozenset[str]) -> None:
        """As the desk tells the server the topics of the screens it shows (RemoteDesk.watch)."""
        import json

        await self._socket.send(json.dumps({"watch": sorted(topics)}))

    async def _read(self) -> None:
        import json

        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self._socket:
                for change in json.loads(raw).get("changes", ()):
                    self.changed.add(str(change.get("topic")))
                self.pushes += 1
        except ConnectionClosed:
            pass

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await self._reader
        if self.token:
            from agentdesk.client import wire

            await self.http.post(f"{self.base}{wire.API}/logout", content=b"{}",
                                 headers={"authorization": f"Bearer {self.token}", "content-type": "application/json"})
        await self.http.aclose()


class DirectDesk:
    """One desk on the database itself: ``LocalDesk`` in a thread per operation, its change
    poll (``wait_changes``) on a thread of its own, as the embedded desk runs them."""

    def __init__(self, db: Any, number: str, ops: ThreadPoolExecutor, polls: ThreadPoolExecutor | None) -> None:
        from agentdesk.client.local import LocalDesk

        self.local = LocalDesk(db, policy="generic")
        self.number = number
        self.ops, self.polls = ops, polls
        self.changed: set[str] = set()
        self.pushes = 0
        self._stop = False
        self._poller: asyncio.Future[None] | None = None

    async def login(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self.ops, self.local.login, self.number, DESK_PIN)

    async def op(self, name: str, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(
            self.ops, functools.partial(getattr(self.local, name), **kwargs))

    async def watch(self, topics: frozenset[str]) -> None:
        self.local.watch(topics)

    async def open_push(self) -> None:
        self.local.watch(frozenset())
        if self.polls is not None:  # None: the floor, no change poll at all
            self._poller = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop:
            found = await loop.run_in_executor(self.polls, self.local.wait_changes, 1.0)
            if found:
                self.changed.update(c.topic for c in found)
                self.pushes += 1

    async def close(self) -> None:
        self._stop = True
        if self._poller is not None:
            await self._poller


# -- what the agents do -------------------------------------------------------------------------


class Agent:
    def __init__(self, desk: HttpDesk | DirectDesk, rng: random.Random, clock: Clock, pace: float,
                 targets: list[Target], results: Results) -> None:
        self.desk, self.rng, self.clock, self.pace = desk, rng, clock, pace
        self.targets, self.results = targets, results
        self.calls = 0

    async def think(self, low: float, high: float) -> None:
        """A human's pause; :class:`Stopped` when the clock runs out during it (the step is left
        as it is, as a desk whose agent went home: no request is ever cut off)."""
        wait = self.rng.uniform(low, high) * self.pace
        left = self.clock.end - time.time()
        if wait >= left:
            await asyncio.sleep(max(0.0, left))
            raise Stopped()
        await asyncio.sleep(wait)

    def running(self) -> bool:
        return time.time() < self.clock.end

    async def op(self, name: str, label: str | None = None, also: str | None = None, **kwargs: Any) -> Any:
        """The operation, timed under ``label`` (default its name) and ``also`` when given."""
        started_at = time.time()
        started = time.perf_counter()
        try:
            result = await self.desk.op(name, **kwargs)
        except Exception as exc:  # counted, and the step is abandoned: the report lists them
            self.results.errors.append(f"{self.desk.number} {name}: {type(exc).__name__}: {str(exc)[:300]}")
            raise Counted() from exc
        if self.clock.measuring(started_at):
            ms = (time.perf_counter() - started) * 1000
            self.results.latencies[label or name].append(ms)
            if also:
                self.results.latencies[also].append(ms)
        return result

    async def run(self, role: str) -> None:
        step: Callable[[], Awaitable[None]] = {"calls": self.call, "queue": self.queue,
                                               "callbacks": self.callbacks}.get(role, self.idle)
        try:
            # The screen each works on, watched as the desk does (the call screen: nothing).
            await self.desk.watch(WATCHES.get(role, frozenset()))
            if role != "calls":  # not all in step when the clock starts (calls: see call())
                await self.think(0, 4)
            while self.running():
                try:
                    await step()
                except Counted:  # the next step starts afresh
                    await self.think(1, 2)
                except Stopped:
                    raise
                except Exception as exc:  # this script's own mistake: an error like any other
                    self.results.errors.append(f"{self.desk.number} {role}: {type(exc).__name__}: {exc}")
                    await self.think(1, 2)
        except Stopped:
            return

    async def idle(self) -> None:
        await asyncio.sleep(max(0.0, self.clock.end - time.time()))

    # A call, as the call screen makes it.

    def keystrokes(self, target: Target) -> tuple[str, list[str], float]:
        """(kind, the box's content after each keystroke, seconds between keystrokes)."""
        roll = self.rng.random()
        if roll < 0.45:
            return "phone", [target.phone[:i] for i in range(1, len(target.phone) + 1)], 0.25
        if roll < 0.75:  # an IME commits a Chinese name character by character
            return "name", [target.name[:i] for i in range(1, len(target.name) + 1)], 0.7
        if roll < 0.85:
            tail = target.phone[-4:]
            return "phone tail", [tail[:i] for i in range(1, 5)], 0.25
        if roll < 0.95:
            return "initials", [target.initials[:i] for i in range(1, len(target.initials) + 1)], 0.25
        return "user code", [target.user_code[:i] for i in range(1, len(target.user_code) + 1)], 0.2

    async def call(self) -> None:
        # Wrap-up of the last call, waiting for the next; the first call comes anywhere in a
        # whole cycle (about 30 s): the desks are not in step when the clock starts.
        await self.think(8, 25) if self.calls else await self.think(0, 30)
        self.calls += 1
        target = self.targets[self.rng.randrange(len(self.targets))]
        call = await self.op("start_call")
        self.results.calls_started.append(call.id)
        kind, typed, gap = self.keystrokes(target)
        for count, query in enumerate(typed, 1):
            await self.think(gap * 0.6, gap * 1.4)
            hits = await self.op("search_customers", also=f"  search: {kind}", query=query)
            if count >= 3 and any(h.id == target.id for h in hits):
                break
        await self.think(0.5, 1.5)  # confirming the caller
        await self.op("identify", call_id=call.id, customer_id=target.id)
        with_order = self.rng.random() < 0.7
        if with_order:
            departments = await self.op("departments")
            net = next(d.id for d in departments if d.code == "NET")
            await self.op("preview_deadlines", call_id=call.id, kind="repair", severity="general")
            await self.think(2, 5)  # typing the description
            description = f"负载测试 {self.desk.number}-{call.id} 机顶盒无信号"
            await self.op("save_draft", form="call", key=str(call.id), values={"description": description})
            await self.think(0.5, 1.5)
            order = await self.op("create_work_order", "save: create_work_order", call_id=call.id, kind="repair",
                                  severity="general", description=description, department_id=net)
            self.results.orders.append((order.id, call.id, description))
        await self.think(1, 3)  # the summary
        checklist = {item: True for item in ("reason", "department", "order", "callback")} if with_order else None
        await self.op("close_call", "save: close_call", call_id=call.id, summary="已派单" if with_order else "已解答",
                      checklist=checklist)
        self.results.calls_closed.append(call.id)
        await self.op("delete_drafts", key=str(call.id), forms=None)

    # The work-order queue.

    async def on_screen(self, seconds: float, topic: str, reload: Callable[[], Awaitable[Any]]) -> None:
        """A list on screen for ``seconds``: reloaded when a change of ``topic`` is pushed,
        at most every RELOAD_EVERY seconds."""
        until = min(time.time() + seconds * self.pace, self.clock.end)
        last = time.time()
        self.desk.changed.discard(topic)
        while time.time() < until:
            await asyncio.sleep(0.25)
            if not self.running():
                raise Stopped()
            if topic in self.desk.changed and time.time() - last >= RELOAD_EVERY:
                self.desk.changed.discard(topic)
                last = time.time()
                await reload()

    async def queue(self) -> None:
        from agentdesk.client.desk import OrderFilters

        filters = self.rng.choice((OrderFilters(), OrderFilters(overdue=True), OrderFilters(warning=True),
                                   OrderFilters(mine=True)))
        page = await self.op("list_orders", filters=filters, page_size=50, cursor=None)
        await self.on_screen(self.rng.uniform(3, 10), "order",
                             lambda: self.op("list_orders", "list_orders (pushed reload)", filters=filters,
                                             page_size=50, cursor=None))
        roll = self.rng.random()
        if roll < 0.4 and page.next_cursor is not None:
            await self.op("list_orders", "list_orders (next page)", filters=filters, page_size=50,
                          cursor=page.next_cursor)
            await self.think(2, 5)
        elif roll < 0.8 and page.rows:
            await self.op("get_order", order_id=self.rng.choice(page.rows).id)
            await self.think(3, 8)

    # Callbacks.

    async def callbacks(self) -> None:
        await self.op("callback_queue", status="pending", page_size=50, cursor=None)
        await self.on_screen(self.rng.uniform(3, 8), "callback",
                             lambda: self.op("callback_queue", "callback_queue (pushed reload)", status="pending",
                                             page_size=50, cursor=None))
        row = await self.op("take_next_callback")
        if row is None:
            return
        self.results.callbacks_taken.append(row.id)
        await self.op("reveal_callback_phone", callback_id=row.id)
        await self.think(3, 8)  # the conversation
        await self.op("record_callback_outcome", "save: record_callback_outcome", callback_id=row.id,
                      outcome="satisfied", satisfaction=5, note="负载测试回访")
        self.results.callbacks_done.append(row.id)


# -- one worker process ---------------------------------------------------------------------------


async def _loop_lag(clock: Clock, found: list[float]) -> None:
    """Every 100 ms, how late the event loop woke: time the desks' own process added to every
    latency it measured (a real desk is a process of its own, on a machine of its own)."""
    while time.time() < clock.end:
        started = time.perf_counter()
        await asyncio.sleep(0.1)
        found.append((time.perf_counter() - started - 0.1) * 1000)


class Control:
    """The handshake between the parent and a worker process (multiprocessing primitives)."""

    def __init__(self, ctx: Any) -> None:
        self.messages = ctx.Queue()
        self.go = ctx.Event()
        self.stop = ctx.Event()
        self.window = ctx.Array("d", 2)

    def ready(self) -> None:
        self.messages.put(("ready", None))

    def wait_go(self) -> tuple[float, float]:
        self.go.wait()
        return self.window[0], self.window[1]

    def mix_done(self, results: Results) -> None:
        self.messages.put(("done", results))

    def failed(self, message: str) -> None:
        self.messages.put(("failed", message))

    def wait_stop(self) -> None:
        self.stop.wait()


def worker(mode: str, conf: dict[str, Any], numbers: list[int], control: Any) -> None:
    """Run desks ``numbers`` (indexes from 0) in this process; ``control`` carries the
    handshake with the parent: ready → go (with the window) → mix done → stop."""
    asyncio.run(_worker(mode, conf, numbers, control))


async def _worker(mode: str, conf: dict[str, Any], numbers: list[int], control: Any) -> None:
    import httpx

    results = Results()
    loop = asyncio.get_running_loop()
    db = None
    pools: list[ThreadPoolExecutor] = []
    desks: list[HttpDesk | DirectDesk] = []
    try:
        if mode == "server":
            import ssl

            # Each desk its own client and connection, as a real desk has: one pool shared by a
            # process's 250 desks spent most of that process's time in httpcore walking its
            # connections for every request (a profile of the load generator, not of the server).
            context = ssl.create_default_context()  # made once: every client would make its own
            servers = conf["servers"]
            desks = [HttpDesk(httpx.AsyncClient(timeout=REQUEST_SECONDS, verify=context,
                                                headers={"user-agent": "agentdesk-loadtest"},
                                                limits=httpx.Limits(keepalive_expiry=conf["keepalive"])),
                              servers[n % len(servers)], str(DESK_NUMBER_FIRST + n)) for n in numbers]
        else:
            from agentdesk.db import open_database

            db = open_database(conf["db_url"], migrate=False, check=False)
            ops = ThreadPoolExecutor(len(numbers) + 4)
            polls = ThreadPoolExecutor(len(numbers) + 4) if mode == "direct" else None
            pools = [ops, *([polls] if polls else [])]
            desks = [DirectDesk(db, str(DESK_NUMBER_FIRST + n), ops, polls) for n in numbers]
        gate = asyncio.Semaphore(16)  # logins: 50 ms of scrypt each, not all at once

        async def log_in(desk: HttpDesk | DirectDesk) -> None:
            async with gate:
                started = time.perf_counter()
                await desk.login()
                results.logins_ms.append((time.perf_counter() - started) * 1000)
                await desk.open_push()

        await asyncio.gather(*(log_in(d) for d in desks))
        control.ready()
        start, end = await loop.run_in_executor(None, control.wait_go)
        clock = Clock(start, end)
        await asyncio.sleep(max(0.0, start - time.time()))
        cpu = os.times()
        agents = [Agent(desk, random.Random(conf["seed"] * 100_003 + n), clock, conf["pace"], conf["targets"], results)
                  for desk, n in zip(desks, numbers, strict=True)]
        lag = asyncio.create_task(_loop_lag(clock, results.loop_lag_ms))
        await asyncio.gather(*(a.run(role_of(n, conf["desks"])) for a, n in zip(agents, numbers, strict=True)))
        await lag
        after = os.times()
        results.cpu_seconds = (after.user - cpu.user) + (after.system - cpu.system)
        results.pushes = sum(d.pushes for d in desks)
        results.latencies = dict(results.latencies)  # a plain dict across the process boundary
        control.mix_done(results)
        # The idle check: every desk still logged in, its push channel open, doing nothing.
        await loop.run_in_executor(None, control.wait_stop)
    except Exception as exc:  # the parent reports it; nothing measured here is trusted then
        import traceback

        control.failed(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-2000:]}")
    finally:
        for desk in desks:
            try:
                await desk.close()
            except Exception:
                pass
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        if db is not None:
            db.dispose()
