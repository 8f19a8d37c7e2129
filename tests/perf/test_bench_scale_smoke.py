"""The shipped scale benchmark runs end to end at a small scale and prints every figure
(no timing assertions: the figures of a full run are in docs/performance.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).with_name("bench_scale.py")


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    assert spec is not None and spec.loader is not None
    sys.modules["bench_scale"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_percentile_and_ratio() -> None:
    bench = load_bench()
    assert bench.p95([float(i) for i in range(1, 101)]) == 95.0
    assert bench.p95([3.0]) == 3.0
    figure = bench.Figure("x", 3.0, "ms", 2.0)
    assert figure.ratio == 1.5
    assert bench.Figure("x", None, "ms", 2.0).ratio is None


def test_benchmark_prints_every_figure_at_small_scale(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bench = load_bench()
    db = tmp_path / "scale.sqlite3"
    code = bench.main(["--customers", "300", "--workorders", "400", "--db", str(db), "--queries", "2",
                       "--repeat", "1", "--repeat-queues", "2", "--export-items", "200"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ERROR" not in out
    for figure in ("demo build", "first screen painted", "caller search, service p95", "phone, last 4 digits",
                   "pinyin initials", "caller search, key to table p95", "orders: overdue", "orders: warning",
                   "orders: open, next page", "callbacks due now", "resident size, same screens",
                   "handover export, csv", "handover export, xlsx"):
        assert figure in out, figure
    assert "300 customers, 400 work orders" in out
    assert "FULL SCAN" not in out
    assert db.exists()  # --db keeps the database

    # A second run reuses it (no build figure) and can leave sections out.
    assert bench.main(["--db", str(db), "--queries", "2", "--skip", "paint,screen,memory,export",
                       "--repeat-queues", "1"]) == 0
    out = capsys.readouterr().out
    assert "demo build" not in out and "first screen painted" not in out
    assert "caller search, service p95" in out and "callbacks due now" in out
