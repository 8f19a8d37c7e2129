"""Deadlines for work orders, from the installation's policy preset.

The policy engine (``agentdesk.policy``) is pure; this maps its clocks onto the
WorkOrder columns, so queues can sort by stored deadlines.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from agentdesk.policy import Policy, load_policy

CLOCK_COLUMNS = ("respond_by", "reply_by", "resolve_by", "callback_by", "contact_by")
WARN_RATIO = 0.75


@lru_cache(maxsize=32)
def _policy(name: str) -> Policy:
    return load_policy(name)


def policy_clocks(
    policy: str, kind: str, severity: str, area: str, tier: str, start: datetime
) -> dict[str, datetime]:
    """Every clock the policy gives, not only the ones stored on work orders."""
    return dict(_policy(policy).deadlines(kind, severity=severity, area=area, tier=tier, start=start))


def work_order_deadlines(
    policy: str,
    kind: str,
    severity: str,
    area: str,
    tier: str,
    start: datetime,
    done_at: datetime | None = None,
) -> dict[str, datetime | None]:
    """Deadline columns for a work order; the callback clock runs only once it is done."""
    clocks = _policy(policy).deadlines(kind, severity=severity, area=area, tier=tier, start=start,
                                       done_at=done_at)
    out: dict[str, datetime | None] = {c: clocks.get(c) for c in CLOCK_COLUMNS}
    if done_at is None:
        out["callback_by"] = None
    final = out["resolve_by"] or out["reply_by"] or out["respond_by"]
    # The warning point is stored too, so "warning" lists are an indexed range query.
    out["warn_at"] = (start + (final - start) * WARN_RATIO).replace(microsecond=0) if final else None
    return out
