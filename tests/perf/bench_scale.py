"""Benchmark: agentdesk at call-center scale — every target of issue 9 beside its floor.

    python tests/perf/bench_scale.py                          # 20,000 customers, 20,000 work orders
    python tests/perf/bench_scale.py --customers 1000000 --workorders 1000000 --db /tmp/scale.sqlite3

``--db`` keeps the database (built by ``agentdesk demo`` when the file does not exist yet,
reused as it is when it does); without it one is built in a temporary directory and
deleted at the end. ``--skip paint,memory,…`` leaves sections out. docs/performance.md
has the figures of a full run and how to read them.

Every figure is printed with its floor — the same work done by the simplest thing that
could do it, measured in the same run on the same machine — and the ratio between them:

* **build** — ``agentdesk demo --customers N --workorders M`` as a subprocess, wall time.
  Floor: copying the finished file with SQLite's backup API (writing that many bytes).
* **first paint** — a fresh ``python -m agentdesk --db …`` on a pseudo-terminal (120×36)
  (the plain desk start: ``agentdesk.cli.main`` opens the desk without Typer),
  from spawning the process to the login screen's text arriving on the terminal. Floor:
  a bare Textual app with one Label (the same text) started the same way. Runs
  interleaved, median of ``--repeat``.
* **caller search, service** — ``services.customers.search_customers`` in a fresh read
  session, over random real customers (seeded): first seven digits of a phone, six from
  inside it, its last four, the user code, the name, the given name alone, the pinyin
  initials. p95 (and p50) per kind and overall. Floor: raw ``sqlite3`` running exactly the
  statements the call sent (captured), same parameters.
* **caller search, on screen** — the real app in ``App.run_test``: log in, F2, the query
  but its last character typed, the results table emptied; then the last key is sent
  through the driver as a terminal would and the clock stops when the DataTable holds
  the hits (``search_customers`` of the whole query, in order). Floor: a bare Textual app
  with the same Input → thread worker → DataTable path and the hits canned (no database).
  The app opens its database without the start-up integrity check here: on a large file
  its whole ``PRAGMA quick_check`` runs in the background once a day (docs/performance.md)
  and would share the CPU with the keystrokes measured.
* **queues** — ``workorders.list_orders`` (open, overdue, warning, the next page, closed)
  and ``callbacks.queue`` (due now, all pending), first page of 50 as the screens ask,
  each statement checked with ``EXPLAIN QUERY PLAN`` (no full scan). Floor: raw
  ``sqlite3`` running the captured statements.
* **memory** — a subprocess runs the real app headless through the same screens (log in,
  F4 orders, F5 callbacks, F2 and five searches) and reports its resident size (VmRSS,
  and the peak VmHWM); once on the large database, once on an empty one (the demo's
  staff, 10 customers, no work orders) — the floor. Here too without the start-up
  integrity check (it runs on the large file only, in the background).
* **handover export** — ``bench_handover_export.run(10000)``: each format. Floor: the
  same rows written by ``csv.writer``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import importlib.util
import io
import json
import math
import os
import random
import re
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTIONS = ("build", "paint", "search", "screen", "queues", "memory", "export")
LOGIN = "2048"  # a demo agent with no handover note waiting at login
MARKER = "Enter your agent number and PIN"  # on the login screen (English)
FLOOR_APP = f"""
from textual.app import App
from textual.widgets import Label

class Floor(App):
    def compose(self):
        yield Label({MARKER!r})

Floor().run()
"""
MEMORY_CHILD = r"""
import asyncio, json, sys
from agentdesk.app import make_app
from agentdesk.config import Settings
from agentdesk.db import Database

sys.path.insert(0, sys.argv[4])
from bench_scale import settle

Database.quick_check = lambda self: None  # no background integrity check on one side only (see the docstring)

async def main():
    url, queries = sys.argv[1], json.loads(sys.argv[2])
    app = make_app(Settings(db_url=url, lang="zh_CN", policy="generic"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press(*sys.argv[3], "enter", *sys.argv[3], "enter")
        await settle(pilot)
        for key in ("f4", "escape", "f5", "escape", "f2"):
            await pilot.press(key)
            await settle(pilot)
        box = app.screen.query_one("#caller-search")
        for query in queries:
            box.value = query
            await settle(pilot)
        with open("/proc/self/status") as fh:
            status = dict(line.split(":", 1) for line in fh.read().splitlines() if ":" in line)
    print(json.dumps({k: int(status[k].split()[0]) for k in ("VmRSS", "VmHWM")}))

asyncio.run(main())
"""


# -- figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str  # "s", "ms", "MiB"
    floor: float | None = None
    floor_label: str = ""
    target: str = ""
    ok: bool | None = None
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:,.0f} {unit}"


def print_report(report: Report, out=None) -> None:  # type: ignore[no-untyped-def]
    out = out or sys.stdout
    rows = [("figure", "measured", "floor", "ratio", "target", "", "")]
    for f in report.figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        mark = "" if f.ok is None else ("ok" if f.ok else "MISSED")
        rows.append((f.name, _fmt(f.value, f.unit), _fmt(f.floor, f.unit), ratio, f.target, mark, f.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        cells = enumerate(zip(row, widths, strict=True))
        print("  ".join(c.ljust(w) if j in (0, 4, 5, 6) else c.rjust(w) for j, (c, w) in cells).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)
    floors = sorted({f.floor_label for f in report.figures if f.floor_label})
    if floors:
        print("\nfloors:", file=out)
        for label in floors:
            print(f"  {label}", file=out)
    for note in report.notes:
        print(note, file=out)
    missed = [f.name for f in report.figures if f.ok is False]
    print(f"\ntargets: {'all met' if not missed else 'missed: ' + ', '.join(missed)}", file=out)
    for error in report.errors:
        print(f"ERROR {error}", file=out)


# -- the database ------------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTDESK_")}
    env.setdefault("XDG_DATA_HOME", tempfile.gettempdir())
    env.update(extra)
    return env


def build_database(path: Path, customers: int, workorders: int) -> float:
    """``agentdesk demo`` into ``path`` as a subprocess; seconds."""
    command = [sys.executable, "-m", "agentdesk", "demo", "--customers", str(customers),
               "--workorders", str(workorders), "--no-open", "--db", f"sqlite:///{path}"]
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(AGENTDESK_LANG="en"), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def backup_seconds(path: Path) -> float:
    """The floor of a build: SQLite copying the finished file page by page."""
    target = path.with_name(path.name + ".floor-copy")
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    try:
        started = time.perf_counter()
        source.backup(dest)
        return time.perf_counter() - started
    finally:
        dest.close()
        source.close()
        target.unlink(missing_ok=True)


def open_db(path: Path):  # type: ignore[no-untyped-def]
    from agentdesk.db import open_database

    return open_database(f"sqlite:///{path}", check=False)


@contextmanager
def captured(db) -> Iterator[list[tuple[str, object]]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def raw_seconds(raw: sqlite3.Connection, statements: list[tuple[str, object]]) -> float:
    started = time.perf_counter()
    for sql, params in statements:
        raw.execute(sql, params).fetchall()  # type: ignore[arg-type]
    return time.perf_counter() - started


def timed_call(db, raw: sqlite3.Connection, call: Callable) -> tuple[float, float, list[tuple[str, object]]]:  # type: ignore[no-untyped-def, type-arg]
    """(service seconds, raw seconds of the same statements, the statements)."""
    with db.read() as session:
        started = time.perf_counter()
        call(session)
        service = time.perf_counter() - started
    with captured(db) as statements, db.read() as session:
        call(session)
    return service, raw_seconds(raw, statements), statements


# -- caller search ----------------------------------------------------------------------------------


SEARCH_KINDS = ("phone, first 7 digits", "phone, 6 digits inside", "phone, last 4 digits", "user code", "name",
                "given name alone", "pinyin initials")


def sample_queries(path: Path, per_kind: int, seed: int = 20261124) -> dict[str, list[str]]:
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    try:
        top = conn.execute("SELECT max(id) FROM customers").fetchone()[0]
        out: dict[str, list[str]] = {k: [] for k in SEARCH_KINDS}
        while len(out["name"]) < per_kind:
            row = conn.execute(
                "SELECT c.user_code, c.name, c.name_initials, (SELECT phone FROM customer_phones p "
                "WHERE p.customer_id = c.id ORDER BY p.id LIMIT 1) FROM customers c WHERE c.id = ?",
                (rng.randrange(1, top + 1),)).fetchone()
            if row is None or not row[3] or not row[2] or len(row[1]) < 2:
                continue
            code, name, initials, phone = row
            phone = phone.split("#")[0]
            queries = (phone[:7], phone[3:9], phone[-4:], code, name, name[1:], initials)
            for kind, query in zip(SEARCH_KINDS, queries, strict=True):
                out[kind].append(query)
        return out
    finally:
        conn.close()


def measure_search(report: Report, path: Path, queries: dict[str, list[str]]) -> None:
    from agentdesk.services.customers import search_customers

    db = open_db(path)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        for query in ("zs", "13800138000", "张三", "8886666"):  # warm the statement caches
            with db.read() as s:
                search_customers(s, query)
        service_all: list[float] = []
        raw_all: list[float] = []
        per_kind = []
        for kind, items in queries.items():
            service, floor = [], []
            for query in items:
                s_time, r_time, _ = timed_call(db, raw, lambda s, q=query: search_customers(s, q))
                service.append(s_time * 1000)
                floor.append(r_time * 1000)
            service_all += service
            raw_all += floor
            per_kind.append((kind, service, floor))
        label = "raw sqlite3 running the statements the call sent"
        report.add(Figure("caller search, service p95", p95(service_all), "ms", p95(raw_all), label, "≤ 5 ms",
                          p95(service_all) <= 5, f"p50 {statistics.median(service_all):.2f} ms, "
                          f"{len(service_all)} searches"))
        for kind, service, floor in per_kind:
            report.add(Figure(f"  {kind}", p95(service), "ms", p95(floor), label, "≤ 5 ms", p95(service) <= 5,
                              f"p50 {statistics.median(service):.2f} ms"))
    finally:
        raw.close()
        db.dispose()


# -- caller search on screen ------------------------------------------------------------------------------


def _floor_app(canned: dict[str, list[tuple[str, tuple[str, ...]]]]):  # type: ignore[no-untyped-def]
    """Input → thread worker → DataTable, the hits canned: the Textual part of the path."""
    from textual import on, work
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input
    from textual.worker import WorkerState

    class FloorSearch(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="caller-search")
            yield DataTable(id="caller-results", cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            for key, width in (("name", 16), ("code", 14), ("phone", 14), ("area", 32), ("tier", 12)):
                table.add_column(key, key=key, width=width)
            self.query_one(Input).focus()

        @on(Input.Changed)
        def _changed(self, event: Input.Changed) -> None:
            self.search(event.value)

        @work(thread=True, exclusive=True, group="search", exit_on_error=False)
        def search(self, query: str) -> tuple[str, list]:
            return query, canned.get(query, [])

        def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
            if event.state != WorkerState.SUCCESS or event.worker.group != "search":
                return
            query, rows = event.worker.result
            if query != self.query_one(Input).value:
                return
            table = self.query_one(DataTable)
            table.clear()
            for key, cells in rows:
                table.add_row(*cells, key=key)

    return FloorSearch()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the desk's workers finish; a replaced exclusive worker counts as finished."""
    from textual.worker import WorkerCancelled

    await pilot.pause()
    for worker in list(pilot.app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass
    await pilot.pause()


async def _key_to_table(app, cases: list[tuple[str, list[str]]], log_in: bool) -> list[float]:  # type: ignore[no-untyped-def]
    from textual import events
    from textual.widgets import DataTable, Input

    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        if log_in:
            await pilot.press(*LOGIN, "enter", *LOGIN, "enter")
            await settle(pilot)
            await pilot.press("f2")
            await settle(pilot)
        box = app.screen.query_one("#caller-search", Input)
        table = app.screen.query_one("#caller-results", DataTable)
        for query, expected in cases:
            box.value = query[:-1]
            box.cursor_position = len(box.value)
            await settle(pilot)
            table.clear()
            await pilot.pause()
            last = query[-1]
            started = time.perf_counter()
            app._driver.send_message(events.Key(last, last))
            while [row.value for row in table.rows] != expected:
                if time.perf_counter() - started > 10:
                    raise TimeoutError(f"no results on screen for {query!r}")
                await asyncio.sleep(0.0002)
            times.append(time.perf_counter() - started)
    return times


def measure_screen(report: Report, path: Path, queries: dict[str, list[str]]) -> None:
    from agentdesk.app import make_app
    from agentdesk.config import Settings
    from agentdesk.db import Database
    from agentdesk.i18n import t
    from agentdesk.services.customers import search_customers

    db = open_db(path)
    cases: list[tuple[str, list[str]]] = []
    canned: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    try:
        with db.read() as s:
            for kind in ("phone, 6 digits inside", "user code", "name", "pinyin initials"):
                for query in queries[kind]:
                    hits = search_customers(s, query)
                    if hits and query not in canned:
                        cases.append((query, [str(h.id) for h in hits]))
                        canned[query] = [(str(h.id), (h.name, h.user_code, h.phone_masked, h.area_name,
                                                      t("tier." + h.tier))) for h in hits]
    finally:
        db.dispose()
    quick_check = Database.quick_check
    Database.quick_check = lambda self: None  # type: ignore[method-assign]
    try:
        app_times = asyncio.run(_key_to_table(
            make_app(Settings(db_url=f"sqlite:///{path}", lang="zh_CN", policy="generic")), cases, True))
    finally:
        Database.quick_check = quick_check  # type: ignore[method-assign]
    floor_times = asyncio.run(_key_to_table(_floor_app(canned), cases, False))
    value, floor = p95(app_times) * 1000, p95(floor_times) * 1000
    report.add(Figure("caller search, key to table p95", value, "ms", floor,
                      "bare Textual Input → thread worker → DataTable, hits canned", "≤ 50 ms", value <= 50,
                      f"p50 {statistics.median(app_times) * 1000:.1f} ms, {len(app_times)} searches"))


# -- queues -------------------------------------------------------------------------------------------------


def measure_queues(report: Report, path: Path, repeat: int) -> None:
    from agentdesk import clock
    from agentdesk.services import callbacks
    from agentdesk.services import workorders as wo

    db = open_db(path)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        with db.read() as s:
            first = wo.list_orders(s, page_size=50)
        now = clock.now()
        calls: list[tuple[str, Callable]] = [  # type: ignore[type-arg]
            ("orders: open, first page", lambda s: wo.list_orders(s, page_size=50)),
            ("orders: overdue", lambda s: wo.list_orders(s, overdue=True, page_size=50)),
            ("orders: warning", lambda s: wo.list_orders(s, warning=True, page_size=50)),
            ("orders: open, next page", lambda s: wo.list_orders(s, page_size=50, cursor=first.next_cursor)),
            ("orders: closed, first page", lambda s: wo.list_orders(s, status="closed", page_size=50)),
            ("callbacks due now", lambda s: callbacks.queue(s, due_before=now, page_size=50)),
            ("callbacks: pending", lambda s: callbacks.queue(s, page_size=50)),
        ]
        for name, call in calls:
            service, floor = [], []
            statements: list[tuple[str, object]] = []
            rows = 0
            for _ in range(repeat):
                s_time, r_time, statements = timed_call(db, raw, call)
                service.append(s_time * 1000)
                floor.append(r_time * 1000)
            with db.read() as s:
                rows = len(call(s).rows)
            scans = _full_scans(raw, statements)
            value = p95(service)
            report.add(Figure(name, value, "ms", p95(floor), "raw sqlite3 running the statements the call sent",
                              "≤ 20 ms, no full scan", value <= 20 and not scans,
                              f"p50 {statistics.median(service):.2f} ms, {rows} rows, "
                              + ("FULL SCAN: " + "; ".join(scans) if scans else "indexed")))
    finally:
        raw.close()
        db.dispose()


def _full_scans(raw: sqlite3.Connection, statements: list[tuple[str, object]]) -> list[str]:
    scan = re.compile(r"\bSCAN (work_orders|callbacks|customers|customer_phones|calls)\b(?! USING (COVERING )?INDEX)")
    found = []
    for sql, params in statements:
        for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params):  # type: ignore[arg-type]
            if scan.search(row[-1]):
                found.append(row[-1])
    return found


# -- first paint ----------------------------------------------------------------------------------------------


def first_paint(argv: list[str], env: dict[str, str], timeout: float = 60) -> float:
    """Seconds from spawning ``argv`` on a 120×36 pseudo-terminal to MARKER on it."""
    import fcntl
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    marker = MARKER.encode()
    try:
        while marker not in seen:
            ready, _, _ = select.select([master], [], [], max(0.0, timeout - (time.perf_counter() - started)))
            if not ready:
                raise TimeoutError(f"nothing painted in {timeout} s: {seen[-300:]!r}")
            try:
                chunk = os.read(master, 1 << 16)
            except OSError as exc:  # the child went away
                raise RuntimeError(f"{argv[:3]} exited before painting: {seen[-600:]!r}") from exc
            seen = seen[-len(marker):] + chunk if len(seen) > 1 << 20 else seen + chunk
        return time.perf_counter() - started
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def measure_paint(report: Report, path: Path, repeat: int) -> None:
    env = _env(TERM="xterm-256color", AGENTDESK_LANG="en", COLORTERM="truecolor")
    app_argv = [sys.executable, "-m", "agentdesk", "--db", f"sqlite:///{path}"]
    floor_argv = [sys.executable, "-c", FLOOR_APP]
    first_paint(floor_argv, env)  # the first start of a Python reads every file from disk
    first_paint(app_argv, env)
    app, floor = [], []
    for _ in range(repeat):
        floor.append(first_paint(floor_argv, env))
        app.append(first_paint(app_argv, env))
    value, base = statistics.median(app), statistics.median(floor)
    report.add(Figure("first screen painted", value, "s", base,
                      "bare Textual app with one Label, same terminal, same measurement", "≤ 1.5 × floor",
                      value <= 1.5 * base, f"median of {repeat}; best {min(app):.3f} s vs {min(floor):.3f} s"))


# -- memory -------------------------------------------------------------------------------------------------------


def resident(path: Path, queries: list[str]) -> dict[str, int]:
    child = [sys.executable, "-c", MEMORY_CHILD, f"sqlite:///{path}", json.dumps(queries), LOGIN, str(HERE)]
    done = subprocess.run(child, env=_env(), capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"the memory run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_memory(report: Report, path: Path, empty: Path, queries: list[str]) -> None:
    big, small = resident(path, queries), resident(empty, queries)
    value, base = big["VmRSS"] / 1024, small["VmRSS"] / 1024
    report.add(Figure("resident size, same screens (VmRSS)", value, "MiB", base,
                      "the same screens on an empty database (staff, 10 customers, no orders)",
                      "≤ 1.2 × floor", value <= 1.2 * base))
    peak, peak_base = big["VmHWM"] / 1024, small["VmHWM"] / 1024
    report.add(Figure("  peak resident size (VmHWM)", peak, "MiB", peak_base,
                      "the same screens on an empty database (staff, 10 customers, no orders)",
                      "≤ 1.2 × floor", peak <= 1.2 * peak_base))


# -- handover export -----------------------------------------------------------------------------------------------


def measure_export(report: Report, items: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_handover_export", HERE / "bench_handover_export.py")
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(bench)
    figures = bench.run(items)
    notes = bench.build_notes(items)
    started = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out)
    for note in notes:
        for item in note.items:
            writer.writerow((item.kind, item.ref, item.title, item.due_at.isoformat(), item.status,
                             item.customer_name, item.phone_masked, item.detail))
    floor = time.perf_counter() - started
    for fmt in bench.FORMATS:
        value = figures[f"{fmt}_seconds"]
        report.add(Figure(f"handover export, {fmt}", value, "s", floor, "csv.writer writing the same rows",
                          "≤ 1 s", value <= 1, f"{items:,} items, {figures[f'{fmt}_bytes'] / 1024:,.0f} KiB"))


# -- main ---------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, report: Report) -> None:
    skip = set(filter(None, args.skip.split(",")))
    unknown = skip - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) to skip: {', '.join(sorted(unknown))}")
    workdir = Path(tempfile.mkdtemp(prefix="agentdesk-bench-"))
    try:
        path = Path(args.db) if args.db else workdir / "scale.sqlite3"
        built = None
        if not path.exists() or path.stat().st_size == 0:
            built = build_database(path, args.customers, args.workorders)
        conn = sqlite3.connect(path)
        customers, orders = (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                             for t in ("customers", "work_orders"))
        conn.close()
        size = path.stat().st_size / 2**20
        report.notes.insert(0, f"\n{customers:,} customers, {orders:,} work orders: {path} ({size:,.0f} MiB); "
                               f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, "
                               f"{os.cpu_count()} CPUs")
        if built is not None and "build" not in skip:
            report.add(Figure("demo build", built, "s", backup_seconds(path),
                              "SQLite's backup API copying the finished file", "about a minute", built <= 90,
                              f"agentdesk demo --customers {args.customers} --workorders {args.workorders}"))
        sections: list[tuple[str, Callable[[], None]]] = []
        queries = sample_queries(path, args.queries)
        sections.append(("paint", lambda: measure_paint(report, path, args.repeat)))
        sections.append(("search", lambda: measure_search(report, path, queries)))
        sections.append(("screen", lambda: measure_screen(report, path, queries)))
        sections.append(("queues", lambda: measure_queues(report, path, args.repeat_queues)))

        def memory() -> None:
            empty = workdir / "empty.sqlite3"
            build_database(empty, 10, 0)
            measure_memory(report, path, empty, queries["name"][:5])

        sections.append(("memory", memory))
        sections.append(("export", lambda: measure_export(report, args.export_items)))
        for name, section in sections:
            if name in skip:
                continue
            try:
                section()
            except Exception as exc:  # keep going: every other figure is still worth printing
                report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            if args.progress:
                print(f"[{name} done]", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--customers", type=lambda s: int(s.replace("_", "")), default=20_000)
    parser.add_argument("--workorders", type=lambda s: int(s.replace("_", "")), default=20_000)
    parser.add_argument("--db", help="SQLite file: built by `agentdesk demo` if missing, else reused, and kept")
    parser.add_argument("--queries", type=int, default=40, help="random customers per kind of search")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the first-paint measurement")
    parser.add_argument("--repeat-queues", type=int, default=20, help="calls per queue")
    parser.add_argument("--export-items", type=int, default=10_000)
    parser.add_argument("--skip", default="", help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--progress", action="store_true", help="say on stderr when each section is done")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    report = Report()
    run(args, report)
    print_report(report)
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
