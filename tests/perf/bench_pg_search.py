"""Benchmark: Chinese name and knowledge-base search on PostgreSQL, through the gram tables of
migration 0007 and through the ``LIKE`` alone (what 0004's pg_trgm gives under ``--locale=C``).

    python tests/perf/bench_pg_search.py --server postgresql+psycopg://postgres@127.0.0.1:54329 \\
        --customers 1000000 --articles 10000

Makes a throwaway database on the server (``--keep`` keeps it), seeds it with
``tests/postgres/seed.py`` (one INSERT … SELECT per 100,000 customers: the gram triggers
run as they do for the importer), then runs each query ``--repeat`` times each way,
every search in a fresh read session as the call screen does, after one warm-up run.
Prints the seed time, the gram tables' size and p50/p95 per query and way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agentdesk.db import Database, open_database  # noqa: E402
from agentdesk.services import customers, grams, kb  # noqa: E402
from tests.postgres.seed import seed  # noqa: E402

# A given-name character (in tens of thousands of names), two given-name characters, the
# middle dot, a character beyond the BMP, and a fragment no name holds (the LIKE reads all).
NAME_QUERIES = ["伟", "秀英", "·买", "𠮷田", "无此"]
KB_QUERIES = ["宽带", "光猫 重启", "机顶盒", "伟芳"]


def _timed(db: Database, search: Callable, query: str, repeat: int) -> list[float]:
    with db.read() as session:
        search(session, query)  # warm-up: plan cache, buffers
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with db.read() as session:
            search(session, query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def measure(db: Database, repeat: int) -> list[tuple[str, str, float, float, float, float]]:
    """(kind, query, p50 grams, p95 grams, p50 LIKE, p95 LIKE) in ms."""
    rows = []
    real = grams.pg_grams
    for kind, search, queries in (("name", customers.search_customers, NAME_QUERIES),
                                  ("kb", kb.kb_search, KB_QUERIES)):
        for query in queries:
            with_grams = _timed(db, search, query, repeat)
            grams.pg_grams = lambda session: False  # type: ignore[assignment]
            try:
                like_only = _timed(db, search, query, repeat)
            finally:
                grams.pg_grams = real
            rows.append((kind, query, statistics.median(with_grams), _p95(with_grams),
                         statistics.median(like_only), _p95(like_only)))
    return rows


def run(server: str, customers_n: int, articles: int, repeat: int, keep: bool = False) -> dict:
    import psycopg

    name = f"pgsearch_bench_{uuid.uuid4().hex[:8]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = open_database(f"{server}/{name}")
    try:
        started = time.perf_counter()
        seed(db, customers_n, articles)
        seconds = time.perf_counter() - started
        with db.read() as session:
            size = session.connection().exec_driver_sql(
                "SELECT pg_total_relation_size('customer_name_grams'), pg_total_relation_size('kb_grams'),"
                " (SELECT count(*) FROM customer_name_grams)").one()
        rows = measure(db, repeat)
    finally:
        db.dispose()
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {"database": name, "seed_seconds": seconds, "name_grams_bytes": size[0], "kb_grams_bytes": size[1],
            "name_gram_rows": size[2], "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--server", required=True, help="PostgreSQL URL without a database part")
    parser.add_argument("--customers", type=lambda s: int(s.replace("_", "")), default=100_000)
    parser.add_argument("--articles", type=lambda s: int(s.replace("_", "")), default=3_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    args = parser.parse_args(argv)
    out = run(args.server.rstrip("/"), args.customers, args.articles, args.repeat, args.keep)
    print(f"{args.customers:,} customers, {args.articles:,} articles seeded in {out['seed_seconds']:.1f} s"
          f" (database {out['database']}{', kept' if args.keep else ''})")
    print(f"customer_name_grams {out['name_gram_rows']:,} rows, {out['name_grams_bytes'] / 2**20:.0f} MiB;"
          f" kb_grams {out['kb_grams_bytes'] / 2**20:.1f} MiB")
    print(f"{'search':<6} {'query':<10} {'grams p50':>10} {'p95':>8} {'LIKE p50':>10} {'p95':>8}"
          f"   (ms, {args.repeat} runs)")
    for kind, query, g50, g95, l50, l95 in out["rows"]:
        print(f"{kind:<6} {query:<10} {g50:>10.2f} {g95:>8.2f} {l50:>10.2f} {l95:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
