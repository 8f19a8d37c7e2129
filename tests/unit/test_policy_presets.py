"""Every figure of the preset table in docs/design.md ("Deadlines need a calendar"),
reproduced through the public API.

Monday 2026-11-23 is an ordinary working day (no holiday near it), so clock-hour figures
read directly; the calendar-sensitive figures have their own dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from agentdesk.policy import KINDS, list_policies, load_policy

MON = datetime(2026, 11, 23, 10, 0)  # an ordinary Monday morning
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
EOD = (23, 59, 59)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, *EOD)


def due(policy: str, kind: str, severity: str = "general", area: str = "city", tier: str = "regular", start=MON, **kw):
    return load_policy(policy).deadlines(kind, severity, area, tier, start=start, **kw)


def test_every_required_preset_ships():
    names = set(list_policies())
    assert {"jilin-96633", "bazhong-96655", "isp-manual", "jiangxi", "ct-gd-10000", "generic"} <= names


# -- Jilin cable 96633 (seed 000) -------------------------------------------------------------


def test_jilin_contact_customer_within_1h_of_receiving_the_work_order():
    assert due("jilin-96633", "repair")["contact_by"] == MON + 1 * H
    assert due("jilin-96633", "install")["contact_by"] == MON + 1 * H


@pytest.mark.parametrize(("severity", "hours"), [("general", 24), ("major", 48), ("critical", 74)])
def test_jilin_faults_fixed_24_48_74h(severity, hours):
    assert due("jilin-96633", "repair", severity)["resolve_by"] == MON + hours * H


def test_jilin_complaint_forwarded_within_1h_and_replied_12h_at_most_24h():
    clocks = due("jilin-96633", "complaint")
    assert clocks["forward_by"] == MON + 1 * H
    assert clocks["reply_by"] == MON + 12 * H
    assert clocks["reply_limit_by"] == MON + 24 * H


def test_jilin_complaints_always_called_back():
    rule = load_policy("jilin-96633").callback_rule("complaint")
    assert rule is not None and rule.mode == "always"


# -- Sichuan cable Bazhong 96655 (seed 001) ---------------------------------------------------

BZ = "bazhong-96655"


@pytest.mark.parametrize("kind", ["consult", "complaint", "repair"])
def test_bazhong_handled_on_the_spot_or_transferred_within_10_min(kind):
    assert due(BZ, kind)["transfer_by"] == MON + 10 * MIN


@pytest.mark.parametrize("kind", ["consult", "complaint"])
def test_bazhong_reply_to_consultation_and_complaint_within_30_min(kind):
    assert due(BZ, kind)["reply_by"] == MON + 30 * MIN


@pytest.mark.parametrize("kind", KINDS)
def test_bazhong_department_acknowledges_a_transfer_within_5_min(kind):
    assert due(BZ, kind)["acknowledge_by"] == MON + 5 * MIN


def test_bazhong_install_3_days_the_dispatch_day_counts():
    # Dispatched Monday: Monday, Tuesday, Wednesday → done by the end of Wednesday.
    assert due(BZ, "install")["resolve_by"] == end_of(date(2026, 11, 25))
    # Even dispatched a minute before midnight, Monday is day one.
    late = datetime(2026, 11, 23, 23, 59)
    assert due(BZ, "install", start=late)["resolve_by"] == end_of(date(2026, 11, 25))


def test_bazhong_install_rural_4_days_and_building_trunk_5_days():
    assert due(BZ, "install", area="rural")["resolve_by"] == end_of(date(2026, 11, 26))
    assert due(BZ, "install_trunk")["resolve_by"] == end_of(date(2026, 11, 27))
    # The trunk figure is about the job, not the area.
    assert due(BZ, "install_trunk", area="rural")["resolve_by"] == end_of(date(2026, 11, 27))


def test_bazhong_install_dispatch_before_the_days_close_and_installer_next_morning():
    clocks = due(BZ, "install")
    assert clocks["dispatch_by"] == datetime(2026, 11, 23, 17, 30)
    assert clocks["assign_by"] == datetime(2026, 11, 24, 8, 30)
    # Private-network engineering goes to the departments at the next day's start of work.
    assert due(BZ, "install", tier="private")["dispatch_by"] == datetime(2026, 11, 24, 8, 30)


@pytest.mark.parametrize(("severity", "hours"), [("general", 4), ("pipeline", 12), ("major", 24)])
def test_bazhong_repair_city_general_pipeline_major(severity, hours):
    assert due(BZ, "repair", severity, "city")["resolve_by"] == MON + hours * H


def test_bazhong_repair_city_major_respond_in_10_min():
    assert due(BZ, "repair", "major", "city")["respond_by"] == MON + 10 * MIN
    assert "respond_by" not in due(BZ, "repair", "general", "city")


@pytest.mark.parametrize(
    ("area", "severity", "hours"),
    [
        ("suburb", "general", 8),
        ("suburb", "major", 24),
        ("suburb", "pipeline", 24),
        ("suburb", "critical", 24),
        ("rural", "general", 12),
        ("rural", "major", 24),
        ("rural", "pipeline", 24),
    ],
)
def test_bazhong_repair_suburb_and_rural(area, severity, hours):
    assert due(BZ, "repair", severity, area)["resolve_by"] == MON + hours * H


@pytest.mark.parametrize("tier", ["vip", "big"])
@pytest.mark.parametrize("area", ["city", "suburb", "rural"])
def test_bazhong_repair_vip_and_big_customers_2h_general_12h_other(tier, area):
    assert due(BZ, "repair", "general", area, tier)["resolve_by"] == MON + 2 * H
    assert due(BZ, "repair", "major", area, tier)["resolve_by"] == MON + 12 * H
    assert due(BZ, "repair", "pipeline", area, tier)["resolve_by"] == MON + 12 * H


@pytest.mark.parametrize("area", ["city", "suburb", "rural"])
def test_bazhong_private_network_respond_10_min_general_1h_other_6h(area):
    general = due(BZ, "repair", "general", area, "private")
    assert general["respond_by"] == MON + 10 * MIN
    assert general["resolve_by"] == MON + 1 * H
    major = due(BZ, "repair", "major", area, "private")
    assert major["respond_by"] == MON + 10 * MIN
    assert major["resolve_by"] == MON + 6 * H


@pytest.mark.parametrize(("area", "hours"), [("city", 4), ("suburb", 8), ("rural", 12)])
def test_bazhong_restore_4_8_12h_before_the_cut_off(area, hours):
    start = datetime(2026, 11, 23, 15, 30)
    assert due(BZ, "restore", area=area, start=start)["resolve_by"] == start + hours * H


@pytest.mark.parametrize("area", ["city", "suburb"])
def test_bazhong_restore_accepted_after_17_counts_from_next_days_start_of_work(area):
    hours = {"city": 4, "suburb": 8}[area]
    before = datetime(2026, 11, 23, 16, 59)
    assert due(BZ, "restore", area=area, start=before)["resolve_by"] == before + hours * H
    for accepted in (datetime(2026, 11, 23, 17, 0), datetime(2026, 11, 23, 17, 30), datetime(2026, 11, 23, 22, 0)):
        assert due(BZ, "restore", area=area, start=accepted)["resolve_by"] == datetime(2026, 11, 24, 8, 30) + hours * H


def test_bazhong_restore_rural_cut_off_is_16():
    assert due(BZ, "restore", area="rural", start=datetime(2026, 11, 23, 15, 59))["resolve_by"] == datetime(
        2026, 11, 24, 3, 59
    )
    assert due(BZ, "restore", area="rural", start=datetime(2026, 11, 23, 16, 0))["resolve_by"] == datetime(
        2026, 11, 24, 20, 30
    )
    # The city cut-off is not the rural one: at 16:30 the city clock still runs today.
    assert due(BZ, "restore", area="city", start=datetime(2026, 11, 23, 16, 30))["resolve_by"] == datetime(
        2026, 11, 23, 20, 30
    )


def test_bazhong_restore_after_cut_off_on_friday_counts_from_mondays_start_of_work():
    friday = datetime(2026, 11, 27, 18, 0)
    assert due(BZ, "restore", area="city", start=friday)["resolve_by"] == datetime(2026, 11, 30, 12, 30)


def test_bazhong_restore_before_start_of_work_counts_from_that_mornings_start():
    early = datetime(2026, 11, 24, 6, 0)  # accepted overnight = after yesterday's 17:00
    assert due(BZ, "restore", area="city", start=early)["resolve_by"] == datetime(2026, 11, 24, 12, 30)


@pytest.mark.parametrize("kind", ["install", "repair", "complaint"])
def test_bazhong_callback_within_24h_of_completion(kind):
    done = datetime(2026, 11, 24, 15, 0)
    assert due(BZ, kind, done_at=done)["callback_by"] == done + 24 * H
    rule = load_policy(BZ).callback_rule(kind)
    assert rule.mode == "always" and rule.within.text == "24h"


def test_bazhong_callback_projected_from_resolve_by_without_completion():
    clocks = due(BZ, "repair", "general", "city")
    assert clocks["callback_by"] == clocks["resolve_by"] + 24 * H


def test_bazhong_sampled_and_periodic_callbacks():
    policy = load_policy(BZ)
    for kind in ("consult", "business"):
        rule = policy.callback_rule(kind)
        assert (rule.mode, rule.rate, rule.every, rule.on) == ("sampled", 0.10, "week", "fri")
    assert "callback_by" not in due(BZ, "consult")
    segments = {c.segment: c for c in policy.periodic_callbacks() if c.segment}
    assert (segments["digital-tv-conversion"].rate, segments["digital-tv-conversion"].every) == (0.20, "week")
    assert (segments["other"].rate, segments["other"].every) == (0.05, "year")
    vip = [c for c in policy.periodic_callbacks("vip") if c.segment is None]
    assert [(c.every, c.method) for c in vip] == [("month", "phone")]
    for tier in ("big", "private"):
        visits = [c for c in policy.periodic_callbacks(tier) if c.method == "visit" and c.every == "month"]
        assert visits, tier


# -- ISP manual (seed 002) --------------------------------------------------------------------


def test_isp_answer_the_phone_within_3_rings_15_s():
    service = load_policy("isp-manual").service
    assert service.answer_rings == 3
    assert service.answer_within == timedelta(seconds=15)


def test_isp_unanswered_consultation_replied_within_24h():
    assert due("isp-manual", "consult")["reply_by"] == MON + 24 * H


def test_isp_complaint_result_told_within_7_days():
    assert due("isp-manual", "complaint")["resolve_by"] == end_of(date(2026, 11, 30))


def test_isp_repair_callback_within_7_days():
    done = datetime(2026, 11, 24, 15, 0)
    assert due("isp-manual", "repair", done_at=done)["callback_by"] == end_of(date(2026, 12, 1))


def test_isp_peak_hours_19_to_23_staffed():
    hours = load_policy("isp-manual").service.staffed_hours
    assert [str(w) for w in hours] == ["19:00-23:00"]


# -- Jiangxi cable (seed 003) -----------------------------------------------------------------


@pytest.mark.parametrize(("severity", "hours"), [("general", 24), ("major", 72)])
def test_jiangxi_general_and_major_faults_24h_72h(severity, hours):
    assert due("jiangxi", "repair", severity)["resolve_by"] == MON + hours * H


def test_jiangxi_install_city_5_rural_10_working_days_ordinary_weeks():
    assert due("jiangxi", "install")["resolve_by"] == end_of(date(2026, 11, 30))  # Mon + 5 wd
    assert due("jiangxi", "install", area="rural")["resolve_by"] == end_of(date(2026, 12, 7))  # Mon + 10 wd


def test_jiangxi_install_across_national_day_and_the_saturday_make_up_day():
    # Accepted Tue 29 Sep: Wed 30 Sep (1); 1–7 Oct off; Thu 8 (2), Fri 9 (3),
    # Sat 10 Oct make-up working day (4), Mon 12 (5).
    start = datetime(2026, 9, 29, 10, 0)
    assert due("jiangxi", "install", start=start)["resolve_by"] == end_of(date(2026, 10, 12))


def test_jiangxi_rural_install_across_mid_autumn_national_day_and_both_make_up_days():
    # Accepted Fri 18 Sep: Sun 20 Sep make-up (1), 21–24 (2–5), Fri 25 Mid-Autumn off,
    # 28–30 (6–8), 1–7 Oct off, Thu 8 (9), Fri 9 (10).
    start = datetime(2026, 9, 18, 10, 0)
    assert due("jiangxi", "install", area="rural", start=start)["resolve_by"] == end_of(date(2026, 10, 9))


def test_jiangxi_restore_5_working_days_across_mid_autumn():
    # Accepted Thu 24 Sep: Fri 25 is Mid-Autumn, 26/27 weekend; 28 (1), 29 (2), 30 (3), 8 Oct (4), 9 Oct (5).
    start = datetime(2026, 9, 24, 10, 0)
    assert due("jiangxi", "restore", start=start)["resolve_by"] == end_of(date(2026, 10, 9))


def test_jiangxi_complaint_reply_3_working_days_uses_sunday_make_up_day():
    # Accepted Thu 17 Sep: Fri 18 (1), Sun 20 make-up day (2), Mon 21 (3).
    start = datetime(2026, 9, 17, 10, 0)
    assert due("jiangxi", "complaint", start=start)["reply_by"] == end_of(date(2026, 9, 21))
    # Accepted the Wednesday before National Day: Thu 8, Fri 9, Sat 10 (make-up).
    start = datetime(2026, 9, 30, 10, 0)
    assert due("jiangxi", "complaint", start=start)["reply_by"] == end_of(date(2026, 10, 10))


def test_jiangxi_complaint_line_responds_within_4h():
    assert due("jiangxi", "complaint")["respond_by"] == MON + 4 * H


@pytest.mark.parametrize("kind", ["repair", "complaint", "install"])
def test_jiangxi_callbacks_100_percent_within_72h(kind):
    done = datetime(2026, 11, 24, 15, 0)
    assert due("jiangxi", kind, done_at=done)["callback_by"] == done + 72 * H
    assert load_policy("jiangxi").callback_rule(kind).mode == "always"


def test_jiangxi_maintenance_notice_24h_in_advance_and_24h_line():
    service = load_policy("jiangxi").service
    assert service.maintenance_notice == timedelta(hours=24)
    assert service.hotline_24h


# -- China Telecom Guangdong 10000 (seed 004) -------------------------------------------------


def test_ct_gd_complaint_reply_3h_processing_72h():
    clocks = due("ct-gd-10000", "complaint")
    assert clocks["reply_by"] == MON + 3 * H
    assert clocks["resolve_by"] == MON + 72 * H


def test_ct_gd_four_escalation_levels_and_24h_hotline():
    service = load_policy("ct-gd-10000").service
    assert len(service.escalation) == 4
    assert service.escalation[0].startswith("客户服务窗口")
    assert service.escalation[-1].startswith("全国运营中心")
    assert service.hotline_24h


# -- the generic default ----------------------------------------------------------------------


def test_generic_is_the_default_and_covers_every_kind():
    policy = load_policy()
    assert policy.name == "generic"
    for kind in KINDS:
        assert policy.deadlines(kind, start=MON), kind


def test_only_the_applicable_clocks_are_returned_in_clock_order():
    clocks = due("ct-gd-10000", "repair")
    assert clocks == {}
    keys = list(due(BZ, "repair", "major", "city", done_at=MON + 5 * H))
    assert keys == ["transfer_by", "acknowledge_by", "respond_by", "resolve_by", "callback_by"]
