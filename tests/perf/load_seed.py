"""The load test's PostgreSQL databases: a seeded template kept between runs, and a fresh copy
of it for each run (``CREATE DATABASE … TEMPLATE``: a file copy, seconds even at a million rows).

The template is the demo's data at the asked scale (``build_demo``, the same seeding as
``agentdesk demo`` and bench_scale.py; its bulk rows go in by COPY on PostgreSQL) plus one
agent account per simulated desk. Its name says what it holds and at which schema revision,
so a template of an older schema or another scale is never reused; it is built under a
temporary name and renamed when complete, so a build that was interrupted is never used.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

DESK_NUMBER_FIRST = 70000  # desk n logs in as agent 70000 + n
DESK_PIN = "246810"
#: Desk accounts made at least: a template serves every run of up to this many desks.
ACCOUNTS = 500


@dataclass(frozen=True)
class Target:
    """A real customer, as a caller would give themselves: what the agent types."""

    id: int
    name: str
    initials: str
    phone: str
    user_code: str


def libpq(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_url(url: str) -> str:
    """The server part of a PostgreSQL URL (no database name)."""
    head, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    return f"{head}://{host}"


@contextmanager
def admin(server: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(libpq(server) + "/postgres", autocommit=True) as conn:
        yield conn


def exists(server: str, name: str) -> bool:
    with admin(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def drop(server: str, name: str) -> None:
    with admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def accounts_for(desks: int) -> int:
    return max(desks, ACCOUNTS)


def template_name(prefix: str, customers: int, workorders: int, desks: int) -> str:
    from agentdesk.migrate import head_revision

    revision = (head_revision() or "none").split("_", 1)[0]
    return f"{prefix}_tpl_r{revision}_{customers}c_{workorders}w_{accounts_for(desks)}d"[:63]


def build(server: str, name: str, customers: int, workorders: int, desks: int) -> float:
    """Seed database ``name`` from empty: migrations, the demo's data, an agent account for each
    of ``accounts_for(desks)`` desks. Seconds."""
    from agentdesk.db import open_database
    from agentdesk.models import Agent
    from agentdesk.services.accounts import hash_pin
    from agentdesk.services.demo import build_demo

    started = time.perf_counter()
    with admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = open_database(f"{server}/{name}", check=False)
    try:
        build_demo(db, customers=customers, workorders=workorders, handovers=False)
        # One scrypt hash for every desk's account (same PIN): 500 of them would take half a minute.
        pin_hash = hash_pin(DESK_PIN)
        from agentdesk import clock

        with db.write() as session:
            for n in range(accounts_for(desks)):
                session.add(Agent(number=str(DESK_NUMBER_FIRST + n), name=f"压测{n:03d}", role="agent",
                                  pin_hash=pin_hash, created_at=clock.now()))
    finally:
        db.dispose()
    with psycopg.connect(libpq(f"{server}/{name}"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def ensure_template(server: str, prefix: str, customers: int, workorders: int, desks: int) -> tuple[str, float | None]:
    """The template for this scale, built if missing: (its name, seconds spent building or None)."""
    name = template_name(prefix, customers, workorders, desks)
    if exists(server, name):
        return name, None
    building = f"{prefix}_building_{random.randrange(1 << 30):x}"
    try:
        seconds = build(server, building, customers, workorders, desks)
        with admin(server) as conn:
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        drop(server, building)
    return name, seconds


def copy_of(server: str, template: str, name: str) -> float:
    """A fresh database ``name`` copied from ``template``; seconds."""
    drop(server, name)
    started = time.perf_counter()
    with admin(server) as conn:
        for attempt in range(20):  # another session may still be leaving the template
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    return time.perf_counter() - started


def sample_targets(url: str, count: int, seed: int) -> list[Target]:
    """``count`` random customers with a mobile number and a name of two characters or more."""
    rng = random.Random(seed)
    with psycopg.connect(libpq(url)) as conn:
        top = conn.execute("SELECT max(id) FROM customers").fetchone()[0] or 0  # type: ignore[index]
        ids = list({rng.randrange(1, top + 1) for _ in range(count * 2)})
        rows = conn.execute(
            "SELECT c.id, c.name, c.name_initials, c.user_code, (SELECT p.phone FROM customer_phones p "
            "WHERE p.customer_id = c.id AND p.kind = 'mobile' ORDER BY p.id LIMIT 1) "
            "FROM customers c WHERE c.id = ANY(%s) ORDER BY c.id", (ids,)).fetchall()
    found = [Target(i, name, initials, phone, code) for i, name, initials, code, phone in rows
             if phone and len(name) >= 2 and initials]
    rng.shuffle(found)
    return found[:count]


def high_water(url: str) -> dict[str, int]:
    """The largest id of each table the desks write: what is above it was written by the run."""
    with psycopg.connect(libpq(url)) as conn:
        return {table: conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # type: ignore[index]
                for table in ("calls", "work_orders", "callbacks")}
