"""Time limits and how a limit turns a start into a deadline.

The standards state limits in five ways, and each needs its own arithmetic:

* clock time — seconds, minutes, hours (``"15s"``, ``"10min"``, ``"4h"``): start + duration,
  around the clock, weekends and nights included;
* calendar days (``"3d"``): the deadline is the end (23:59:59) of the n-th day after the
  start's day — or, when "the dispatch day counts" (含派单当天), of the (n-1)-th;
* working days (``"5wd"``): the end of the n-th working day after the start's day, by the
  policy's calendar (holidays and make-up days applied); with "the dispatch day counts"
  a working start day is day one;
* ``"end_of_workday"``: the close of work of the start's working day (or of the next one
  when the start is after the close or on a day off) — "dispatched before the day's close";
* ``"next_workday_start"``: the start of work of the next working day — "第二日上班时".

A cut-off (``cutoff = "17:00"``) moves the start first: accepted at or after the cut-off,
or on a day off, the clock starts at the next working day's start of work (see
:meth:`BusinessCalendar.counted_from`).

Day-based deadlines end at 23:59:59 of their last day, not at the close of work, because
the standards count days, and because the last day may be a weekend for calendar days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from agentdesk.policy.calendar import BusinessCalendar, format_hhmm

#: Unit suffixes of a duration string.
UNITS: tuple[str, ...] = ("s", "min", "h", "d", "wd")
#: Limits that are a point of the working day rather than an amount.
POINT_LIMITS: tuple[str, ...] = ("end_of_workday", "next_workday_start")
#: What a limit can be counted from.
ANCHORS: tuple[str, ...] = ("start", "done")

_DURATION = re.compile(r"^\s*(\d+)\s*(s|min|h|d|wd)\s*$")
_SECONDS = {"s": 1, "min": 60, "h": 3600}
_END_OF_DAY = time(23, 59, 59)


def parse_duration(text: str) -> tuple[int, str]:
    """``"4h"`` → ``(4, "h")``. Raises ValueError on anything else, including zero."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use a whole number and one of {', '.join(UNITS)})")
    amount = int(match.group(1))
    if amount <= 0:
        raise ValueError(f"a duration must be positive: {text!r}")
    return amount, match.group(2)


def clock_duration(text: str) -> timedelta:
    """A clock-time duration (s, min, h) as a timedelta; day units are rejected because
    their length depends on the calendar."""
    amount, unit = parse_duration(text)
    if unit not in _SECONDS:
        raise ValueError(f"expected seconds, minutes or hours: {text!r}")
    return timedelta(seconds=amount * _SECONDS[unit])


def format_timedelta(delta: timedelta) -> str:
    """The shortest exact duration string: 900 s → ``"15min"``, 86400 s → ``"24h"``."""
    seconds = int(delta.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}min"
    return f"{seconds}s"


@dataclass(frozen=True)
class Limit:
    """One time limit: an amount and unit, plus how it is counted.

    ``unit`` is one of :data:`UNITS` or :data:`POINT_LIMITS` (then ``amount`` is 0).
    ``anchor`` says whether the clock starts at acceptance (``"start"``) or at completion
    (``"done"``, e.g. the callback window).
    """

    amount: int
    unit: str
    dispatch_day_counts: bool = False
    cutoff: time | None = None
    anchor: str = "start"

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        dispatch_day_counts: bool = False,
        cutoff: time | None = None,
        anchor: str = "start",
    ) -> Limit:
        text = text.strip()
        if text in POINT_LIMITS:
            amount, unit = 0, text
        else:
            amount, unit = parse_duration(text)
        if dispatch_day_counts and unit not in ("d", "wd"):
            raise ValueError("dispatch_day_counts only applies to day units (d, wd)")
        if anchor not in ANCHORS:
            raise ValueError(f"anchor must be one of {', '.join(ANCHORS)}")
        return cls(amount, unit, dispatch_day_counts, cutoff, anchor)

    @property
    def text(self) -> str:
        """The limit as written in a preset, e.g. ``"4h"`` or ``"end_of_workday"``."""
        return self.unit if self.unit in POINT_LIMITS else f"{self.amount}{self.unit}"

    @property
    def is_clock_time(self) -> bool:
        return self.unit in _SECONDS

    def describe(self) -> str:
        """Compact text with the counting rules, for tables: ``"3d (dispatch day counts)"``."""
        parts = [self.text]
        if self.dispatch_day_counts:
            parts.append("+day0")
        if self.cutoff is not None:
            parts.append(f"cutoff {format_hhmm(self.cutoff.hour * 60 + self.cutoff.minute)}")
        if self.anchor != "start":
            parts.append(f"from {self.anchor}")
        return " ".join(parts)

    def due(self, start: datetime, calendar: BusinessCalendar) -> datetime:
        """The deadline of a clock started at ``start``. Never earlier than ``start``."""
        unit = self.unit
        begin = calendar.counted_from(start, self.cutoff) if self.cutoff is not None else start
        if unit == "h":
            return begin + timedelta(hours=self.amount)
        if unit == "min":
            return begin + timedelta(minutes=self.amount)
        if unit == "s":
            return begin + timedelta(seconds=self.amount)
        if unit == "d":
            day = begin.date() + timedelta(days=self.amount - 1 if self.dispatch_day_counts else self.amount)
            return max(begin, datetime.combine(day, _END_OF_DAY))
        if unit == "wd":
            first = begin.date()
            if self.dispatch_day_counts:
                last = calendar.add_working_days(first, self.amount - 1)
            else:
                last = calendar.add_working_days(first, self.amount)
            return max(begin, datetime.combine(last, _END_OF_DAY))
        if unit == "end_of_workday":
            return calendar.end_of_workday(begin)
        if unit == "next_workday_start":
            return calendar.next_workday_start(begin)
        raise ValueError(f"unknown unit {unit!r}")  # pragma: no cover - parse() rejects it
