"""Properties every deadline must have, whatever the policy, names, start or history."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.policy import (
    AREAS,
    PAUSE,
    RESUME,
    TIERS,
    BusinessCalendar,
    Limit,
    StatusEvent,
    Window,
    evaluate,
    list_policies,
    load_policy,
)

POLICIES = {name: load_policy(name) for name in list_policies()}
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31, 23, 59, 59))
cutoffs = st.none() | st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@st.composite
def calendars(draw):
    workdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    start = draw(st.integers(0, 20 * 60))
    middle = draw(st.integers(start + 1, 22 * 60))
    windows = [Window(start, middle)]
    if draw(st.booleans()) and middle + 1 < 24 * 60:
        later = draw(st.integers(middle + 1, 24 * 60 - 1))
        windows.append(Window(later, draw(st.integers(later + 1, 24 * 60))))
    country = draw(st.sampled_from(["CN", None]))
    return BusinessCalendar(workdays=workdays, windows=tuple(windows), country=country)


CN = BusinessCalendar()


@st.composite
def policy_requests(draw):
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    return (
        policy,
        draw(st.sampled_from(policy.kinds)),
        draw(st.sampled_from(policy.severities)),
        draw(st.sampled_from(AREAS)),
        draw(st.sampled_from(TIERS)),
    )


@settings(max_examples=400, deadline=None)
@given(policy_requests(), moments)
def test_a_deadline_never_precedes_its_start(request, start):
    policy, kind, severity, area, tier = request
    for key, deadline in policy.deadlines(kind, severity, area, tier, start=start).items():
        assert deadline >= start, (policy.name, key)


@settings(max_examples=200, deadline=None)
@given(policy_requests(), moments, st.integers(0, 30 * 24 * 3600))
def test_a_callback_never_precedes_the_completion(request, start, seconds):
    policy, kind, severity, area, tier = request
    done = start + timedelta(seconds=seconds)
    clocks = policy.deadlines(kind, severity, area, tier, start=start, done_at=done)
    if "callback_by" in clocks:
        assert clocks["callback_by"] >= done


@settings(max_examples=400, deadline=None)
@given(
    calendars(),
    moments,
    st.sampled_from(["s", "min", "h", "d", "wd"]),
    st.integers(1, 400),
    st.integers(0, 400),
    st.booleans(),
    cutoffs,
)
def test_a_longer_limit_never_gives_an_earlier_deadline(calendar, start, unit, shorter, extra, day0, cutoff):
    day0 = day0 and unit in ("d", "wd")
    short = Limit(shorter, unit, day0, cutoff)
    long = Limit(shorter + extra, unit, day0, cutoff)
    assert short.due(start, calendar) <= long.due(start, calendar)
    assert short.due(start, calendar) >= start


@settings(max_examples=300, deadline=None)
@given(
    calendars(),
    moments,
    st.integers(0, 7 * 24 * 3600),
    st.sampled_from(["min", "h", "d", "wd", "end_of_workday", "next_workday_start"]),
    st.integers(1, 30),
    st.booleans(),
    cutoffs,
)
def test_a_later_start_never_gives_an_earlier_deadline(calendar, start, delay, unit, amount, day0, cutoff):
    if unit in ("end_of_workday", "next_workday_start"):
        limit = Limit(0, unit, False, cutoff)
    else:
        limit = Limit(amount, unit, day0 and unit in ("d", "wd"), cutoff)
    later = start + timedelta(seconds=delay)
    assert limit.due(start, calendar) <= limit.due(later, calendar)


@settings(max_examples=300, deadline=None)
@given(calendars(), moments, st.integers(1, 60), st.booleans())
def test_working_day_deadlines_end_on_a_working_day(calendar, start, amount, day0):
    deadline = Limit(amount, "wd", day0).due(start, calendar)
    assert calendar.is_working_day(deadline.date())


events = st.lists(
    st.tuples(st.sampled_from([PAUSE, RESUME]), st.integers(-3600, 20 * 24 * 3600)),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(moments, st.integers(0, 10 * 24 * 3600), events, st.integers(0, 30 * 24 * 3600))
def test_pausing_never_makes_a_deadline_earlier(start, allowed, history, now_offset):
    deadline = start + timedelta(seconds=allowed)
    replay = [StatusEvent(start + timedelta(seconds=s), kind) for kind, s in history]
    now = start + timedelta(seconds=now_offset)
    state = evaluate(start, deadline, replay, now=now)
    assert state.deadline >= deadline
    assert state.paused_for >= timedelta(0)
    # Every partial history (the order as it was at an earlier moment) agrees.
    for cut in range(len(replay) + 1):
        assert evaluate(start, deadline, replay[:cut], now=now).deadline >= deadline


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(60, 10 * 24 * 3600), st.integers(0, 20 * 24 * 3600), st.integers(1, 5 * 24 * 3600))
def test_a_longer_pause_never_gives_an_earlier_deadline(start, allowed, pause_at, length):
    deadline = start + timedelta(seconds=allowed)
    now = start + timedelta(days=40)
    pause = StatusEvent(start + timedelta(seconds=pause_at), PAUSE)
    short = evaluate(start, deadline, [pause, StatusEvent(pause.at + timedelta(seconds=length), RESUME)], now=now)
    long = evaluate(start, deadline, [pause, StatusEvent(pause.at + timedelta(seconds=2 * length), RESUME)], now=now)
    assert short.deadline <= long.deadline
