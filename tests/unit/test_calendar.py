"""The business calendar: China's holidays and make-up days, windows, cut-offs, working days."""

from __future__ import annotations

from datetime import date, datetime, time

import holidays
import pytest

from agentdesk.policy import BusinessCalendar, Limit, Window
from agentdesk.policy.calendar import country_days

CN = BusinessCalendar()  # Mon–Fri, 08:30–12:00 and 13:30–17:30, CN holidays


# -- what the holidays library says about 2026 ------------------------------------------------


def test_holidays_library_knows_2026_mid_autumn_and_national_day():
    cn = holidays.country_holidays("CN", years=2026)
    assert date(2026, 9, 25) in cn  # Mid-Autumn Festival, a Friday
    for day in range(1, 8):  # National Day golden week, 1–7 October
        assert date(2026, 10, day) in cn or date(2026, 10, day).weekday() >= 5, day
    assert date(2026, 10, 8) not in cn


def test_holidays_library_lists_the_make_up_working_days_sunday_20_sep_and_saturday_10_oct():
    cn = holidays.country_holidays("CN", years=2026)
    makeup = {d for d in cn.weekend_workdays if d.year == 2026}
    assert date(2026, 9, 20) in makeup and date(2026, 9, 20).weekday() == 6  # Sunday
    assert date(2026, 10, 10) in makeup and date(2026, 10, 10).weekday() == 5  # Saturday
    assert cn.is_working_day(date(2026, 9, 20))
    assert cn.is_working_day(date(2026, 10, 10))
    # The swapped weekdays are listed as days off.
    assert date(2026, 10, 6) in cn and date(2026, 10, 7) in cn


def test_country_days_filters_the_make_up_days_to_the_year():
    days_off, makeup = country_days("CN", 2026)
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= makeup
    assert all(d.year == 2026 for d in makeup | days_off)
    assert CN.makeup_workdays(2026) == makeup
    assert date(2026, 10, 1) in CN.public_holidays(2026)


# -- working days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 18), True),  # Friday
        (date(2026, 9, 19), False),  # Saturday
        (date(2026, 9, 20), True),  # Sunday, make-up working day
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (date(2026, 10, 1), False),
        (date(2026, 10, 6), False),  # Tuesday, swapped day off
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 11), False),  # Sunday
    ],
)
def test_is_working_day_around_mid_autumn_and_national_day_2026(day, working):
    assert CN.is_working_day(day) is working


def test_working_days_of_october_2026():
    october = [d for d in CN.working_days(2026) if d.month == 10]
    assert october[:4] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]


def test_add_working_days_skips_the_golden_week():
    assert CN.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CN.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CN.add_working_days(date(2026, 9, 17), 2) == date(2026, 9, 20)


def test_add_working_days_zero_is_today_or_the_next_working_day():
    assert CN.add_working_days(date(2026, 9, 18), 0) == date(2026, 9, 18)
    assert CN.add_working_days(date(2026, 9, 19), 0) == date(2026, 9, 20)


def test_add_working_days_crosses_the_year_end_and_new_year_holiday():
    # 31 Dec 2026 is a Thursday; 1 Jan 2027 is New Year's Day.
    result = CN.add_working_days(date(2026, 12, 31), 1)
    assert result.year == 2027
    assert result > date(2027, 1, 1)
    assert CN.is_working_day(result)


def test_add_working_days_over_many_years_matches_a_day_by_day_count():
    start = date(2025, 12, 1)
    target = CN.add_working_days(start, 300)
    count, day = 0, start
    while count < 300:
        day = date.fromordinal(day.toordinal() + 1)
        count += CN.is_working_day(day)
    assert target == day


def test_installation_extra_holidays_and_working_days_win():
    cal = BusinessCalendar(
        extra_holidays=frozenset({date(2026, 11, 24)}),  # a local day off (Tuesday)
        extra_workdays=frozenset({date(2026, 11, 28), date(2026, 10, 2)}),  # a Saturday, a national holiday
    )
    assert not cal.is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2026, 11, 28))
    assert cal.is_working_day(date(2026, 10, 2))
    assert cal.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


def test_seven_day_week_still_rests_on_public_holidays():
    cal = BusinessCalendar(workdays=frozenset(range(7)))
    assert cal.is_working_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_working_day(date(2026, 10, 1))


def test_calendar_without_country_ignores_holidays():
    cal = BusinessCalendar(country=None)
    assert cal.is_working_day(date(2026, 10, 1))  # a Thursday
    assert not cal.is_working_day(date(2026, 10, 10))  # a Saturday


# -- hours ------------------------------------------------------------------------------------


def test_several_windows_a_day():
    cal = BusinessCalendar(windows=(Window.parse("13:30-17:30"), Window.parse("08:30-12:00")))
    assert [str(w) for w in cal.windows] == ["08:30-12:00", "13:30-17:30"]  # sorted
    spans = cal.day_windows(date(2026, 11, 23))
    assert spans == (
        (datetime(2026, 11, 23, 8, 30), datetime(2026, 11, 23, 12, 0)),
        (datetime(2026, 11, 23, 13, 30), datetime(2026, 11, 23, 17, 30)),
    )
    assert cal.day_windows(date(2026, 11, 22)) == ()
    assert cal.is_working_time(datetime(2026, 11, 23, 9, 0))
    assert not cal.is_working_time(datetime(2026, 11, 23, 12, 30))


def test_windows_must_not_overlap_or_be_empty():
    with pytest.raises(ValueError):
        BusinessCalendar(windows=(Window.parse("08:00-12:00"), Window.parse("11:00-13:00")))
    with pytest.raises(ValueError):
        Window.parse("12:00-08:00")
    with pytest.raises(ValueError):
        BusinessCalendar(windows=())


def test_window_may_end_at_midnight():
    cal = BusinessCalendar(windows=(Window.parse("00:00-24:00"),))
    assert cal.close_of_work(date(2026, 11, 23)) == datetime(2026, 11, 24, 0, 0)


def test_end_of_workday_and_next_workday_start():
    assert CN.end_of_workday(datetime(2026, 11, 23, 9, 0)) == datetime(2026, 11, 23, 17, 30)
    assert CN.end_of_workday(datetime(2026, 11, 23, 18, 0)) == datetime(2026, 11, 24, 17, 30)
    assert CN.end_of_workday(datetime(2026, 11, 27, 18, 0)) == datetime(2026, 11, 30, 17, 30)  # Friday → Monday
    assert CN.next_workday_start(datetime(2026, 11, 23, 7, 0)) == datetime(2026, 11, 24, 8, 30)
    assert CN.next_workday_start(datetime(2026, 9, 30, 9, 0)) == datetime(2026, 10, 8, 8, 30)


def test_counted_from_with_a_cut_off():
    cut = time(17, 0)
    assert CN.counted_from(datetime(2026, 11, 23, 16, 59), cut) == datetime(2026, 11, 23, 16, 59)
    assert CN.counted_from(datetime(2026, 11, 23, 17, 0), cut) == datetime(2026, 11, 24, 8, 30)
    assert CN.counted_from(datetime(2026, 11, 23, 12, 30), cut) == datetime(2026, 11, 23, 12, 30)  # lunch
    assert CN.counted_from(datetime(2026, 11, 23, 6, 0), cut) == datetime(2026, 11, 23, 8, 30)
    assert CN.counted_from(datetime(2026, 11, 28, 10, 0), cut) == datetime(2026, 11, 30, 8, 30)  # Saturday
    # Accepted the evening before the golden week: counted from 8 October.
    assert CN.counted_from(datetime(2026, 9, 30, 17, 30), cut) == datetime(2026, 10, 8, 8, 30)
    assert CN.counted_from(datetime(2026, 11, 23, 20, 0), None) == datetime(2026, 11, 23, 20, 0)


# -- units ------------------------------------------------------------------------------------


def test_clock_time_units_run_around_the_clock():
    start = datetime(2026, 9, 30, 16, 0)
    assert Limit.parse("15s").due(start, CN) == datetime(2026, 9, 30, 16, 0, 15)
    assert Limit.parse("10min").due(start, CN) == datetime(2026, 9, 30, 16, 10)
    assert Limit.parse("72h").due(start, CN) == datetime(2026, 10, 3, 16, 0)  # holidays do not stop it


def test_calendar_days_with_and_without_the_dispatch_day():
    start = datetime(2026, 11, 23, 10, 0)
    assert Limit.parse("3d").due(start, CN) == datetime(2026, 11, 26, 23, 59, 59)
    assert Limit.parse("3d", dispatch_day_counts=True).due(start, CN) == datetime(2026, 11, 25, 23, 59, 59)
    assert Limit.parse("1d", dispatch_day_counts=True).due(start, CN) == datetime(2026, 11, 23, 23, 59, 59)
    # Calendar days ignore weekends and holidays.
    assert Limit.parse("3d").due(datetime(2026, 9, 30, 10, 0), CN) == datetime(2026, 10, 3, 23, 59, 59)


def test_working_days_with_the_dispatch_day():
    assert Limit.parse("1wd", dispatch_day_counts=True).due(datetime(2026, 11, 23, 10), CN) == datetime(
        2026, 11, 23, 23, 59, 59
    )
    # Dispatched on a Saturday: the first working day is day one.
    assert Limit.parse("1wd", dispatch_day_counts=True).due(datetime(2026, 11, 28, 10), CN) == datetime(
        2026, 11, 30, 23, 59, 59
    )
    assert Limit.parse("1wd").due(datetime(2026, 11, 28, 10), CN) == datetime(2026, 11, 30, 23, 59, 59)


def test_working_days_with_a_cut_off_start_next_morning():
    limit = Limit.parse("1wd", cutoff=time(17, 0))
    assert limit.due(datetime(2026, 11, 23, 16, 0), CN) == datetime(2026, 11, 24, 23, 59, 59)
    assert limit.due(datetime(2026, 11, 23, 17, 30), CN) == datetime(2026, 11, 25, 23, 59, 59)


@pytest.mark.parametrize("text", ["0h", "4 hours", "h", "-1d", "1.5h", "3m", ""])
def test_bad_durations_are_rejected(text):
    with pytest.raises(ValueError):
        Limit.parse(text)


def test_dispatch_day_counts_only_for_day_units():
    with pytest.raises(ValueError):
        Limit.parse("4h", dispatch_day_counts=True)
