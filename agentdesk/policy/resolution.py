"""Resolving a preset: merging its validated layers and deciding which rule sets each clock.

The layers come from :mod:`agentdesk.policy.validation`, base first; later layers override
earlier ones key by key. :func:`resolve` then walks every kind × severity × area × tier and
picks, per clock, the most specific rule (the precedence is described in
:mod:`agentdesk.policy.model`); two rules of equal precedence setting the same clock are
reported as conflicts, so a policy never hides a silent tie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentdesk.policy.calendar import DEFAULT_WINDOWS, BusinessCalendar
from agentdesk.policy.errors import PolicyError, PolicyIssue
from agentdesk.policy.limits import Limit
from agentdesk.policy.messages import msg
from agentdesk.policy.model import AppliedClock, CallbackRule, ExtraKind, Policy, Rule, ServiceFacts
from agentdesk.policy.names import AREAS, BASE_SEVERITIES, CLOCKS, KINDS, SEVERITIES, TIERS
from agentdesk.policy.sla import DEFAULT_WARN_RATIO
from agentdesk.policy.validation import Layer


def assemble(path: Path, layers: list[Layer]) -> Policy:
    """The policy the validated ``layers`` (base first) of ``path`` make; raises on conflicts."""
    merged_policy: dict[str, Any] = {}
    merged_calendar: dict[str, Any] = {}
    merged_service: dict[str, Any] = {}
    kinds: dict[str, ExtraKind] = {}
    rules: list[Rule] = []
    callbacks: list[CallbackRule] = []
    for layer in layers:
        merged_policy.update(layer.policy)
        merged_calendar.update(layer.calendar)
        merged_service.update(layer.service)
        kinds.update(layer.kinds)
        rules.extend(layer.rules)
        callbacks.extend(layer.callbacks)

    try:
        calendar = BusinessCalendar(
            workdays=merged_calendar.get("workdays", frozenset(range(5))),
            windows=merged_calendar.get("windows", DEFAULT_WINDOWS),
            country=merged_calendar.get("country", "CN"),
            extra_holidays=merged_calendar.get("extra_holidays", frozenset()),
            extra_workdays=merged_calendar.get("extra_workdays", frozenset()),
        )
    except ValueError as exc:
        raise PolicyError.single(str(path), "calendar", msg("err.calendar", error=exc)) from None

    service = ServiceFacts(
        answer_within=merged_service.get("answer_within"),
        answer_rings=merged_service.get("answer_rings"),
        hotline_24h=merged_service.get("hotline_24h", False),
        staffed_hours=merged_service.get("staffed_hours", ()),
        maintenance_notice=merged_service.get("maintenance_notice"),
        escalation=merged_service.get("escalation", ()),
    )
    named_severities = {s for r in rules if r.severities for s in r.severities}
    severities = tuple(s for s in SEVERITIES if s in BASE_SEVERITIES or s in named_severities)
    extra_kinds = tuple(kinds.values())
    table, callback_table, conflicts = resolve(rules, callbacks, extra_kinds, severities)
    if conflicts:
        raise PolicyError(conflicts)

    extends = layers[-1].policy.get("extends")
    return Policy(
        name=path.stem,
        title=merged_policy.get("title", path.stem),
        title_en=merged_policy.get("title_en", merged_policy.get("title", path.stem)),
        source=merged_policy.get("source", ""),
        path=path,
        warn_ratio=merged_policy.get("warn_ratio", DEFAULT_WARN_RATIO),
        calendar=calendar,
        service=service,
        rules=tuple(rules),
        callbacks=tuple(callbacks),
        extra_kinds=extra_kinds,
        severities=severities,
        extends=extends,
        _table=table,
        _callback_table=callback_table,
    )


Combination = tuple[str, str, str, str]  # kind, severity, area, tier
Precedence = tuple[int, ...]  # compared element by element: see Rule.precedence


class _Conflicts:
    """Ties between rules, each pair reported once however many combinations it ties on."""

    def __init__(self) -> None:
        self.issues: list[PolicyIssue] = []
        self._seen: set[tuple[int, int, int, int, str]] = set()

    def tie(self, winner: Rule | CallbackRule, other: Rule | CallbackRule, what: str, key: str, message: str) -> None:
        ident = (winner.layer, winner.index, other.layer, other.index, what)
        if ident not in self._seen:
            self._seen.add(ident)
            self.issues.append(PolicyIssue(other.source, key, message))


def resolve(
    rules: list[Rule],
    callbacks: list[CallbackRule],
    extra_kinds: tuple[ExtraKind, ...],
    severities: tuple[str, ...],
) -> tuple[dict[Combination, tuple[AppliedClock, ...]], dict[tuple[str, str], CallbackRule], list[PolicyIssue]]:
    """Decide, for every name combination, which rule sets each clock (see model.py)."""
    parents: dict[str, str | None] = {k: None for k in KINDS}
    parents.update({k.name: k.like for k in extra_kinds})
    conflicts = _Conflicts()
    callback_table = _callback_table(callbacks, parents, conflicts)
    table = _clock_table(rules, callback_table, parents, severities, conflicts)
    return table, callback_table, conflicts.issues


def _callback_table(
    callbacks: list[CallbackRule], parents: dict[str, str | None], conflicts: _Conflicts
) -> dict[tuple[str, str], CallbackRule]:
    """The per-order callback rule (always / sampled) of every (kind, tier) some rule covers."""
    callback_table: dict[tuple[str, str], CallbackRule] = {}
    per_order = [c for c in callbacks if c.per_order]
    for kind, parent in parents.items():
        for tier in TIERS:
            best: tuple[Precedence, list[CallbackRule]] | None = None
            for rule in per_order:
                level = rule.kind_level(kind, parent)
                if level is None or (rule.tiers is not None and tier not in rule.tiers):
                    continue
                prec = rule.precedence(level)
                if best is None or prec > best[0]:
                    best = (prec, [rule])
                elif prec == best[0]:
                    best[1].append(rule)
            if best is None:
                continue
            winner, *others = best[1]
            for other in others:
                message = msg("err.callback_conflict", other=winner.label, kind=kind, tier=tier)
                conflicts.tie(winner, other, "callback", f"callbacks#{other.index}", message)
            callback_table[(kind, tier)] = winner
    return callback_table


def _clock_table(
    rules: list[Rule],
    callback_table: dict[tuple[str, str], CallbackRule],
    parents: dict[str, str | None],
    severities: tuple[str, ...],
    conflicts: _Conflicts,
) -> dict[Combination, tuple[AppliedClock, ...]]:
    """The clocks of every combination, in CLOCKS order, each from its most specific rule."""
    order = {c: i for i, c in enumerate(CLOCKS)}
    table: dict[Combination, tuple[AppliedClock, ...]] = {}
    applicable = {
        kind: [r for r in rules if r.kind_level(kind, parent) is not None] for kind, parent in parents.items()
    }
    for kind, parent in parents.items():
        for severity in severities:
            for area in AREAS:
                for tier in TIERS:
                    best_by_clock: dict[str, tuple[Precedence, list[tuple[Rule, Limit]]]] = {}
                    for rule in applicable[kind]:
                        if not rule.matches(severity, area, tier):
                            continue
                        prec = rule.precedence(rule.kind_level(kind, parent) or 0)
                        for clock, limit in rule.clocks:
                            current = best_by_clock.get(clock)
                            if current is None or prec > current[0]:
                                best_by_clock[clock] = (prec, [(rule, limit)])
                            elif prec == current[0]:
                                current[1].append((rule, limit))
                    applied: list[AppliedClock] = []
                    for clock, (_, entries) in best_by_clock.items():
                        (winner, limit), *others = entries
                        for other, _limit in others:
                            message = msg(
                                "err.conflict",
                                other=winner.label,
                                clock=clock,
                                kind=kind,
                                severity=severity,
                                area=area,
                                tier=tier,
                            )
                            conflicts.tie(winner, other, clock, f"rules#{other.index}.{clock}", message)
                        applied.append(AppliedClock(clock, limit, winner.label, winner.note))
                    callback = callback_table.get((kind, tier))
                    if callback is not None and callback.mode == "always" and callback.within is not None:
                        applied.append(AppliedClock("callback", callback.within, callback.label, callback.note))
                    applied.sort(key=lambda a: order[a.clock])
                    table[(kind, severity, area, tier)] = tuple(applied)
    return table
