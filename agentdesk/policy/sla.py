"""The running state of one deadline clock, rebuilt from the work order's history.

The database keeps the status history of a work order (approved delays, customer
unreachable, done); this module replays that history to find where a clock stands at any
moment. Replaying instead of storing a running total means a corrected or back-dated event
gives the right answer the next time the state is read.

Event kinds:

* ``pause`` — the clock stops (customer unreachable or not at home: seed 003 rule 5, seed
  000 on-site rule 2). A second pause while paused is ignored.
* ``resume`` — the clock runs again; the deadline moves later by the paused time.
  A resume without a pause is ignored.
* ``extend`` — an approved delay (延时): either ``new_deadline`` (the deadline becomes that
  moment; pauses before it are absorbed, since the approver saw them) or ``added`` (the
  deadline moves later by that much), or both (new deadline, then added).
* ``done`` — the work is finished; the clock stops for good. Its state is then on_time or
  overdue (finished late), never warning.

Events after ``now`` are not yet known and are ignored; events before ``start`` count from
``start``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from agentdesk import clock as app_clock

PAUSE = "pause"
RESUME = "resume"
EXTEND = "extend"
DONE = "done"
EVENT_KINDS: tuple[str, ...] = (PAUSE, RESUME, EXTEND, DONE)

ON_TIME = "on_time"
WARNING = "warning"
OVERDUE = "overdue"
STATES: tuple[str, ...] = (ON_TIME, WARNING, OVERDUE)

#: Share of the allowed time after which a clock shows a warning, unless the policy says otherwise.
DEFAULT_WARN_RATIO = 0.75


@dataclass(frozen=True)
class StatusEvent:
    """One entry of a work order's history that affects its clocks."""

    at: datetime
    kind: str
    new_deadline: datetime | None = None
    added: timedelta | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; valid: {', '.join(EVENT_KINDS)}")


@dataclass(frozen=True)
class ClockState:
    """Where a clock stands at ``now``.

    ``deadline`` is the effective deadline after pauses and extensions; ``used`` and
    ``allowed`` exclude paused time, so ``ratio = used / allowed`` is the share of the
    allowed working time spent. ``remaining`` is negative once overdue.
    """

    state: str
    deadline: datetime
    base_deadline: datetime
    now: datetime
    used: timedelta
    allowed: timedelta
    remaining: timedelta
    ratio: float
    paused: bool
    paused_for: timedelta
    done: bool
    done_at: datetime | None = None

    @property
    def overdue(self) -> bool:
        return self.state == OVERDUE


def evaluate(
    start: datetime,
    deadline: datetime,
    events: Iterable[StatusEvent] = (),
    now: datetime | None = None,
    warn_ratio: float = DEFAULT_WARN_RATIO,
) -> ClockState:
    """Replay ``events`` and say whether the clock is on time, in warning or overdue at ``now``.

    ``now`` defaults to the application clock. Overdue means ``now`` (or the completion) is
    strictly after the effective deadline; warning means at least ``warn_ratio`` of the
    allowed time is used.
    """
    if now is None:
        now = app_clock.now()
    effective = deadline
    paused_since: datetime | None = None
    paused_total = timedelta(0)  # pauses folded into ``effective`` since the last reset
    done_at: datetime | None = None

    for event in sorted(events, key=lambda e: e.at):
        if event.at > now:
            break
        at = max(event.at, start)
        if event.kind == PAUSE:
            if paused_since is None:
                paused_since = at
        elif event.kind == EXTEND:
            if event.new_deadline is not None:
                # The approved moment replaces everything before it, pauses included.
                effective = event.new_deadline
                paused_total = timedelta(0)
                if paused_since is not None:
                    paused_since = at
            if event.added is not None and event.added > timedelta(0):
                effective += event.added
        elif event.kind in (RESUME, DONE):  # a pause in progress ends here
            if paused_since is not None:
                gap = at - paused_since
                effective += gap
                paused_total += gap
                paused_since = None
            if event.kind == DONE:
                done_at = at
                break

    paused = paused_since is not None
    end = done_at if done_at is not None else now
    if paused_since is not None:
        # A running pause keeps pushing the deadline: the time left is frozen.
        gap = max(now - paused_since, timedelta(0))
        effective += gap
        paused_total += gap
    end = max(end, start)
    used = end - start - paused_total
    allowed = effective - start - paused_total
    if allowed > timedelta(0):
        ratio = used / allowed
    else:  # nothing allowed: the clock is due at once
        ratio = 1.0
    if end > effective:
        state = OVERDUE
    elif done_at is None and ratio >= warn_ratio:
        state = WARNING
    else:
        state = ON_TIME
    return ClockState(
        state=state,
        deadline=effective,
        base_deadline=deadline,
        now=now,
        used=used,
        allowed=allowed,
        remaining=effective - end,
        ratio=ratio,
        paused=paused,
        paused_for=paused_total,
        done=done_at is not None,
        done_at=done_at,
    )
