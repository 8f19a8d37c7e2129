"""Benchmark: how fast the policy engine turns work orders into deadlines.

    python tests/perf/bench_sla.py            # 100,000 work orders
    python tests/perf/bench_sla.py 1000000    # or any other count

Each work order is a ``Policy.deadlines()`` call over a random mix of every shipped preset,
kind, severity, area and tier, accepted at a random minute of 2026 (so cut-offs, weekends,
the golden weeks and their make-up working days all occur); Jiangxi and the generic preset
contribute the working-day limits. Presets are loaded before the clock starts — loading
is a one-off — but the calendar caches start cold, so their per-year build is counted.
The figure printed: seconds, work orders per second and individual deadlines per second.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta

from agentdesk.policy import AREAS, TIERS, list_policies, load_policy

YEAR_START = datetime(2026, 1, 1)
MINUTES_IN_YEAR = 365 * 24 * 60


def build_requests(n: int, seed: int = 20261001) -> list[tuple[object, str, str, str, str, datetime]]:
    """``n`` (policy, kind, severity, area, tier, start) tuples, reproducibly random."""
    rng = random.Random(seed)
    policies = [load_policy(name) for name in list_policies()]
    requests = []
    for _ in range(n):
        policy = rng.choice(policies)
        requests.append(
            (
                policy,
                rng.choice(policy.kinds),
                rng.choice(policy.severities),
                rng.choice(AREAS),
                rng.choice(TIERS),
                YEAR_START + timedelta(minutes=rng.randrange(MINUTES_IN_YEAR)),
            )
        )
    return requests


def run(n: int = 100_000, seed: int = 20261001) -> dict[str, float]:
    """Compute the deadlines of ``n`` work orders; return the counts and the timing."""
    requests = build_requests(n, seed)
    clocks = 0
    working_day = 0
    started = time.perf_counter()
    for policy, kind, severity, area, tier, start in requests:
        result = policy.deadlines(kind, severity, area, tier, start=start)  # type: ignore[attr-defined]
        clocks += len(result)
    seconds = time.perf_counter() - started
    for policy, kind, severity, area, tier, _ in requests[: min(n, 5000)]:
        working_day += any(a.limit.unit == "wd" for a in policy.applicable(kind, severity, area, tier))  # type: ignore[attr-defined]
    return {
        "work_orders": n,
        "deadlines": clocks,
        "seconds": seconds,
        "work_orders_per_second": n / seconds if seconds else float("inf"),
        "deadlines_per_second": clocks / seconds if seconds else float("inf"),
        "working_day_share": working_day / min(n, 5000) if n else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0].replace("_", "")) if args else 100_000
    figures = run(n)
    print(
        f"{figures['work_orders']:,} work orders, {figures['deadlines']:,} deadlines in "
        f"{figures['seconds']:.3f} s: {figures['work_orders_per_second']:,.0f} work orders/s, "
        f"{figures['deadlines_per_second']:,.0f} deadlines/s "
        f"({figures['working_day_share']:.0%} with a working-day limit)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
