"""What the load test measures besides latencies, and the servers it starts: PostgreSQL's
counters, processes' CPU, the servers' own ``/metrics``, a probe of their event loops."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

# -- measuring the database and the processes -------------------------------------------------------------


@dataclass(frozen=True)
class Counters:
    at: float
    transactions: int
    scans_other: int  # seq + index scans on every table but change_events
    scans_changes: int  # … on change_events (the change feed, or the direct desks' polls)
    statements: int | None = None  # pg_stat_statements' calls in this database, when it is loaded


SAMPLE = """
SELECT d.xact_commit + d.xact_rollback,
       (SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) FROM pg_stat_user_tables
         WHERE relname <> 'change_events'),
       (SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) FROM pg_stat_user_tables
         WHERE relname = 'change_events')
FROM pg_stat_database d WHERE d.datname = current_database()
"""


STATEMENTS = """
SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def count_statements(conn: psycopg.Connection) -> bool:
    """Whether this cluster counts statements (``pg_stat_statements`` preloaded): the view is
    created in the run's database if so."""
    preload = conn.execute("SHOW shared_preload_libraries").fetchone()
    if preload is None or "pg_stat_statements" not in str(preload[0]):
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return True


def sample(conn: psycopg.Connection, statements: bool = False) -> Counters:
    """One autocommit statement (two with ``statements``): our own, counted in the next sample."""
    row = conn.execute(SAMPLE).fetchone()
    assert row is not None
    calls = conn.execute(STATEMENTS).fetchone() if statements else None
    return Counters(time.time(), int(row[0]), int(row[1]), int(row[2]),
                    int(calls[0]) if calls is not None else None)


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def postgres_cpu() -> float:
    """CPU seconds of the whole PostgreSQL cluster so far: the postmaster, its live children and
    the children it has reaped (backends that ended: a pool's overflow connections come and
    go). Every database's, the other engineers' included; 0 when no postmaster is visible."""
    stats = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = status.read_text()
        except OSError:
            continue
        stats[int(status.parent.name)] = (text[text.index("(") + 1:text.rindex(")")], text.rsplit(")", 1)[1].split())
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid, (name, fields) in stats.items():
        parent = stats.get(int(fields[1]), ("", []))[0]
        if name == "postgres" and parent != "postgres":  # a postmaster
            total += sum(int(v) for v in fields[11:15]) / ticks  # utime, stime, cutime, cstime
            total += sum(sum(int(v) for v in f[11:13]) / ticks for n, f in stats.values()
                         if n == "postgres" and f[1] == str(pid))
    return total


# -- the servers -------------------------------------------------------------------------------------------


def server_seconds(urls: list[str]) -> dict[str, tuple[float, float]]:
    """(seconds, requests) per operation so far, summed over the servers' ``/metrics``: the
    time from a request entering the server's middleware to its answer leaving it."""
    import re

    import httpx

    found: dict[str, list[float]] = {}
    pattern = re.compile(r'^agentdesk_request_seconds_(sum|count)\{operation="([^"]+)"\} (\S+)$', re.M)
    for url in urls:
        for kind, op, value in pattern.findall(httpx.get(f"{url}/metrics", timeout=10).text):
            found.setdefault(op, [0.0, 0.0])[0 if kind == "sum" else 1] += float(value)
    return {op: (v[0], v[1]) for op, v in found.items()}



def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_servers(db_url: str, count: int, logs: Path) -> list[tuple[subprocess.Popen, str]]:
    import httpx

    started = []
    env = {**os.environ, "AGENTDESK_LANG": "en"}
    for i in range(count):
        port = free_port()
        log = open(logs / f"server-{i}.log", "wb")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen([sys.executable, "-m", "agentdesk", "serve", "--db", db_url, "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
        started.append((proc, f"http://127.0.0.1:{port}"))
    for proc, url in started:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_servers(started)
                raise RuntimeError(f"agentdesk serve did not start: {(logs / 'server-0.log').read_text()[-2000:]}")
            time.sleep(0.2)
    return started


class Probe:
    """From this process (not the desks' busy ones), every half second, a request each server
    answers on its event loop alone (an unknown path: a 404, no thread, no database): how long
    a request waits for the server's HTTP side, whatever its operation."""

    def __init__(self, urls: list[str]) -> None:
        import threading

        self.urls, self._stop = urls, threading.Event()
        self.times: list[float] = []
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name="probe", daemon=True)
        if urls:
            self._thread.start()

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=30) as client:
            while not self._stop.wait(0.5):
                for url in self.urls:
                    started = time.perf_counter()
                    try:
                        client.get(f"{url}/api/v1/probe-not-found")
                    except httpx.TransportError:
                        self.errors += 1
                        continue
                    self.times.append((time.perf_counter() - started) * 1000)

    def stop(self) -> list[float]:
        self._stop.set()
        if self.urls:
            self._thread.join(35)
        return self.times


def stop_servers(servers: list[tuple[subprocess.Popen, str]]) -> None:
    for proc, _ in servers:
        if proc.poll() is None:
            proc.terminate()
    for proc, _ in servers:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
