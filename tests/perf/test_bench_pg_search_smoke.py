"""The PostgreSQL search benchmark runs and prints its table (small scale, no timing asserts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).with_name("bench_pg_search.py")


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_pg_search", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_at_small_scale(pg_server: str, capsys) -> None:  # type: ignore[no-untyped-def]
    bench = load_bench()
    assert bench.main(["--server", pg_server, "--customers", "2000", "--articles", "50", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "2,000 customers, 50 articles seeded" in out
    assert all(f" {q} " in out for q in bench.NAME_QUERIES + bench.KB_QUERIES)
    figures = bench.run(pg_server, 1000, 20, 1)
    # Two or three characters a name: their grams are 3 or 5 rows (fewer when a character repeats).
    assert 3 * 1000 < figures["name_gram_rows"] <= 5 * 1000 + 40
    assert [(kind, q) for kind, q, *_ in figures["rows"]] == (
        [("name", q) for q in bench.NAME_QUERIES] + [("kb", q) for q in bench.KB_QUERIES])
    assert all(t > 0 for *_, g50, g95, l50, l95 in figures["rows"] for t in (g50, g95, l50, l95))
