"""Finding, reading and validating policy presets (TOML, read with stdlib ``tomllib``).

Presets live in ``data/policies/`` (shipped) and in the directories listed in the
``AGENTDESK_POLICY_DIR`` environment variable (``os.pathsep``-separated, an installation's
own presets); a preset there with the same name as a shipped one replaces it. A path to a
file can also be given directly. The format is documented in ``docs/policies.md``.

Validation gathers every problem of a file before raising, each naming the file, the key
(``rules#3.resolve``: the third ``[[rules]]`` table, counted from 1) and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from agentdesk.paths import data_dir
from agentdesk.policy.calendar import DEFAULT_WINDOWS, BusinessCalendar, Window, check_country, weekday_numbers
from agentdesk.policy.errors import PolicyError, PolicyIssue, PolicyNotFoundError
from agentdesk.policy.limits import Limit, clock_duration
from agentdesk.policy.messages import msg, type_name
from agentdesk.policy.model import AppliedClock, CallbackRule, ExtraKind, Policy, Rule, ServiceFacts
from agentdesk.policy.names import (
    AREAS,
    BASE_SEVERITIES,
    CALLBACK_METHODS,
    CALLBACK_MODES,
    CALLBACK_PERIODS,
    CLOCKS,
    KINDS,
    SEVERITIES,
    TIERS,
    WEEKDAYS,
)
from agentdesk.policy.sla import DEFAULT_WARN_RATIO

POLICY_DIR_ENV = "AGENTDESK_POLICY_DIR"
DEFAULT_POLICY = "generic"
SUFFIX = ".toml"

TOP_KEYS = ("policy", "calendar", "service", "kinds", "rules", "callbacks")
POLICY_KEYS = ("title", "title_en", "source", "warn_ratio", "extends")
CALENDAR_KEYS = ("holidays", "workdays", "windows", "extra_holidays", "extra_workdays")
SERVICE_KEYS = ("answer_within", "answer_rings", "hotline_24h", "staffed_hours", "maintenance_notice", "escalation")
KIND_KEYS = ("like", "label", "label_en")
SELECTOR_KEYS = ("kind", "severity", "area", "tier")
RULE_CLOCKS = tuple(c for c in CLOCKS if c != "callback")
RULE_KEYS = SELECTOR_KEYS + ("note",) + RULE_CLOCKS
LIMIT_KEYS = ("limit", "dispatch_day_counts", "cutoff", "from")
CALLBACK_KEYS = ("mode", "kind", "tier", "within", "rate", "every", "on", "method", "segment", "note")


# -- discovery ------------------------------------------------------------------------------


def builtin_policy_dir() -> Path:
    """The shipped presets: ``data/policies``."""
    return data_dir() / "policies"


def policy_dirs() -> tuple[Path, ...]:
    """Where presets are looked for, later entries overriding earlier ones."""
    extra = os.environ.get(POLICY_DIR_ENV, "")
    return (builtin_policy_dir(), *(Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()))


def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in policy_dirs():
        if directory.is_dir():
            for path in sorted(directory.glob(f"*{SUFFIX}")):
                found[path.stem] = path
    return found


def list_policies() -> list[str]:
    """Names of every preset available (shipped and installed), sorted."""
    return sorted(_index())


def policy_path(name: str) -> Path:
    """The file of the preset called ``name``; raises :class:`PolicyNotFoundError`."""
    index = _index()
    try:
        return index[name]
    except KeyError:
        valid = sorted(index)
        raise PolicyNotFoundError(name, valid, msg("err.not_found", name=name, valid=", ".join(valid))) from None


def _looks_like_path(value: str | os.PathLike[str]) -> bool:
    if isinstance(value, os.PathLike):
        return True
    return value.endswith(SUFFIX) or "/" in value or os.sep in value


# -- loading --------------------------------------------------------------------------------

_cache: dict[tuple[str, int, tuple[Path, ...]], Policy] = {}


def clear_cache() -> None:
    """Forget loaded presets (after editing a file in a long-running process)."""
    _cache.clear()


def load_policy(name_or_path: str | os.PathLike[str] = DEFAULT_POLICY) -> Policy:
    """Load a preset by name (``"bazhong-96655"``) or by path to a ``.toml`` file.

    Raises :class:`PolicyNotFoundError` for an unknown name and :class:`PolicyError` with
    every problem found for a file that cannot be read or is not valid.
    """
    path = Path(name_or_path) if _looks_like_path(name_or_path) else policy_path(str(name_or_path))
    path = path.expanduser().resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc.strerror or exc)) from None
    key = (str(path), stamp, policy_dirs())
    cached = _cache.get(key)
    if cached is None:
        cached = _build(path)
        _cache[key] = cached
    return cached


def check_policy_file(path: str | os.PathLike[str]) -> list[PolicyIssue]:
    """Every problem of a preset file (empty when it is valid), without raising."""
    try:
        _build(Path(path).expanduser().resolve())
    except PolicyError as exc:
        return list(exc.issues)
    return []


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc.strerror or exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError.single(str(path), "", msg("err.toml", error=exc)) from None
    except UnicodeDecodeError as exc:
        raise PolicyError.single(str(path), "", msg("err.read", error=exc)) from None


def _chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and the presets it extends, base first."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in seen:
            names = " → ".join(p.name for p in [*seen, current])
            raise PolicyError.single(str(seen[-1]), "policy.extends", msg("err.extends_cycle", chain=names))
        seen.append(current)
        raw = _read(current)
        chain.append((current, raw))
        parent = raw.get("policy", {}).get("extends") if isinstance(raw.get("policy"), dict) else None
        if parent is None:
            current = None
        elif not isinstance(parent, str) or not parent.strip():
            raise PolicyError.single(
                str(current), "policy.extends", msg("err.type", expected=type_name("string"), got=repr(parent))
            )
        elif _looks_like_path(parent):
            current = (current.parent / parent).expanduser().resolve()
        else:
            try:
                current = policy_path(parent).resolve()
            except PolicyNotFoundError as exc:
                raise PolicyError.single(str(current), "policy.extends", exc.message) from None
    chain.reverse()
    return chain


@dataclass
class _Layer:
    """What one file of the chain says, validated."""

    path: Path
    policy: dict[str, Any] = field(default_factory=dict)
    calendar: dict[str, Any] = field(default_factory=dict)
    service: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, ExtraKind] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    callbacks: list[CallbackRule] = field(default_factory=list)


class _Checker:
    """Validates one file's raw TOML into a :class:`_Layer`, gathering issues."""

    def __init__(self, path: Path, layer_no: int, known_kinds: tuple[str, ...]) -> None:
        self.file = str(path)
        self.layer_no = layer_no
        self.known_kinds = known_kinds
        self.issues: list[PolicyIssue] = []
        self.out = _Layer(path)

    def problem(self, key: str, message: str) -> None:
        self.issues.append(PolicyIssue(self.file, key, message))

    def wrong_type(self, key: str, expected: str, value: Any) -> None:
        self.problem(key, msg("err.type", expected=type_name(expected), got=repr(value)))

    def table(self, raw: dict[str, Any], name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, dict):
            self.wrong_type(name, "table", value)
            return {}
        return value

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(f"{prefix}{key}", msg("err.unknown_key", key=key, valid=", ".join(allowed)))

    # -- scalar readers ----------------------------------------------------------------

    def string(self, table: dict[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(where, "string", value)
            return None
        return value

    def boolean(self, table: dict[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.wrong_type(where, "bool", value)
            return None
        return value

    def windows(self, value: Any, where: str) -> tuple[Window, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.wrong_type(where, "strings", value)
            return None
        result = []
        for i, item in enumerate(value):
            try:
                result.append(Window.parse(item) if isinstance(item, str) else Window.parse(str(item)))
            except ValueError as exc:
                self.problem(f"{where}[{i}]", msg("err.value", error=exc))
                return None
        return tuple(result)

    def dates(self, value: Any, where: str) -> frozenset[date] | None:
        if not isinstance(value, list):
            self.wrong_type(where, "list", value)
            return None
        result = set()
        for i, item in enumerate(value):
            if isinstance(item, date) and not isinstance(item, datetime):
                result.add(item)
            elif isinstance(item, str):
                try:
                    result.add(date.fromisoformat(item.strip()))
                except ValueError:
                    self.wrong_type(f"{where}[{i}]", "date", item)
            else:
                self.wrong_type(f"{where}[{i}]", "date", item)
        return frozenset(result)

    def cutoff(self, value: Any, where: str) -> time | None:
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, str):
            hh, sep, mm = value.strip().partition(":")
            if sep and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60:
                return time(int(hh), int(mm))
        self.wrong_type(where, "time", value)
        return None

    def limit(self, value: Any, where: str, anchor: str = "start") -> Limit | None:
        if isinstance(value, str):
            try:
                return Limit.parse(value, anchor=anchor)
            except ValueError as exc:
                self.problem(where, msg("err.value", error=exc))
                return None
        if not isinstance(value, dict):
            self.wrong_type(where, "limit", value)
            return None
        self.unknown_keys(value, LIMIT_KEYS, f"{where}.")
        text = value.get("limit")
        if text is None:
            self.problem(f"{where}.limit", msg("err.required"))
            return None
        if not isinstance(text, str):
            self.wrong_type(f"{where}.limit", "string", text)
            return None
        counts = self.boolean(value, "dispatch_day_counts", f"{where}.dispatch_day_counts") or False
        cut = self.cutoff(value["cutoff"], f"{where}.cutoff") if "cutoff" in value else None
        start_from = value.get("from", anchor)
        if start_from not in ("start", "done"):
            self.problem(f"{where}.from", msg("err.unknown_name", field="from", value=start_from, valid="start, done"))
            return None
        try:
            return Limit.parse(text, dispatch_day_counts=counts, cutoff=cut, anchor=start_from)
        except ValueError as exc:
            self.problem(where, msg("err.value", error=exc))
            return None

    def selector(self, table: dict[str, Any], key: str, valid: tuple[str, ...], where: str) -> frozenset[str] | None:
        """None = any; raises nothing, records issues and returns None on error."""
        value = table.get(key)
        if value is None or value == "*":
            return None
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            self.wrong_type(where, "strings", value)
            return None
        if not values:
            self.problem(where, msg("err.no_selector_values"))
            return None
        if "*" in values:
            return None
        bad = [v for v in values if v not in valid]
        for v in bad:
            field_name = msg(f"field.{key}")
            self.problem(where, msg("err.unknown_name", field=field_name, value=v, valid=", ".join(valid)))
        return frozenset(values)

    # -- sections -----------------------------------------------------------------------

    def run(self, raw: dict[str, Any]) -> _Layer:
        self.unknown_keys(raw, TOP_KEYS, "")
        self.read_policy(self.table(raw, "policy"))
        self.read_calendar(self.table(raw, "calendar"))
        self.read_service(self.table(raw, "service"))
        self.read_kinds(self.table(raw, "kinds"))
        self.read_rules(raw.get("rules", []))
        self.read_callbacks(raw.get("callbacks", []))
        return self.out

    def read_policy(self, table: dict[str, Any]) -> None:
        self.unknown_keys(table, POLICY_KEYS, "policy.")
        for key in ("title", "title_en", "source", "extends"):
            value = self.string(table, key, f"policy.{key}")
            if value is not None:
                self.out.policy[key] = value
        if "warn_ratio" in table:
            ratio = table["warn_ratio"]
            if isinstance(ratio, bool) or not isinstance(ratio, (int, float)):
                self.wrong_type("policy.warn_ratio", "number", ratio)
            elif not 0 < ratio < 1:
                self.problem("policy.warn_ratio", msg("err.ratio"))
            else:
                self.out.policy["warn_ratio"] = float(ratio)

    def read_calendar(self, table: dict[str, Any]) -> None:
        self.unknown_keys(table, CALENDAR_KEYS, "calendar.")
        out = self.out.calendar
        if "holidays" in table:
            value = table["holidays"]
            if value is False or (isinstance(value, str) and value.strip().lower() in ("", "none")):
                out["country"] = None
            elif isinstance(value, str):
                try:
                    check_country(value.strip())
                    out["country"] = value.strip()
                except ValueError:
                    self.problem("calendar.holidays", msg("err.country", country=value))
            else:
                self.wrong_type("calendar.holidays", "string", value)
        if "workdays" in table:
            value = table["workdays"]
            if not isinstance(value, list):
                self.wrong_type("calendar.workdays", "list", value)
            else:
                try:
                    out["workdays"] = weekday_numbers(value)
                except ValueError as exc:
                    self.problem(
                        "calendar.workdays", msg("err.value", error=f"{exc}; valid: {', '.join(WEEKDAYS)}")
                    )
        if "windows" in table:
            windows = self.windows(table["windows"], "calendar.windows")
            if windows is not None:
                out["windows"] = windows
        for key in ("extra_holidays", "extra_workdays"):
            if key in table:
                days = self.dates(table[key], f"calendar.{key}")
                if days is not None:
                    out[key] = days

    def read_service(self, table: dict[str, Any]) -> None:
        self.unknown_keys(table, SERVICE_KEYS, "service.")
        out = self.out.service
        for key in ("answer_within", "maintenance_notice"):
            if key in table:
                value = table[key]
                if not isinstance(value, str):
                    self.wrong_type(f"service.{key}", "string", value)
                    continue
                try:
                    out[key] = clock_duration(value)
                except ValueError as exc:
                    self.problem(f"service.{key}", msg("err.value", error=exc))
        if "answer_rings" in table:
            value = table["answer_rings"]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                self.wrong_type("service.answer_rings", "integer", value)
            else:
                out["answer_rings"] = value
        flag = self.boolean(table, "hotline_24h", "service.hotline_24h")
        if flag is not None:
            out["hotline_24h"] = flag
        if "staffed_hours" in table:
            windows = self.windows(table["staffed_hours"], "service.staffed_hours")
            if windows is not None:
                out["staffed_hours"] = windows
        if "escalation" in table:
            value = table["escalation"]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.wrong_type("service.escalation", "strings", value)
            else:
                out["escalation"] = tuple(value)

    def read_kinds(self, table: dict[str, Any]) -> None:
        for name, spec in table.items():
            where = f"kinds.{name}"
            if name in KINDS:
                self.problem(where, msg("err.kind_clash", name=name))
                continue
            if not isinstance(spec, dict):
                self.wrong_type(where, "table", spec)
                continue
            self.unknown_keys(spec, KIND_KEYS, f"{where}.")
            like = spec.get("like")
            if like not in KINDS:
                self.problem(
                    f"{where}.like",
                    msg("err.unknown_name", field=msg("field.kind"), value=like, valid=", ".join(KINDS)),
                )
                continue
            self.out.kinds[name] = ExtraKind(
                name=name,
                like=like,
                label=self.string(spec, "label", f"{where}.label") or "",
                label_en=self.string(spec, "label_en", f"{where}.label_en") or "",
            )

    def read_rules(self, rules: Any) -> None:
        if not isinstance(rules, list):
            self.wrong_type("rules", "list", rules)
            return
        for number, table in enumerate(rules, start=1):
            where = f"rules#{number}"
            if not isinstance(table, dict):
                self.wrong_type(where, "table", table)
                continue
            before = len(self.issues)
            for key in table:
                if key == "callback":
                    self.problem(f"{where}.callback", msg("err.callback_in_rules"))
                elif key not in RULE_KEYS:
                    self.problem(f"{where}.{key}", msg("err.unknown_key", key=key, valid=", ".join(RULE_KEYS)))
            kinds = self.selector(table, "kind", self.known_kinds, f"{where}.kind")
            severities = self.selector(table, "severity", SEVERITIES, f"{where}.severity")
            areas = self.selector(table, "area", AREAS, f"{where}.area")
            tiers = self.selector(table, "tier", TIERS, f"{where}.tier")
            clocks = []
            for clock in RULE_CLOCKS:
                if clock in table:
                    parsed = self.limit(table[clock], f"{where}.{clock}")
                    if parsed is not None:
                        clocks.append((clock, parsed))
            if not any(c in table for c in RULE_CLOCKS):
                self.problem(where, msg("err.no_clocks", valid=", ".join(RULE_CLOCKS)))
            note = self.string(table, "note", f"{where}.note") or ""
            if len(self.issues) == before:
                self.out.rules.append(
                    Rule(self.file, number, self.layer_no, kinds, severities, areas, tiers, tuple(clocks), note)
                )

    def read_callbacks(self, callbacks: Any) -> None:
        if not isinstance(callbacks, list):
            self.wrong_type("callbacks", "list", callbacks)
            return
        for number, table in enumerate(callbacks, start=1):
            where = f"callbacks#{number}"
            if not isinstance(table, dict):
                self.wrong_type(where, "table", table)
                continue
            before = len(self.issues)
            self.unknown_keys(table, CALLBACK_KEYS, f"{where}.")
            mode = table.get("mode")
            if mode not in CALLBACK_MODES:
                self.problem(
                    f"{where}.mode", msg("err.unknown_name", field="mode", value=mode, valid=", ".join(CALLBACK_MODES))
                )
            kinds = self.selector(table, "kind", self.known_kinds, f"{where}.kind")
            tiers = self.selector(table, "tier", TIERS, f"{where}.tier")
            within = self.limit(table["within"], f"{where}.within", anchor="done") if "within" in table else None
            rate = table.get("rate")
            if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1):
                self.problem(f"{where}.rate", msg("err.ratio"))
                rate = None
            if mode == "sampled" and rate is None and "rate" not in table:
                self.problem(f"{where}.rate", msg("err.sampled_needs_rate"))
            every = table.get("every")
            if every is not None and every not in CALLBACK_PERIODS:
                self.problem(
                    f"{where}.every",
                    msg("err.unknown_name", field="every", value=every, valid=", ".join(CALLBACK_PERIODS)),
                )
            on = table.get("on")
            if on is not None and on not in WEEKDAYS:
                self.problem(f"{where}.on", msg("err.unknown_name", field="on", value=on, valid=", ".join(WEEKDAYS)))
            method = table.get("method")
            if method is not None and method not in CALLBACK_METHODS:
                self.problem(
                    f"{where}.method",
                    msg("err.unknown_name", field="method", value=method, valid=", ".join(CALLBACK_METHODS)),
                )
            segment = self.string(table, "segment", f"{where}.segment")
            note = self.string(table, "note", f"{where}.note") or ""
            if len(self.issues) == before:
                self.out.callbacks.append(
                    CallbackRule(
                        source=self.file,
                        index=number,
                        layer=self.layer_no,
                        mode=mode,
                        kinds=kinds,
                        tiers=tiers,
                        within=within,
                        rate=float(rate) if rate is not None else None,
                        every=every,
                        on=on,
                        method=method,
                        segment=segment,
                        note=note,
                    )
                )


def _known_kinds(chain: list[tuple[Path, dict[str, Any]]]) -> tuple[str, ...]:
    extra: list[str] = []
    for _, raw in chain:
        kinds = raw.get("kinds")
        if isinstance(kinds, dict):
            extra.extend(k for k in kinds if k not in KINDS and k not in extra)
    return KINDS + tuple(extra)


def _build(path: Path) -> Policy:
    chain = _chain(path)
    known = _known_kinds(chain)
    issues: list[PolicyIssue] = []
    layers: list[_Layer] = []
    for number, (file, raw) in enumerate(chain):
        checker = _Checker(file, number, known)
        layers.append(checker.run(raw))
        issues.extend(checker.issues)
    if issues:
        raise PolicyError(issues)

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
    table, callback_table, conflicts = _resolve(rules, callbacks, extra_kinds, severities)
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


def _resolve(
    rules: list[Rule],
    callbacks: list[CallbackRule],
    extra_kinds: tuple[ExtraKind, ...],
    severities: tuple[str, ...],
) -> tuple[
    dict[tuple[str, str, str, str], tuple[AppliedClock, ...]],
    dict[tuple[str, str], CallbackRule],
    list[PolicyIssue],
]:
    """Decide, for every name combination, which rule sets each clock (see model.py)."""
    parents: dict[str, str | None] = {k: None for k in KINDS}
    parents.update({k.name: k.like for k in extra_kinds})
    conflicts: list[PolicyIssue] = []
    reported: set[tuple[int, int, int, int, str]] = set()

    # Callback rules per (kind, tier): only per-order rules (always / sampled).
    callback_table: dict[tuple[str, str], CallbackRule] = {}
    per_order = [c for c in callbacks if c.per_order]
    for kind, parent in parents.items():
        for tier in TIERS:
            best: tuple[Any, list[CallbackRule]] | None = None
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
                ident = (winner.layer, winner.index, other.layer, other.index, "callback")
                if ident not in reported:
                    reported.add(ident)
                    conflicts.append(
                        PolicyIssue(
                            other.source,
                            f"callbacks#{other.index}",
                            msg("err.callback_conflict", other=winner.label, kind=kind, tier=tier),
                        )
                    )
            callback_table[(kind, tier)] = winner

    order = {c: i for i, c in enumerate(CLOCKS)}
    table: dict[tuple[str, str, str, str], tuple[AppliedClock, ...]] = {}
    applicable = {kind: [r for r in rules if r.kind_level(kind, parent) is not None] for kind, parent in parents.items()}
    for kind, parent in parents.items():
        for severity in severities:
            for area in AREAS:
                for tier in TIERS:
                    best_by_clock: dict[str, tuple[Any, list[tuple[Rule, Limit]]]] = {}
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
                            ident = (winner.layer, winner.index, other.layer, other.index, clock)
                            if ident not in reported:
                                reported.add(ident)
                                conflicts.append(
                                    PolicyIssue(
                                        other.source,
                                        f"rules#{other.index}.{clock}",
                                        msg(
                                            "err.conflict",
                                            other=winner.label,
                                            clock=clock,
                                            kind=kind,
                                            severity=severity,
                                            area=area,
                                            tier=tier,
                                        ),
                                    )
                                )
                        applied.append(AppliedClock(clock, limit, winner.label, winner.note))
                    callback = callback_table.get((kind, tier))
                    if callback is not None and callback.mode == "always" and callback.within is not None:
                        applied.append(AppliedClock("callback", callback.within, callback.label, callback.note))
                    applied.sort(key=lambda a: order[a.clock])
                    table[(kind, severity, area, tier)] = tuple(applied)
    return table, callback_table, conflicts


__all__ = [
    "DEFAULT_POLICY",
    "POLICY_DIR_ENV",
    "builtin_policy_dir",
    "check_policy_file",
    "clear_cache",
    "list_policies",
    "load_policy",
    "policy_dirs",
    "policy_path",
]
