"""Validating one policy file: raw TOML in, a checked :class:`Layer` and every issue out.

A preset file is checked on its own (its ``extends`` base is another file, checked alike);
:class:`Checker` gathers every problem before anything raises, each naming the file, the key
(``rules#3.resolve``: the third ``[[rules]]`` table, counted from 1) and what is wrong.
Merging the layers and deciding which rule wins is :mod:`agentdesk.policy.resolution`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from agentdesk.policy.calendar import Window, check_country, weekday_numbers
from agentdesk.policy.errors import PolicyIssue
from agentdesk.policy.limits import Limit, clock_duration
from agentdesk.policy.messages import msg, type_name
from agentdesk.policy.model import CallbackRule, ExtraKind, Rule
from agentdesk.policy.names import (
    AREAS,
    CALLBACK_METHODS,
    CALLBACK_MODES,
    CALLBACK_PERIODS,
    CLOCKS,
    KINDS,
    SEVERITIES,
    TIERS,
    WEEKDAYS,
)

_T = TypeVar("_T")

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


@dataclass
class Layer:
    """What one file of the chain says, validated."""

    path: Path
    policy: dict[str, Any] = field(default_factory=dict)
    calendar: dict[str, Any] = field(default_factory=dict)
    service: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, ExtraKind] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    callbacks: list[CallbackRule] = field(default_factory=list)


class Checker:
    """Validates one file's raw TOML into a :class:`Layer`, gathering issues."""

    def __init__(self, path: Path, layer_no: int, known_kinds: tuple[str, ...]) -> None:
        self.file = str(path)
        self.layer_no = layer_no
        self.known_kinds = known_kinds
        self.issues: list[PolicyIssue] = []
        self.out = Layer(path)

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

    def typed(self, table: dict[str, Any], key: str, where: str, kind: type[_T], expected: str) -> _T | None:
        """``table[key]`` when it is a ``kind``; None when absent, or (recorded) of another type."""
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, kind):
            self.wrong_type(where, expected, value)
            return None
        return value

    def string(self, table: dict[str, Any], key: str, where: str) -> str | None:
        return self.typed(table, key, where, str, "string")

    def boolean(self, table: dict[str, Any], key: str, where: str) -> bool | None:
        return self.typed(table, key, where, bool, "bool")

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

    def choice(
        self, table: dict[str, Any], key: str, valid: tuple[str, ...], where: str, *, required: bool = False
    ) -> str | None:
        """One of ``valid`` (the key's own name is the field in the message); None if absent or wrong."""
        value = table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or value not in valid:
            self.problem(where, msg("err.unknown_name", field=key, value=value, valid=", ".join(valid)))
            return None
        return value

    def entries(self, value: Any, name: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """The tables of an array of tables (``[[rules]]``), numbered from 1, each with its key."""
        if not isinstance(value, list):
            self.wrong_type(name, "list", value)
            return
        for number, table in enumerate(value, start=1):
            where = f"{name}#{number}"
            if not isinstance(table, dict):
                self.wrong_type(where, "table", table)
                continue
            yield number, where, table

    # -- sections -----------------------------------------------------------------------

    def run(self, raw: dict[str, Any]) -> Layer:
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
        for number, where, table in self.entries(rules, "rules"):
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
            clocks: list[tuple[str, Limit]] = []
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
        for number, where, table in self.entries(callbacks, "callbacks"):
            before = len(self.issues)
            self.unknown_keys(table, CALLBACK_KEYS, f"{where}.")
            mode = self.choice(table, "mode", CALLBACK_MODES, f"{where}.mode", required=True)
            kinds = self.selector(table, "kind", self.known_kinds, f"{where}.kind")
            tiers = self.selector(table, "tier", TIERS, f"{where}.tier")
            within = self.limit(table["within"], f"{where}.within", anchor="done") if "within" in table else None
            rate = table.get("rate")
            if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1):
                self.problem(f"{where}.rate", msg("err.ratio"))
                rate = None
            if mode == "sampled" and rate is None and "rate" not in table:
                self.problem(f"{where}.rate", msg("err.sampled_needs_rate"))
            every = self.choice(table, "every", CALLBACK_PERIODS, f"{where}.every")
            on = self.choice(table, "on", WEEKDAYS, f"{where}.on")
            method = self.choice(table, "method", CALLBACK_METHODS, f"{where}.method")
            segment = self.string(table, "segment", f"{where}.segment")
            note = self.string(table, "note", f"{where}.note") or ""
            if mode is not None and len(self.issues) == before:
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


def known_kinds(chain: list[tuple[Path, dict[str, Any]]]) -> tuple[str, ...]:
    """The standard kinds and those any file of the chain adds, so a base may name a kind its child defines."""
    extra: list[str] = []
    for _, raw in chain:
        kinds = raw.get("kinds")
        if isinstance(kinds, dict):
            extra.extend(k for k in kinds if k not in KINDS and k not in extra)
    return KINDS + tuple(extra)
