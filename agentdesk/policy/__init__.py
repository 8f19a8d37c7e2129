"""Service-standard policies and deadline clocks — pure domain code (no UI, no database).

Every operator standard (吉林 96633, 巴中 96655, an ISP manual, 江西, 中国电信广东 10000,
and a generic default) is a TOML preset in ``data/policies/``; ``docs/policies.md``
documents the format. The rest of the app uses only what this module exports:

Loading
    ``list_policies() -> list[str]``
        names of all presets (shipped, plus ``AGENTDESK_POLICY_DIR`` directories).
    ``load_policy(name_or_path="generic") -> Policy``
        raises ``PolicyNotFoundError`` (unknown name; ``.valid`` lists the names) or
        ``PolicyError`` (``.issues``: every problem as file / key / message).
    ``check_policy_file(path) -> list[PolicyIssue]``
        the same validation without raising.

Deadlines
    ``Policy.deadlines(kind, severity="general", area="city", tier="regular", *, start,
    done_at=None) -> dict[str, datetime]``
        only the clocks that apply, keyed ``respond_by``, ``reply_by``, ``resolve_by``,
        ``callback_by``, … in clock order. Unknown names raise ``UnknownNameError``
        (``.field``, ``.value``, ``.valid``).
    ``Policy.applicable(kind, severity, area, tier) -> tuple[AppliedClock, ...]``
        the same clocks with their limits and the rule each comes from.
    ``Policy.callback_rule(kind, tier="regular") -> CallbackRule | None``
        the per-order callback rule (always / sampled).
    ``Policy.periodic_callbacks(tier=None) -> tuple[CallbackRule, ...]``
        per-customer callbacks (VIP monthly phone call, …).
    ``Policy.kinds / .severities / .areas / .tiers``, ``Policy.calendar``, ``Policy.service``.

Clocks
    ``evaluate(start, deadline, events=(), now=None, warn_ratio=0.75) -> ClockState``
        replays ``StatusEvent(at, kind, new_deadline=None, added=None, reason="")`` with
        kinds ``pause`` / ``resume`` / ``extend`` / ``done``; ``ClockState.state`` is
        ``on_time`` / ``warning`` / ``overdue`` and ``.deadline`` the effective deadline.
        ``Policy.evaluate(...)`` uses the policy's own warning ratio.

Names: ``KINDS``, ``SEVERITIES``, ``AREAS``, ``TIERS``, ``CLOCKS`` (the valid values).

Rule precedence (most specific wins, per clock): preset layer (``extends``) > exact kind >
parent kind > any kind > tier > severity > area; equal precedence is a load-time error.
"""

from __future__ import annotations

from agentdesk.policy.calendar import BusinessCalendar, Window
from agentdesk.policy.errors import PolicyError, PolicyIssue, PolicyNotFoundError, UnknownNameError
from agentdesk.policy.limits import Limit
from agentdesk.policy.loader import (
    DEFAULT_POLICY,
    POLICY_DIR_ENV,
    check_policy_file,
    clear_cache,
    list_policies,
    load_policy,
    policy_dirs,
    policy_path,
)
from agentdesk.policy.model import AppliedClock, CallbackRule, ExtraKind, Policy, Rule, ServiceFacts
from agentdesk.policy.names import AREAS, BASE_SEVERITIES, CLOCKS, KINDS, SEVERITIES, TIERS, clock_key
from agentdesk.policy.sla import (
    DEFAULT_WARN_RATIO,
    DONE,
    EXTEND,
    ON_TIME,
    OVERDUE,
    PAUSE,
    RESUME,
    WARNING,
    ClockState,
    StatusEvent,
    evaluate,
)

__all__ = [
    "AREAS",
    "BASE_SEVERITIES",
    "CLOCKS",
    "DEFAULT_POLICY",
    "DEFAULT_WARN_RATIO",
    "DONE",
    "EXTEND",
    "KINDS",
    "ON_TIME",
    "OVERDUE",
    "PAUSE",
    "POLICY_DIR_ENV",
    "RESUME",
    "SEVERITIES",
    "TIERS",
    "WARNING",
    "AppliedClock",
    "BusinessCalendar",
    "CallbackRule",
    "ClockState",
    "ExtraKind",
    "Limit",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "PolicyNotFoundError",
    "Rule",
    "ServiceFacts",
    "StatusEvent",
    "UnknownNameError",
    "Window",
    "check_policy_file",
    "clear_cache",
    "clock_key",
    "evaluate",
    "list_policies",
    "load_policy",
    "policy_dirs",
    "policy_path",
]
