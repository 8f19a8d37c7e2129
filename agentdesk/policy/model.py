"""A loaded policy: its rules, callback rules, calendar and service facts.

Rule matching ("most specific rule wins") is decided once, when the policy is built: every
combination of kind × severity × area × tier is resolved into the clocks that apply, so
``Policy.deadlines()`` is one dictionary look-up plus the arithmetic of each clock.

Precedence, for each clock separately — the first difference decides:

1. the preset layer: a rule of a preset that ``extends`` another beats the base's rules;
2. the kind: a rule naming the exact kind beats one naming its parent kind (for kinds a
   preset adds, e.g. ``install_trunk`` like ``install``), which beats one naming no kind;
3. the tier: a rule naming tiers beats one that does not;
4. the severity: likewise;
5. the area: likewise.

So a VIP rule beats an area rule (巴中: VIP repairs 2 h wherever the customer lives), and a
severity rule beats an area-only rule. Two rules of equal precedence that both set the same
clock for some combination are an error found at load time, not a silent tie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from agentdesk.policy.calendar import BusinessCalendar, Window
from agentdesk.policy.errors import UnknownNameError
from agentdesk.policy.limits import Limit
from agentdesk.policy.names import AREAS, CLOCKS, KINDS, TIERS, clock_key
from agentdesk.policy.sla import ClockState, StatusEvent, evaluate

_CLOCK_ORDER = {clock_key(c): i for i, c in enumerate(CLOCKS)}


_KeyedLimits = tuple[tuple[str, Limit], ...]  # (deadline key, limit) pairs


def _spec(values: frozenset[str] | None) -> int:
    return 0 if values is None else 1


def _kind_level(kinds: frozenset[str] | None, kind: str, parent: str | None) -> int | None:
    """How closely a rule naming ``kinds`` (None = any) fits ``kind``: 2 exact kind, 1 its
    parent kind, 0 any kind, None when the rule does not apply."""
    if kinds is None:
        return 0
    if kind in kinds:
        return 2
    if parent is not None and parent in kinds:
        return 1
    return None


@dataclass(frozen=True)
class Rule:
    """One ``[[rules]]`` entry: selectors (None = any) and the clocks it sets."""

    source: str
    index: int  # 1-based position among the file's [[rules]]
    layer: int  # 0 for the base preset, +1 per ``extends`` step towards the loaded file
    kinds: frozenset[str] | None
    severities: frozenset[str] | None
    areas: frozenset[str] | None
    tiers: frozenset[str] | None
    clocks: tuple[tuple[str, Limit], ...]
    note: str = ""

    @property
    def label(self) -> str:
        return f"{Path(self.source).name} rules#{self.index}"

    def kind_level(self, kind: str, parent: str | None) -> int | None:
        """2 exact kind, 1 parent kind, 0 any kind, None when the rule does not apply."""
        return _kind_level(self.kinds, kind, parent)

    def precedence(self, kind_level: int) -> tuple[int, int, int, int, int]:
        return (
            self.layer,
            kind_level,
            _spec(self.tiers),
            _spec(self.severities),
            _spec(self.areas),
        )

    def matches(self, severity: str, area: str, tier: str) -> bool:
        return (
            (self.severities is None or severity in self.severities)
            and (self.areas is None or area in self.areas)
            and (self.tiers is None or tier in self.tiers)
        )


@dataclass(frozen=True)
class CallbackRule:
    """A ``[[callbacks]]`` entry: when customers are called back (回访).

    ``always``: every matching work order, within ``within`` of completion (when stated).
    ``sampled``: a share ``rate`` of the matching customers, every ``every`` (on ``on``).
    ``periodic``: every customer of the tier, every ``every``, by ``method``.
    ``segment`` names a customer group a standard singles out (e.g. digital-TV conversion
    users) that is not a kind or tier; such rules are informational.
    """

    source: str
    index: int
    layer: int
    mode: str
    kinds: frozenset[str] | None
    tiers: frozenset[str] | None
    within: Limit | None = None
    rate: float | None = None
    every: str | None = None
    on: str | None = None
    method: str | None = None
    segment: str | None = None
    note: str = ""

    @property
    def per_order(self) -> bool:
        """Always- and sampled-rules concern work orders; periodic rules concern customers."""
        return self.mode != "periodic" and self.segment is None

    @property
    def label(self) -> str:
        return f"{Path(self.source).name} callbacks#{self.index}"

    def precedence(self, kind_level: int) -> tuple[int, int, int]:
        return (self.layer, kind_level, _spec(self.tiers))

    def kind_level(self, kind: str, parent: str | None) -> int | None:
        return _kind_level(self.kinds, kind, parent)


@dataclass(frozen=True)
class ServiceFacts:
    """Standards that are not per-work-order deadlines but the desk still shows or checks."""

    answer_within: timedelta | None = None  # answer the phone within (ISP: 15 s)
    answer_rings: int | None = None  # … within so many rings (ISP: 3)
    hotline_24h: bool = False  # the hotline takes calls around the clock
    staffed_hours: tuple[Window, ...] = ()  # hours that must be staffed (ISP: 19:00–23:00)
    maintenance_notice: timedelta | None = None  # announce maintenance so long ahead (Jiangxi: 24 h)
    escalation: tuple[str, ...] = ()  # escalation levels, lowest first (China Telecom: 4 levels)


@dataclass(frozen=True)
class AppliedClock:
    """A clock that applies to a request, with the rule it comes from (for explaining it)."""

    clock: str
    limit: Limit
    source: str  # the rule's label, e.g. "bazhong-96655.toml rules#7"
    note: str

    @property
    def key(self) -> str:
        """The clock's key in ``deadlines()`` results, e.g. ``resolve_by``."""
        return clock_key(self.clock)


@dataclass(frozen=True)
class ExtraKind:
    """A kind a preset adds, behaving like ``like`` where its own rules say nothing."""

    name: str
    like: str
    label: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Policy:
    """One operator's service standard, ready to compute deadlines.

    Build it with :func:`agentdesk.policy.load_policy`; the constructor expects validated
    parts and a resolution table (see the module docstring for the precedence order).
    """

    name: str
    title: str
    title_en: str
    source: str  # where its figures come from (e.g. "seed 001")
    path: Path | None
    warn_ratio: float
    calendar: BusinessCalendar
    service: ServiceFacts
    rules: tuple[Rule, ...]
    callbacks: tuple[CallbackRule, ...]
    extra_kinds: tuple[ExtraKind, ...] = ()
    severities: tuple[str, ...] = ("general", "major", "critical")
    extends: str | None = None
    _table: Mapping[tuple[str, str, str, str], tuple[AppliedClock, ...]] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )
    _callback_table: Mapping[tuple[str, str], CallbackRule] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )
    # (start-anchored (key, limit) pairs, done-anchored pairs, whether the result needs
    # re-sorting) per combination: what deadlines() runs on, precomputed once.
    _fast: dict[tuple[str, str, str, str], tuple[_KeyedLimits, _KeyedLimits, bool]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        for combo, applied in self._table.items():
            first = tuple((a.key, a.limit) for a in applied if a.limit.anchor == "start")
            later = tuple((a.key, a.limit) for a in applied if a.limit.anchor != "start")
            # Results keep clock order; only a done-anchored clock that comes before a
            # start-anchored one in CLOCKS order forces a sort.
            keys = [a.key for a in applied]
            resort = keys != [k for k, _ in first] + [k for k, _ in later]
            self._fast[combo] = (first, later, resort)

    # -- names ----------------------------------------------------------------------------

    @property
    def kinds(self) -> tuple[str, ...]:
        """Valid kinds: the standard ones plus those this preset adds."""
        return KINDS + tuple(k.name for k in self.extra_kinds)

    @property
    def areas(self) -> tuple[str, ...]:
        return AREAS

    @property
    def tiers(self) -> tuple[str, ...]:
        return TIERS

    def parent_kind(self, kind: str) -> str | None:
        for extra in self.extra_kinds:
            if extra.name == kind:
                return extra.like
        return None

    def check_names(self, kind: str, severity: str = "general", area: str = "city", tier: str = "regular") -> None:
        """Raise :class:`UnknownNameError` for the first name this policy does not know."""
        for what, value, valid in (
            ("kind", kind, self.kinds),
            ("severity", severity, self.severities),
            ("area", area, AREAS),
            ("tier", tier, TIERS),
        ):
            if value not in valid:
                raise UnknownNameError(what, value, valid)

    # -- deadlines --------------------------------------------------------------------------

    def applicable(
        self, kind: str, severity: str = "general", area: str = "city", tier: str = "regular"
    ) -> tuple[AppliedClock, ...]:
        """The clocks that apply to such a request, in :data:`CLOCKS` order, with their rules."""
        try:
            return self._table[(kind, severity, area, tier)]
        except KeyError:
            self.check_names(kind, severity, area, tier)
            raise

    def deadlines(
        self,
        kind: str,
        severity: str = "general",
        area: str = "city",
        tier: str = "regular",
        *,
        start: datetime,
        done_at: datetime | None = None,
    ) -> dict[str, datetime]:
        """Every deadline that applies, keyed ``respond_by``, ``resolve_by``, … in clock order.

        ``start`` is when the clock starts: the acceptance (or dispatch) of the work order —
        with missing materials, when they are complete (the standards say so). Clocks
        measured from completion (``callback_by``) use ``done_at``; without it they are
        projected from ``resolve_by`` (the latest allowed completion), or from ``start`` when
        nothing sets a resolve clock.
        """
        try:
            first, later, resort = self._fast[(kind, severity, area, tier)]
        except KeyError:
            self.check_names(kind, severity, area, tier)
            raise
        calendar = self.calendar
        result = {key: limit.due(start, calendar) for key, limit in first}
        if later:
            anchor = done_at or result.get("resolve_by") or start
            for key, limit in later:
                result[key] = limit.due(anchor, calendar)
            if resort:
                result = dict(sorted(result.items(), key=lambda kv: _CLOCK_ORDER[kv[0]]))
        return result

    def evaluate(
        self,
        start: datetime,
        deadline: datetime,
        events: tuple[StatusEvent, ...] | list[StatusEvent] = (),
        now: datetime | None = None,
    ) -> ClockState:
        """:func:`agentdesk.policy.evaluate` with this policy's warning threshold."""
        return evaluate(start, deadline, events, now, self.warn_ratio)

    # -- callbacks --------------------------------------------------------------------------

    def callback_rule(self, kind: str, tier: str = "regular") -> CallbackRule | None:
        """The per-order callback rule (always or sampled) for such a work order, or None."""
        if kind not in self.kinds:
            raise UnknownNameError("kind", kind, self.kinds)
        if tier not in TIERS:
            raise UnknownNameError("tier", tier, TIERS)
        return self._callback_table.get((kind, tier))

    def periodic_callbacks(self, tier: str | None = None) -> tuple[CallbackRule, ...]:
        """Periodic and segment callback rules (per customer, not per order), optionally
        only those that apply to ``tier``."""
        if tier is not None and tier not in TIERS:
            raise UnknownNameError("tier", tier, TIERS)
        return tuple(
            c
            for c in self.callbacks
            if not c.per_order and (tier is None or c.tiers is None or tier in c.tiers)
        )

    def describe(self) -> dict[str, object]:
        """A JSON-ready description of the whole policy (``policy show --json``)."""

        def names(values: frozenset[str] | None) -> list[str] | None:
            return None if values is None else sorted(values)

        cal = self.calendar
        return {
            "name": self.name,
            "title": self.title,
            "title_en": self.title_en,
            "source": self.source,
            "path": str(self.path) if self.path else None,
            "extends": self.extends,
            "warn_ratio": self.warn_ratio,
            "calendar": {
                "holidays": cal.country,
                "workdays": list(cal.workday_names),
                "windows": [str(w) for w in cal.windows],
                "extra_holidays": sorted(d.isoformat() for d in cal.extra_holidays),
                "extra_workdays": sorted(d.isoformat() for d in cal.extra_workdays),
            },
            "service": {
                "answer_within_seconds": int(self.service.answer_within.total_seconds())
                if self.service.answer_within
                else None,
                "answer_rings": self.service.answer_rings,
                "hotline_24h": self.service.hotline_24h,
                "staffed_hours": [str(w) for w in self.service.staffed_hours],
                "maintenance_notice_hours": self.service.maintenance_notice.total_seconds() / 3600
                if self.service.maintenance_notice
                else None,
                "escalation": list(self.service.escalation),
            },
            "kinds": list(self.kinds),
            "extra_kinds": [
                {"name": k.name, "like": k.like, "label": k.label, "label_en": k.label_en} for k in self.extra_kinds
            ],
            "severities": list(self.severities),
            "rules": [
                {
                    "source": r.label,
                    "kind": names(r.kinds),
                    "severity": names(r.severities),
                    "area": names(r.areas),
                    "tier": names(r.tiers),
                    "clocks": {
                        clock: {
                            "limit": limit.text,
                            "dispatch_day_counts": limit.dispatch_day_counts,
                            "cutoff": limit.cutoff.strftime("%H:%M") if limit.cutoff else None,
                            "from": limit.anchor,
                        }
                        for clock, limit in r.clocks
                    },
                    "note": r.note,
                }
                for r in self.rules
            ],
            "callbacks": [
                {
                    "source": c.label,
                    "mode": c.mode,
                    "kind": names(c.kinds),
                    "tier": names(c.tiers),
                    "within": c.within.text if c.within else None,
                    "rate": c.rate,
                    "every": c.every,
                    "on": c.on,
                    "method": c.method,
                    "segment": c.segment,
                    "note": c.note,
                }
                for c in self.callbacks
            ],
        }
