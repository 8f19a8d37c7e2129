"""Load test: a call center of 500 desks on two ``agentdesk serve`` instances and one PostgreSQL,
beside the same desks on the database directly (issue 14).

    python -m tests.perf.load_center                       # 1,000,000 customers and work orders, 500 desks, 60 s
    python -m tests.perf.load_center --customers 2000 --workorders 2000 --desks 20 --duration 5 --no-cache

PostgreSQL: ``--pg`` (default ``$AGENTDESK_TEST_PG_URL``), a server URL without a database
name; the test creates its own databases there, named with ``--prefix`` (``loadtest``). The
seeded data is kept as a template database between runs (``<prefix>_tpl_…``, named after the
schema revision and the scale; ``--no-cache`` builds a throwaway one and drops it); each mode
runs on a fresh copy of it (``<prefix>_run_<mode>``), dropped at the end (``--keep`` keeps them).

Three modes, the same desks and mix (tests/perf/load_mix.py), each on its own copy
(``--modes``, default all three, in this order):

* **server** — ``--servers`` (2) ``agentdesk serve`` processes on loopback ports, the desks
  (asyncio + httpx, WebSockets for the push channel) spread over them;
* **direct** — every desk a ``LocalDesk`` on the database, its operations on threads, its
  change poll running as the embedded desk's does (the pre-server way of sharing a center);
* **floor** — the same without the change poll: what the services cost with no HTTP and
  no polling (the simplest thing that could run this mix).

In each, the desks run in ``--processes`` (2) worker processes. Printed: p50/p95/p99 per
operation, the modes side by side, with the targets (search p95 ≤ 50 ms, save p95 ≤ 150 ms,
judged on the run through the servers); the database's statements per second when the
cluster preloads ``pg_stat_statements`` (``calls`` of the run's database, BEGIN and COMMIT
included; the extension is created in the run's copy), its transactions per second
(``pg_stat_database``: xact_commit + xact_rollback of the run's database, read before and
after) and table scans per second (``pg_stat_user_tables``); where the CPU went (the
servers', the PostgreSQL cluster's, the desks' processes, the whole machine's), the
servers' own time per request (their ``/metrics``) and how late the desks' own event loops
ran. Then the checks: no errors; every acknowledged save stored
once and nothing stored that was not acknowledged (work orders, closed calls, callback
outcomes; no callback handed to two desks); and the idle check: the mix stopped, every desk
still logged in with its push channel open, the counters read over ``--idle-seconds`` after
``--settle`` seconds (PostgreSQL flushes a backend's counters within ten seconds): through
the servers no desk may cause a single read, while each instance's change feed reads the
change events every 2 s (reported apart).

Exit status 1 when a check fails or a run could not finish; a missed latency target is
printed as MISSED, not an exit status (the machine is shared: see docs/performance.md).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from agentdesk.server.feed import FALLBACK_SECONDS as FEED_SECONDS
from tests.perf import load_mix, load_seed
from tests.perf.load_measure import (
    Counters,
    Probe,
    count_statements,
    machine_busy,
    postgres_cpu,
    proc_cpu,
    sample,
    server_seconds,
    start_servers,
    stop_servers,
)
from tests.perf.load_seed import libpq

TARGETS = {"search_customers": 50.0, "save: create_work_order": 150.0, "save: close_call": 150.0,
           "save: record_callback_outcome": 150.0}
MODES = {"server": ("servers", "through the servers (HTTP + WebSocket push)"),
         "direct": ("direct", "LocalDesk on the database, with the embedded desk's change poll (the old way)"),
         "floor": ("floor", "LocalDesk on the database, no change poll: the services' own cost, no HTTP")}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# -- one mode ----------------------------------------------------------------------------------------------


@dataclass
class ModeRun:
    mode: str
    latencies: dict[str, list[float]] = field(default_factory=dict)
    logins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # failed checks
    facts: list[str] = field(default_factory=list)  # lines for the report
    tps: float = 0.0
    scans: float = 0.0
    sps: float | None = None  # statements per second (pg_stat_statements), when counted


def run_mode(mode: str, args: argparse.Namespace, server_pg: str, template: str) -> ModeRun:
    run = ModeRun(mode)
    name = f"{args.prefix}_run_{mode}"
    copied = load_seed.copy_of(server_pg, template, name)
    url = f"{server_pg}/{name}"
    run.facts.append(f"database {name}: copied from the template in {copied:.1f} s")
    marks = load_seed.high_water(url)
    targets = load_seed.sample_targets(url, args.targets, args.seed)
    logs = Path(tempfile.mkdtemp(prefix=f"agentdesk-load-{mode}-"))
    servers: list[tuple[subprocess.Popen, str]] = []
    procs: list[Any] = []
    try:
        if mode == "server":
            servers = start_servers(url, args.servers, logs)
        conf = {"servers": [u for _, u in servers], "db_url": url, "targets": targets, "pace": args.pace,
                "seed": args.seed, "desks": args.desks, "keepalive": args.keepalive}
        ctx = mp.get_context("spawn")
        chunks = [list(range(i, args.desks, args.processes)) for i in range(args.processes)]
        chunks = [c for c in chunks if c]
        controls = [load_mix.Control(ctx) for _ in chunks]
        procs = [ctx.Process(target=load_mix.worker, args=(mode, conf, chunk, control), daemon=True)
                 for chunk, control in zip(chunks, controls, strict=True)]
        for proc in procs:
            proc.start()
        if not _await(controls, "ready", 600, run):
            return run
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            statements = count_statements(conn)
            start = time.time() + 1.0
            end = start + args.duration
            for control in controls:
                control.window[0], control.window[1] = start, end
                control.go.set()
            time.sleep(max(0.0, start - time.time()))
            before = sample(conn, statements)
            pg0 = postgres_cpu()
            cpu0 = {proc.pid: proc_cpu(proc.pid) for proc, _ in servers}
            inside0 = server_seconds([u for _, u in servers])
            probe = Probe([u for _, u in servers])
            busy0 = machine_busy()
            results = _await(controls, "done", args.duration + 300, run)
            after = sample(conn, statements)
            busy1 = machine_busy()
            cpu1 = {proc.pid: proc_cpu(proc.pid) for proc, _ in servers}
            probed = probe.stop()
            inside1 = server_seconds([u for _, u in servers])
            pg_cpu = postgres_cpu() - pg0
            if not results:
                return run
            window = after.at - before.at
            run.tps = (after.transactions - before.transactions - 1) / window
            if after.statements is not None and before.statements is not None:
                run.sps = (after.statements - before.statements - 2) / window  # less our own two
            run.scans = (after.scans_other + after.scans_changes - before.scans_other - before.scans_changes) / window
            for result in results:
                for op, values in result.latencies.items():
                    run.latencies.setdefault(op, []).extend(values)
                run.logins += result.logins_ms
                run.errors += result.errors
            ops = sum(len(v) for k, v in run.latencies.items() if not k.startswith("  "))
            run.facts.append(f"mix: {window:.1f} s, {ops:,} operations measured ({ops / window:,.0f}/s), "
                             f"{sum(r.pushes for r in results):,} pushes received by the desks")
            cpu = [f"desks' processes {sum(r.cpu_seconds for r in results) / window:.2f}"]
            if servers:
                cpu.insert(0, "servers " + " + ".join(f"{(cpu1[p] - cpu0[p]) / window:.2f}" for p in cpu0))
            cpu.append(f"PostgreSQL, the whole cluster {pg_cpu / window:.2f}")
            cpu.append(f"whole machine {(busy1[0] - busy0[0]) / window:.2f} of {os.cpu_count()} "
                       f"(other engineers' work included)")
            run.facts.append("CPU, cores busy on average: " + "; ".join(cpu))
            lag = [v for r in results for v in r.loop_lag_ms]
            if lag:
                run.facts.append(f"the desks' processes' event loops woke late by p50 {percentile(lag, 0.5):.0f} ms, "
                                 f"p95 {percentile(lag, 0.95):.0f} ms, max {max(lag):.0f} ms (part of every latency "
                                 f"above: the simulated desks share two processes, a real desk has its own machine)")
            if servers:
                run.facts.append(_inside_servers(run, inside0, inside1))
                if probed:
                    run.facts.append(
                        f"a request answered by the servers' event loop alone (a 404, asked from outside the desks' "
                        f"processes every 0.5 s): p50 {percentile(probed, 0.5):.0f} ms, p95 "
                        f"{percentile(probed, 0.95):.0f} ms, max {max(probed):.0f} ms ({len(probed)} requests"
                        + (f", {probe.errors} transport errors)" if probe.errors else ")"))
            time.sleep(args.settle)
            idle0 = sample(conn, statements)
            time.sleep(args.idle_seconds)
            idle1 = sample(conn, statements)
            _idle_check(run, args, idle0, idle1, len(servers))
        for control in controls:
            control.stop.set()
        for proc in procs:
            proc.join(60)
        _verify(run, url, marks, results)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        stop_servers(servers)
        if run.errors or run.problems:
            for log in sorted(logs.glob("*.log")):
                tail = log.read_text(errors="replace")[-1500:]
                if tail.strip():
                    run.facts.append(f"{log.name} (last lines):\n{tail}")
        shutil.rmtree(logs, ignore_errors=True)
        if not args.keep:
            load_seed.drop(server_pg, name)
    return run


def _await(controls: list[Any], kind: str, timeout: float, run: ModeRun) -> list[Any]:
    """Each worker's next message, which must be ``kind``; [] (and a problem noted) otherwise."""
    import queue

    found = []
    deadline = time.monotonic() + timeout
    for control in controls:
        try:
            got, payload = control.messages.get(timeout=max(1.0, deadline - time.monotonic()))
        except queue.Empty:
            run.problems.append(f"{run.mode}: a desk process sent no '{kind}' in {timeout:.0f} s")
            return []
        if got != kind:
            run.problems.append(f"{run.mode}: a desk process failed: {payload}")
            return []
        found.append(payload)
    return found


def _inside_servers(run: ModeRun, before: dict[str, tuple[float, float]],
                    after: dict[str, tuple[float, float]]) -> str:
    """The servers' own mean time per request beside the desks' mean: the rest is the desks'
    side (their event loop, httpx, decoding) and the way there and back."""
    parts = []
    for label, op in (("search_customers", "search_customers"), ("save: create_work_order", "create_work_order"),
                      ("save: close_call", "close_call"), ("identify", "identify"), ("start_call", "start_call"),
                      ("list_orders", "list_orders")):
        seconds = after.get(op, (0.0, 0.0))[0] - before.get(op, (0.0, 0.0))[0]
        count = after.get(op, (0.0, 0.0))[1] - before.get(op, (0.0, 0.0))[1]
        seen = [v for k, v in run.latencies.items() if k == label or (op == "list_orders" and k.startswith(op))]
        desks = [v for values in seen for v in values]
        if count and desks:
            parts.append(f"{op} {seconds / count * 1000:.1f} ms (desks: {sum(desks) / len(desks):.1f})")
    return ("inside the servers, mean per request (their /metrics: middleware in to answer out; the desks' mean "
            "beside it): " + ", ".join(parts))


def _idle_check(run: ModeRun, args: argparse.Namespace, idle0: Counters, idle1: Counters, servers: int) -> None:
    seconds = idle1.at - idle0.at
    transactions = idle1.transactions - idle0.transactions - 1  # our own first sample
    other = idle1.scans_other - idle0.scans_other
    changes = idle1.scans_changes - idle0.scans_changes
    state = {"server": "its push channel open", "direct": "its change poll running",
             "floor": "nothing running"}[run.mode]
    line = (f"idle ({seconds:.1f} s, every desk logged in, {state}, no operation): "
            + (f"{idle1.statements - idle0.statements - 2} statements, "
               if idle0.statements is not None and idle1.statements is not None else "")
            + f"{transactions} transactions ({transactions / seconds:.1f}/s); reads of tables but the change events "
            f"{other}; reads of the change events {changes}")
    if run.mode == "server":
        expected = servers * seconds / FEED_SECONDS
        line += (f" (the servers' change feeds: a read every {FEED_SECONDS:.0f} s per instance, {expected:.0f} reads "
                 f"expected; PostgreSQL counts two scans of the change events per read)")
        if other:
            run.problems.append(f"server: idle desks cost the database {other} table reads in {seconds:.0f} s")
    elif run.mode == "direct":
        line += " (the desks' own change polls)"
    run.facts.append(line)


def _verify(run: ModeRun, url: str, marks: dict[str, int], results: list[Any]) -> None:
    """Every acknowledged save stored once; nothing stored that was not acknowledged."""
    orders = [o for r in results for o in r.orders]
    closed = [c for r in results for c in r.calls_closed]
    started = [c for r in results for c in r.calls_started]
    taken = [c for r in results for c in r.callbacks_taken]
    done = [c for r in results for c in r.callbacks_done]
    with psycopg.connect(libpq(url)) as conn:
        stored = conn.execute("SELECT id, call_id, description FROM work_orders WHERE id > %s",
                              (marks["work_orders"],)).fetchall()
        calls: dict[int, str] = dict(conn.execute("SELECT id, status FROM calls WHERE id > %s",
                                                  (marks["calls"],)).fetchall())
        outcomes: dict[int, str] = dict(conn.execute("SELECT id, status FROM callbacks WHERE id = ANY(%s)",
                                                     (done,)).fetchall())
    acked = {o[0]: o for o in orders}
    stored_ids = {row[0] for row in stored}
    lost = sorted(set(acked) - stored_ids)
    unacked = sorted(stored_ids - set(acked))
    twice = [d for d, n in Counter(row[2] for row in stored).items() if n > 1]
    wrong = [row[0] for row in stored if row[0] in acked and (row[1], row[2]) != acked[row[0]][1:]]
    closed_lost = [c for c in closed if calls.get(c) != "closed"]
    closed_set, started_set = set(closed), set(started)
    closed_unacked = [c for c, status in calls.items() if status == "closed" and c not in closed_set]
    not_started = [c for c in calls if c not in started_set]
    taken_twice = [c for c, n in Counter(taken).items() if n > 1]
    outcome_lost = [c for c in done if outcomes.get(c) in (None, "pending", "claimed")]
    run.facts.append(
        f"saves: {len(orders):,} work orders acknowledged, {len(stored):,} stored; {len(closed):,} calls closed "
        f"acknowledged, {list(calls.values()).count('closed'):,} stored closed "
        f"({len(calls) - len(closed):,} still open when the clock ran out); {len(taken):,} callbacks taken, "
        f"{len(done):,} outcomes acknowledged")
    for label, items in (("work orders acknowledged but not stored", lost),
                         ("work orders stored but never acknowledged", unacked),
                         ("work orders stored twice", twice), ("work orders stored with other data", wrong),
                         ("calls acknowledged closed but not closed", closed_lost),
                         ("calls closed but never acknowledged", closed_unacked),
                         ("calls stored that no desk started", not_started),
                         ("callbacks handed to two desks", taken_twice),
                         ("callback outcomes acknowledged but not stored", outcome_lost)):
        if items:
            run.problems.append(f"{run.mode}: {len(items)} {label} (e.g. {items[:5]})")


# -- the report ----------------------------------------------------------------------------------------------


def print_report(runs: list[ModeRun], header: list[str], out: Any = None) -> None:
    out = out or sys.stdout
    for line in header:
        print(line, file=out)
    ops: list[str] = []
    for run in runs:
        for op in run.latencies:
            if op not in ops:
                ops.append(op)
    order = ["search_customers", "save: create_work_order", "save: close_call"]
    ops = [o for o in order if o in ops] + sorted(o for o in ops if o not in order and not o.startswith("  ")) \
        + sorted(o for o in ops if o.startswith("  "))
    ops = _searches_after_search(ops)
    head = ["operation (ms)"]
    for run in runs:
        head += [f"{MODES[run.mode][0]}: n", "p50", "p95", "p99"]
    head += ["target (p95)", ""]
    rows = [head]
    for op in ops:
        row = [op]
        for run in runs:
            values = run.latencies.get(op, [])
            if values:
                row += [f"{len(values):,}", *(f"{percentile(values, q):.1f}" for q in (0.5, 0.95, 0.99))]
            else:
                row += ["0", "—", "—", "—"]
        target = TARGETS.get(op)
        mark = ""
        if target is not None:
            served = next((r for r in runs if r.mode == "server"), None)
            if served is not None and served.latencies.get(op):
                mark = "ok" if percentile(served.latencies[op], 0.95) <= target else "MISSED"
        row += [f"≤ {target:.0f} ms" if target else "", mark]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print(file=out)
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j in (0, len(head) - 2, len(head) - 1) else c.rjust(w)
                        for j, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)
    for run in runs:
        print(f"\n{MODES[run.mode][0]} — {MODES[run.mode][1]}:", file=out)
        if run.logins:
            print(f"  logins (before the mix): {len(run.logins)}, p50 {percentile(run.logins, 0.5):.0f} ms, "
                  f"p95 {percentile(run.logins, 0.95):.0f} ms", file=out)
        counted = f"{run.sps:,.1f} statements/s, " if run.sps is not None else ""
        print(f"  database: {counted}{run.tps:,.1f} transactions/s, {run.scans:,.1f} table scans/s during the mix",
              file=out)
        for fact in run.facts:
            print(f"  {fact}", file=out)
        for error in run.errors[:20]:
            print(f"  ERROR {error}", file=out)
        if len(run.errors) > 20:
            print(f"  … {len(run.errors) - 20} more errors", file=out)
    problems = [p for r in runs for p in r.problems] + [f"{r.mode}: {len(r.errors)} errors" for r in runs if r.errors]
    missed = [row[0] for row in rows[1:] if row[-1] == "MISSED"]
    print(f"\ntargets: {'all met' if not missed else 'MISSED: ' + ', '.join(missed)}", file=out)
    print("checks: " + ("all passed (no errors, no lost or duplicated saves, idle desks cost nothing)"
                        if not problems else "FAILED"), file=out)
    for problem in problems:
        print(f"FAILED {problem}", file=out)


def _searches_after_search(ops: list[str]) -> list[str]:
    """The per-kind search rows right under the search row."""
    kinds = [o for o in ops if o.startswith("  search:")]
    rest = [o for o in ops if o not in kinds]
    if "search_customers" in rest:
        at = rest.index("search_customers") + 1
        return rest[:at] + kinds + rest[at:]
    return rest + kinds


# -- main ------------------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    count = lambda s: int(s.replace("_", "").replace(",", ""))  # noqa: E731
    parser = argparse.ArgumentParser(prog="python -m tests.perf.load_center",
                                     description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("AGENTDESK_TEST_PG_URL"),
                        help="PostgreSQL server URL, no database (default: $AGENTDESK_TEST_PG_URL)")
    parser.add_argument("--customers", type=count, default=1_000_000)
    parser.add_argument("--workorders", type=count, default=1_000_000)
    parser.add_argument("--desks", type=count, default=500)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the measured mix (default 60)")
    parser.add_argument("--servers", type=int, default=2, help="agentdesk serve instances (default 2)")
    parser.add_argument("--processes", type=int, default=2, help="processes the desks run in (default 2)")
    parser.add_argument("--pace", type=float, default=1.0, help="scale every human wait (0.5: twice as busy)")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="the idle check's window (default 10)")
    parser.add_argument("--settle", type=float, default=11.0,
                        help="seconds between the mix and the idle window: a busy backend's counters reach "
                             "pg_stat_database up to 10 s late, and would be counted as idle reads (default 11)")
    parser.add_argument("--targets", type=int, default=2000, help="customers the callers are drawn from")
    from agentdesk.client.remote import KEEPALIVE_SECONDS

    parser.add_argument("--keepalive", type=float, default=KEEPALIVE_SECONDS,
                        help=f"seconds an idle HTTP connection is reused (default {KEEPALIVE_SECONDS:g}: the desk's)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--prefix", default="loadtest", help="names of the databases made (default loadtest)")
    parser.add_argument("--no-cache", action="store_true", help="seed a throwaway template, dropped at the end")
    parser.add_argument("--modes", default="server,direct,floor",
                        help="which runs, in order: " + "; ".join(f"{k}: {v[1]}" for k, v in MODES.items()))
    parser.add_argument("--keep", action="store_true", help="keep the run databases")
    args = parser.parse_args(argv)
    if not args.pg:
        parser.error("no PostgreSQL: give --pg or set AGENTDESK_TEST_PG_URL")
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not args.modes or set(args.modes) - set(MODES):
        parser.error(f"--modes: some of {', '.join(MODES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    server_pg = load_seed.server_url(args.pg)
    started = time.perf_counter()
    if args.no_cache:
        template = f"{args.prefix}_tpl_throwaway_{os.getpid()}"
        load_seed.drop(server_pg, template)
        built: float | None = load_seed.build(server_pg, template, args.customers, args.workorders, args.desks)
    else:
        template, built = load_seed.ensure_template(server_pg, args.prefix, args.customers, args.workorders,
                                                    args.desks)
    with psycopg.connect(libpq(f"{server_pg}/postgres")) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        preload = conn.execute("SHOW shared_preload_libraries").fetchone()[0]  # type: ignore[index]
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(%s))", (template,)).fetchone()[0]  # type: ignore[index]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    header = [
        f"load test: {args.customers:,} customers, {args.workorders:,} work orders, {args.desks} desks "
        f"({', '.join(f'{role} {share:.0%}' for role, share in load_mix.ROLES)}), {args.duration:.0f} s, "
        f"pace {args.pace}; {args.servers} servers; desks in {args.processes} processes",
        f"machine: {os.cpu_count()} CPUs ({cpu}); PostgreSQL {version}; Python {sys.version.split()[0]}",
        f"seed data: template {template} ({size}), "
        + (f"built in {built:.0f} s" if built is not None else "reused (built by an earlier run)"),
        "database queries: transactions and table scans counted (pg_stat_database, pg_stat_user_tables); "
        + ("statements too (pg_stat_statements, BEGIN and COMMIT included)" if "pg_stat_statements" in preload else
           "statements not: pg_stat_statements is not preloaded on this cluster"),
    ]
    runs = []
    try:
        for mode in args.modes:
            runs.append(run_mode(mode, args, server_pg, template))
    finally:
        if args.no_cache:
            load_seed.drop(server_pg, template)
    header.append(f"wall time {time.perf_counter() - started:.0f} s")
    print_report(runs, header)
    return 1 if any(r.problems or r.errors for r in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
