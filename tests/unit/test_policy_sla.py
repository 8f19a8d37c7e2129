"""Clock states rebuilt from status events: pause, resume, extend, done; warning and overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from agentdesk.clock import FixedClock, get_clock, set_clock
from agentdesk.policy import (
    DONE,
    EXTEND,
    ON_TIME,
    OVERDUE,
    PAUSE,
    RESUME,
    WARNING,
    StatusEvent,
    evaluate,
    load_policy,
)

START = datetime(2026, 11, 23, 10, 0)
DEADLINE = START + timedelta(hours=4)  # Bazhong city general repair
H = timedelta(hours=1)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def test_on_time_warning_overdue_by_the_share_of_time_used():
    assert evaluate(START, DEADLINE, now=at(1)).state == ON_TIME
    assert evaluate(START, DEADLINE, now=at(2.99)).state == ON_TIME
    assert evaluate(START, DEADLINE, now=at(3)).state == WARNING  # 75 %
    assert evaluate(START, DEADLINE, now=at(4)).state == WARNING  # at the deadline, not yet late
    state = evaluate(START, DEADLINE, now=at(5))
    assert state.state == OVERDUE and state.overdue
    assert state.remaining == -H
    assert state.ratio == pytest.approx(1.25)


def test_warning_ratio_is_a_parameter():
    assert evaluate(START, DEADLINE, now=at(2), warn_ratio=0.5).state == WARNING
    assert evaluate(START, DEADLINE, now=at(2), warn_ratio=0.9).state == ON_TIME


def test_customer_unreachable_pause_moves_the_deadline():
    events = [StatusEvent(at(1), PAUSE, reason="客户联系不上"), StatusEvent(at(3), RESUME)]
    state = evaluate(START, DEADLINE, events, now=at(5))
    assert state.deadline == DEADLINE + 2 * H
    assert state.paused_for == 2 * H
    assert state.used == 3 * H and state.allowed == 4 * H
    assert state.state == WARNING
    assert not state.paused


def test_a_running_pause_freezes_the_time_left():
    events = [StatusEvent(at(1), PAUSE)]
    early = evaluate(START, DEADLINE, events, now=at(2))
    late = evaluate(START, DEADLINE, events, now=at(30))
    assert early.paused and late.paused
    assert early.remaining == late.remaining == 3 * H
    assert late.state == ON_TIME  # a paused clock cannot run out


def test_repeated_pause_and_orphan_resume_are_ignored():
    events = [
        StatusEvent(at(0.5), RESUME),
        StatusEvent(at(1), PAUSE),
        StatusEvent(at(1.5), PAUSE),
        StatusEvent(at(2), RESUME),
        StatusEvent(at(2.5), RESUME),
    ]
    assert evaluate(START, DEADLINE, events, now=at(3)).deadline == DEADLINE + H


def test_events_are_replayed_in_time_order_and_future_ones_ignored():
    events = [StatusEvent(at(3), RESUME), StatusEvent(at(1), PAUSE), StatusEvent(at(10), PAUSE)]
    state = evaluate(START, DEADLINE, events, now=at(5))
    assert state.deadline == DEADLINE + 2 * H
    assert not state.paused


def test_approved_delay_with_a_new_deadline():
    new = datetime(2026, 11, 24, 18, 0)
    events = [StatusEvent(at(3), EXTEND, new_deadline=new, reason="延时申请已批准")]
    assert evaluate(START, DEADLINE, events, now=at(2)).deadline == DEADLINE  # not yet approved
    state = evaluate(START, DEADLINE, events, now=at(6))
    assert state.deadline == new
    assert state.state == ON_TIME
    assert state.base_deadline == DEADLINE


def test_approved_delay_with_added_time_and_pauses_after_it():
    events = [
        StatusEvent(at(1), EXTEND, added=timedelta(hours=8)),
        StatusEvent(at(2), PAUSE),
        StatusEvent(at(4), RESUME),
    ]
    assert evaluate(START, DEADLINE, events, now=at(5)).deadline == DEADLINE + 10 * H


def test_new_deadline_absorbs_earlier_pauses():
    new = at(24)
    events = [StatusEvent(at(1), PAUSE), StatusEvent(at(2), RESUME), StatusEvent(at(3), EXTEND, new_deadline=new)]
    assert evaluate(START, DEADLINE, events, now=at(4)).deadline == new


def test_done_stops_the_clock():
    on_time = evaluate(START, DEADLINE, [StatusEvent(at(3.5), DONE)], now=at(50))
    assert on_time.done and on_time.state == ON_TIME  # finished in time stays on time
    assert on_time.done_at == at(3.5)
    late = evaluate(START, DEADLINE, [StatusEvent(at(6), DONE)], now=at(50))
    assert late.state == OVERDUE


def test_done_while_paused_closes_the_pause():
    events = [StatusEvent(at(1), PAUSE), StatusEvent(at(3), DONE)]
    state = evaluate(START, DEADLINE, events, now=at(10))
    assert state.deadline == DEADLINE + 2 * H and state.state == ON_TIME


def test_unknown_event_kind_is_rejected():
    with pytest.raises(ValueError):
        StatusEvent(START, "postpone")


def test_now_defaults_to_the_application_clock():
    previous = get_clock()
    set_clock(FixedClock(at(3.5)))
    try:
        assert evaluate(START, DEADLINE).state == WARNING
    finally:
        set_clock(previous)


def test_policy_evaluate_uses_the_policys_warning_ratio():
    policy = load_policy("bazhong-96655")
    deadline = policy.deadlines("repair", start=START)["resolve_by"]
    assert deadline == DEADLINE
    assert policy.evaluate(START, deadline, now=at(3)).state == WARNING
    assert policy.evaluate(START, deadline, now=at(2)).state == ON_TIME


def test_zero_length_clock():
    assert evaluate(START, START, now=START).state == WARNING  # due now
    assert evaluate(START, START, now=at(1)).state == OVERDUE
