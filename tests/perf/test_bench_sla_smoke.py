"""The shipped SLA benchmark runs and returns sane numbers (small scale, no timing asserts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).with_name("bench_sla.py")


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_sla", BENCH)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_at_small_scale():
    figures = load_bench().run(2_000)
    assert figures["work_orders"] == 2_000
    assert figures["deadlines"] >= 2_000 // 2  # most requests have at least one clock
    assert figures["seconds"] > 0
    assert figures["work_orders_per_second"] > 0
    assert figures["deadlines_per_second"] >= figures["work_orders_per_second"] * 0.5
    assert 0 < figures["working_day_share"] < 1  # the mix includes working-day limits


def test_benchmark_main_prints_the_figure(capsys):
    assert load_bench().main(["500"]) == 0
    out = capsys.readouterr().out
    assert "500 work orders" in out and "deadlines/s" in out
