"""The business calendar: which days are working days and when work starts and stops.

Working-day limits ("5 个工作日"), cut-offs ("下午5点后受理的,时限从第二日上班时间起计算")
and "before the day's close" all need to know the operator's working days. China moves
working days around its public holidays (调休): a weekend day can be a working day and a
weekday a day off. The ``holidays`` library knows both; ``holidays.country_holidays("CN")``
lists the days off (including the swapped weekdays, "Day off (substituted from …)") and
keeps the make-up working days in its ``weekend_workdays`` set, which is what its own
``is_working_day()`` consults. An installation adds its own days off and extra working days
on top.

Everything is precomputed per calendar year (a sorted array of working-day ordinals) and
per day (its working windows), so a deadline costs a dictionary look-up and a bisection,
never a loop over minutes or days.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise

import holidays as holidays_lib

from agentdesk.policy.names import WEEKDAYS

_MINUTES_PER_DAY = 24 * 60
#: How far a working-day search may run before the calendar is declared broken.
_MAX_YEARS_AHEAD = 20


def parse_hhmm(text: str) -> int:
    """``"08:30"`` → minutes since midnight. ``"24:00"`` is allowed as an end of day."""
    hh, sep, mm = text.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"not a HH:MM time: {text!r}")
    minutes = int(hh) * 60 + int(mm)
    if int(mm) >= 60 or minutes > _MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {text!r}")
    return minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class Window:
    """One working window of a day, e.g. 08:30–12:00, in minutes since midnight."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"08:30-12:00"`` → Window. The end may be ``24:00``; the window may not be empty."""
        left, sep, right = text.partition("-")
        if not sep:
            raise ValueError(f"not a HH:MM-HH:MM window: {text!r}")
        start, end = parse_hhmm(left), parse_hhmm(right)
        if start >= _MINUTES_PER_DAY or end <= start:
            raise ValueError(f"window must start before it ends: {text!r}")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{format_hhmm(self.start)}-{format_hhmm(self.end)}"


DEFAULT_WINDOWS: tuple[Window, ...] = (Window(8 * 60 + 30, 12 * 60), Window(13 * 60 + 30, 17 * 60 + 30))


@lru_cache(maxsize=256)
def country_days(country: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days) of ``country`` in ``year``, from the holidays library.

    The library's ``weekend_workdays`` set can carry days of other years (it is filled from
    every year's swap table), so it is filtered to ``year``.
    """
    table = holidays_lib.country_holidays(country, years=year)
    days_off = frozenset(d for d in table if d.year == year)
    makeup = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    return days_off, makeup


def check_country(country: str) -> None:
    """Raise ValueError when the holidays library does not know ``country``."""
    try:
        holidays_lib.country_holidays(country, years=2026)
    except (NotImplementedError, KeyError, AttributeError) as exc:
        raise ValueError(f"unknown holiday country {country!r}") from exc


@dataclass(frozen=True)
class _Year:
    ordinals: tuple[int, ...]  # sorted ordinals of the year's working days
    members: frozenset[int]


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and working windows of one operator.

    A day is a working day when, in this order: it is one of ``extra_workdays`` (yes); one
    of ``extra_holidays`` (no); a public holiday of ``country`` (no); a make-up working day
    of ``country`` (yes); otherwise its weekday is in ``workdays``.
    """

    workdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    windows: tuple[Window, ...] = DEFAULT_WINDOWS
    country: str | None = "CN"
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    _years: dict[int, _Year] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _days: dict[int, tuple[datetime, datetime, tuple[tuple[datetime, datetime], ...]] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("a calendar needs at least one working window")
        if not self.workdays and not self.extra_workdays:
            raise ValueError("a calendar needs at least one working day")
        ordered = sorted(self.windows)
        for before, after in pairwise(ordered):
            if after.start < before.end:
                raise ValueError(f"working windows overlap: {before} and {after}")
        object.__setattr__(self, "windows", tuple(ordered))

    # -- days ---------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        days_off: frozenset[date] = frozenset()
        makeup: frozenset[date] = frozenset()
        if self.country:
            days_off, makeup = country_days(self.country, year)
        ordinals: list[int] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        while day.year == year:
            if day in self.extra_workdays:
                working = True
            elif day in self.extra_holidays or day in days_off:
                working = False
            elif day in makeup:
                working = True
            else:
                working = day.weekday() in self.workdays
            if working:
                ordinals.append(day.toordinal())
            day += one
        built = _Year(tuple(ordinals), frozenset(ordinals))
        self._years[year] = built
        return built

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is a working day of this calendar (holidays and 调休 applied)."""
        return day.toordinal() in self._year(day.year).members

    def working_days(self, year: int) -> tuple[date, ...]:
        """Every working day of ``year``, in order."""
        return tuple(date.fromordinal(o) for o in self._year(year).ordinals)

    def public_holidays(self, year: int) -> frozenset[date]:
        """The country's days off in ``year`` (empty when the calendar has no country)."""
        return country_days(self.country, year)[0] if self.country else frozenset()

    def makeup_workdays(self, year: int) -> frozenset[date]:
        """The country's make-up working days (调休上班) in ``year``."""
        return country_days(self.country, year)[1] if self.country else frozenset()

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day strictly after ``day`` (``n`` ≥ 1); ``n`` = 0 gives
        ``day`` itself when it is a working day, else the next working day."""
        if n < 0:
            raise ValueError("n must not be negative")
        ordinal = day.toordinal()
        year = day.year
        table = self._year(year).ordinals
        if n == 0:
            if ordinal in self._year(year).members:
                return day
            n = 1
        index = bisect_right(table, ordinal)
        remaining = n
        while True:
            available = len(table) - index
            if remaining <= available:
                return date.fromordinal(table[index + remaining - 1])
            remaining -= available
            year += 1
            if year > day.year + _MAX_YEARS_AHEAD + n // 200:
                raise ValueError("no working day found: the calendar has (almost) none")
            table = self._year(year).ordinals
            index = 0

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        return self.add_working_days(day, 1)

    # -- hours --------------------------------------------------------------------------

    def _day(self, day: date) -> tuple[datetime, datetime, tuple[tuple[datetime, datetime], ...]] | None:
        """(start of work, close of work, windows) of a working day; None on a day off."""
        ordinal = day.toordinal()
        try:
            return self._days[ordinal]
        except KeyError:
            pass
        entry = None
        if self.is_working_day(day):
            midnight = datetime(day.year, day.month, day.day)
            spans = tuple(
                (midnight + timedelta(minutes=w.start), midnight + timedelta(minutes=w.end)) for w in self.windows
            )
            entry = (spans[0][0], spans[-1][1], spans)
        self._days[ordinal] = entry
        return entry

    def day_windows(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working windows of ``day`` as datetimes; empty on a day off."""
        entry = self._day(day)
        return entry[2] if entry else ()

    def start_of_work(self, day: date) -> datetime | None:
        entry = self._day(day)
        return entry[0] if entry else None

    def close_of_work(self, day: date) -> datetime | None:
        entry = self._day(day)
        return entry[1] if entry else None

    def is_working_time(self, moment: datetime) -> bool:
        """True inside one of the day's working windows."""
        return any(a <= moment < b for a, b in self.day_windows(moment.date()))

    def next_workday_start(self, moment: datetime) -> datetime:
        """The start of work on the next working day after ``moment``'s date (第二日上班时)."""
        day = self.next_working_day(moment.date())
        entry = self._day(day)
        assert entry is not None
        return entry[0]

    def end_of_workday(self, moment: datetime) -> datetime:
        """The close of work of the working day ``moment`` falls on; after the close or on a
        day off, the close of the next working day ("before the day's close")."""
        entry = self._day(moment.date())
        if entry is not None and moment < entry[1]:
            return entry[1]
        day = self.next_working_day(moment.date())
        entry = self._day(day)
        assert entry is not None
        return entry[1]

    def counted_from(self, moment: datetime, cutoff: time | None) -> datetime:
        """When a clock with a cut-off starts for a request accepted at ``moment``.

        Accepted on a working day between its start of work and the cut-off: at once.
        Accepted before the start of work: at that day's start of work. Accepted at or after
        the cut-off, or on a day off: at the next working day's start of work. Without a
        cut-off the clock starts at once.
        """
        if cutoff is None:
            return moment
        entry = self._day(moment.date())
        if entry is not None:
            if moment < entry[0]:
                return entry[0]
            if moment.time() < cutoff:
                return moment
        return self.next_workday_start(moment)

    # -- description --------------------------------------------------------------------

    @property
    def workday_names(self) -> tuple[str, ...]:
        return tuple(WEEKDAYS[d] for d in sorted(self.workdays))


def weekday_numbers(names: Iterable[str]) -> frozenset[int]:
    """``["mon", "fri"]`` → ``{0, 4}``; raises ValueError naming a bad entry."""
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    numbers = set()
    for name in names:
        key = str(name).strip().lower()
        if key in WEEKDAYS:
            numbers.add(WEEKDAYS.index(key))
        elif key in full:
            numbers.add(full.index(key))
        else:
            raise ValueError(f"not a weekday: {name!r}")
    return frozenset(numbers)
