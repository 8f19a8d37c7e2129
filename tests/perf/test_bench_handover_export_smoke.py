"""The shipped handover-export benchmark runs and returns sane numbers (small scale, no timing asserts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).with_name("bench_handover_export.py")


def load_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_handover_export", BENCH)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_at_small_scale() -> None:
    bench = load_bench()
    notes = bench.build_notes(205)
    assert len(notes) == 10 and sum(len(n.items) for n in notes) == 205
    figures = bench.run(300)
    assert figures["items"] == 300
    for fmt in bench.FORMATS:
        assert figures[f"{fmt}_seconds"] > 0
        assert figures[f"{fmt}_bytes"] > 300 * 20  # every item made it into the file


def test_benchmark_main_prints_the_figures(capsys) -> None:  # type: ignore[no-untyped-def]
    assert load_bench().main(["200"]) == 0
    out = capsys.readouterr().out
    assert "200 handover items" in out
    for fmt in ("csv", "json", "md", "xlsx"):
        assert f"  {fmt}" in out
