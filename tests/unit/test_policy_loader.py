"""Loading presets: discovery, validation errors that name file and key, extends, precedence."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from agentdesk.policy import (
    POLICY_DIR_ENV,
    PolicyError,
    PolicyNotFoundError,
    UnknownNameError,
    check_policy_file,
    list_policies,
    load_policy,
)

MON = datetime(2026, 11, 23, 10, 0)

MINIMAL = """
[policy]
title = "测试"
[[rules]]
kind = "repair"
resolve = "8h"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def issues_of(path: Path) -> list[tuple[str, str]]:
    return [(Path(i.file).name, i.key) for i in check_policy_file(path)]


# -- discovery --------------------------------------------------------------------------------


def test_installation_directory_adds_presets(tmp_path, monkeypatch):
    write(tmp_path, "our-center.toml", MINIMAL)
    monkeypatch.setenv(POLICY_DIR_ENV, str(tmp_path))
    assert "our-center" in list_policies()
    assert "generic" in list_policies()
    assert load_policy("our-center").deadlines("repair", start=MON) == {"resolve_by": datetime(2026, 11, 23, 18, 0)}


def test_installation_preset_overrides_a_shipped_one_of_the_same_name(tmp_path, monkeypatch):
    write(tmp_path, "generic.toml", MINIMAL)
    monkeypatch.setenv(POLICY_DIR_ENV, str(tmp_path))
    assert load_policy("generic").path == (tmp_path / "generic.toml").resolve()


def test_load_by_path(tmp_path):
    path = write(tmp_path, "x.toml", MINIMAL)
    assert load_policy(path).name == "x"
    assert load_policy(str(path)).name == "x"


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(PolicyNotFoundError) as info:
        load_policy("no-such-operator")
    assert "generic" in info.value.valid
    assert "bazhong-96655" in str(info.value)
    assert isinstance(info.value, PolicyError)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "absent.toml")
    assert "absent.toml" in info.value.file


# -- validation -------------------------------------------------------------------------------


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "broken.toml", "[policy\ntitle = 'x'\n")
    issues = check_policy_file(path)
    assert len(issues) == 1
    assert issues[0].file.endswith("broken.toml")
    assert "TOML" in issues[0].message


@pytest.mark.parametrize(
    ("snippet", "key"),
    [
        ('[[rules]]\nkind = "repiar"\nresolve = "4h"\n', "rules#1.kind"),
        ('[[rules]]\nkind = "repair"\nresolve = "4 hours"\n', "rules#1.resolve"),
        ('[[rules]]\nkind = "repair"\nresolv = "4h"\n', "rules#1.resolv"),
        ('[[rules]]\nkind = "repair"\n', "rules#1"),
        ('[[rules]]\nkind = "repair"\nseverity = "huge"\nresolve = "4h"\n', "rules#1.severity"),
        ('[[rules]]\narea = "downtown"\nresolve = "4h"\n', "rules#1.area"),
        ('[[rules]]\ntier = "gold"\nresolve = "4h"\n', "rules#1.tier"),
        ('[[rules]]\nkind = "repair"\nresolve = { limit = "4h", cutoff = "25:00" }\n', "rules#1.resolve.cutoff"),
        ('[[rules]]\nkind = "repair"\nresolve = { limit = "4h", dispatch_day_counts = true }\n', "rules#1.resolve"),
        ('[[rules]]\nkind = "repair"\nresolve = { cutoff = "17:00" }\n', "rules#1.resolve.limit"),
        ('[[rules]]\nkind = "repair"\ncallback = "24h"\n', "rules#1.callback"),
        ('[calendar]\nwindows = ["17:00-08:00"]\n', "calendar.windows[0]"),
        ('[calendar]\nworkdays = ["mon", "funday"]\n', "calendar.workdays"),
        ('[calendar]\nholidays = "XX"\n', "calendar.holidays"),
        ('[calendar]\nextra_holidays = ["2026-13-01"]\n', "calendar.extra_holidays[0]"),
        ('[policy]\nwarn_ratio = 1.5\n', "policy.warn_ratio"),
        ('[policy]\ncolour = "red"\n', "policy.colour"),
        ("[servce]\n", "servce"),
        ('[service]\nanswer_within = "3d"\n', "service.answer_within"),
        ('[[callbacks]]\nmode = "sometimes"\n', "callbacks#1.mode"),
        ('[[callbacks]]\nmode = "sampled"\nkind = "consult"\n', "callbacks#1.rate"),
        ('[[callbacks]]\nmode = "sampled"\nrate = 10\n', "callbacks#1.rate"),
        ('[[callbacks]]\nmode = "periodic"\nevery = "fortnight"\n', "callbacks#1.every"),
        ('[kinds.install_tower]\nlike = "build"\n', "kinds.install_tower.like"),
        ('[kinds.repair]\nlike = "install"\n', "kinds.repair"),
    ],
)
def test_each_error_names_file_and_key(tmp_path, snippet, key):
    path = write(tmp_path, "custom.toml", snippet)
    found = issues_of(path)
    assert ("custom.toml", key) in found, found
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert "custom.toml" in str(info.value) and key in str(info.value)


def test_all_problems_are_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        "many.toml",
        '[[rules]]\nkind = "repiar"\nresolve = "4h"\n[[rules]]\nkind = "repair"\nresolve = "soon"\n'
        '[calendar]\nwindows = ["x"]\n',
    )
    keys = {key for _, key in issues_of(path)}
    assert {"rules#1.kind", "rules#2.resolve", "calendar.windows[0]"} <= keys


def test_unknown_kind_message_lists_the_valid_kinds(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_LANG", "en")
    path = write(tmp_path, "k.toml", '[[rules]]\nkind = "repiar"\nresolve = "4h"\n')
    (issue,) = check_policy_file(path)
    assert "repiar" in issue.message and "consult" in issue.message and "restore" in issue.message


def test_messages_follow_the_language(tmp_path, monkeypatch):
    path = write(tmp_path, "k.toml", '[[rules]]\nkind = "repair"\nresolve = "4 hours"\n')
    monkeypatch.setenv("AGENTDESK_LANG", "zh_CN")
    assert "取值无效" in check_policy_file(path)[0].message
    monkeypatch.setenv("AGENTDESK_LANG", "en")
    assert "invalid value" in check_policy_file(path)[0].message


def test_equal_precedence_conflict_is_an_error_naming_both_rules(tmp_path):
    path = write(
        tmp_path,
        "clash.toml",
        '[[rules]]\nkind = "repair"\narea = "city"\nresolve = "4h"\n'
        '[[rules]]\nkind = "repair"\narea = ["city", "rural"]\nresolve = "6h"\n',
    )
    (issue,) = check_policy_file(path)
    assert issue.key == "rules#2.resolve"
    assert "rules#1" in issue.message and "city" in issue.message


def test_shipped_presets_are_all_valid():
    for name in list_policies():
        policy = load_policy(name)
        assert check_policy_file(policy.path) == [], name


# -- precedence -------------------------------------------------------------------------------


def test_most_specific_rule_wins_per_clock(tmp_path):
    path = write(
        tmp_path,
        "prec.toml",
        """
[[rules]]
resolve = "48h"
respond = "2h"
[[rules]]
kind = "repair"
resolve = "24h"
[[rules]]
kind = "repair"
area = "rural"
resolve = "36h"
[[rules]]
kind = "repair"
severity = "major"
resolve = "12h"
[[rules]]
kind = "repair"
tier = "vip"
resolve = "6h"
""",
    )
    policy = load_policy(path)

    def resolve(severity="general", area="city", tier="regular", kind="repair"):
        return policy.deadlines(kind, severity, area, tier, start=MON)["resolve_by"] - MON

    hours = lambda n: n * 3600  # noqa: E731
    assert resolve(kind="install").total_seconds() == hours(48)  # any-kind rule
    assert resolve().total_seconds() == hours(24)  # kind beats any kind
    assert resolve(area="rural").total_seconds() == hours(36)  # area beats kind only
    assert resolve("major", "rural").total_seconds() == hours(12)  # severity beats area
    assert resolve("major", "rural", "vip").total_seconds() == hours(6)  # tier beats severity
    # A clock no specific rule sets still comes from the general rule.
    assert policy.deadlines("repair", "major", "rural", "vip", start=MON)["respond_by"] == datetime(2026, 11, 23, 12)


def test_extra_kind_inherits_from_its_parent(tmp_path):
    path = write(
        tmp_path,
        "kinds.toml",
        """
[kinds.install_tower]
like = "install"
label = "铁塔安装"
[[rules]]
kind = "install"
contact = "1h"
resolve = "5wd"
[[rules]]
kind = "install_tower"
resolve = "10wd"
""",
    )
    policy = load_policy(path)
    assert "install_tower" in policy.kinds
    clocks = policy.deadlines("install_tower", start=MON)
    assert clocks["contact_by"] == datetime(2026, 11, 23, 11)
    assert clocks["resolve_by"].date() == date(2026, 12, 7)


def test_pipeline_is_only_valid_where_a_rule_names_it():
    with pytest.raises(UnknownNameError) as info:
        load_policy("jilin-96633").deadlines("repair", "pipeline", start=MON)
    assert info.value.field == "severity"
    assert "pipeline" not in info.value.valid
    assert "pipeline" in load_policy("bazhong-96655").severities


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("fix",), "kind"),
        (("repair", "huge"), "severity"),
        (("repair", "general", "moon"), "area"),
        (("repair", "general", "city", "gold"), "tier"),
    ],
)
def test_unknown_names_raise_with_the_valid_ones(args, field):
    with pytest.raises(UnknownNameError) as info:
        load_policy("generic").deadlines(*args, start=MON)
    assert info.value.field == field
    assert info.value.valid


# -- extends ----------------------------------------------------------------------------------


def test_extends_adds_local_holidays_and_overrides_rules(tmp_path, monkeypatch):
    write(
        tmp_path,
        "jx-local.toml",
        """
[policy]
extends = "jiangxi"
title = "江西某县分公司"
[calendar]
extra_holidays = [2026-11-24]
extra_workdays = ["2026-11-28"]
[[rules]]
kind = "repair"
resolve = "36h"
""",
    )
    monkeypatch.setenv(POLICY_DIR_ENV, str(tmp_path))
    policy = load_policy("jx-local")
    assert policy.extends == "jiangxi"
    assert policy.title == "江西某县分公司"
    # Base rules still apply where the child says nothing …
    assert policy.deadlines("complaint", start=MON)["respond_by"] == datetime(2026, 11, 23, 14)
    # … the child's rule beats the base's more specific ones …
    assert policy.deadlines("repair", "major", start=MON)["resolve_by"] == datetime(2026, 11, 24, 22)
    # … and its calendar changes the working days: Tue off, Sat worked.
    assert not policy.calendar.is_working_day(date(2026, 11, 24))
    assert policy.deadlines("complaint", start=MON)["reply_by"].date() == date(2026, 11, 27)
    assert policy.calendar.is_working_day(date(2026, 11, 28))
    # Base callbacks are kept.
    assert policy.callback_rule("repair").within.text == "72h"


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a.toml", '[policy]\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[policy]\nextends = "a.toml"\n')
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "a.toml")
    assert info.value.key == "policy.extends"


def test_extends_unknown_base_names_the_file_and_key(tmp_path):
    path = write(tmp_path, "orphan.toml", '[policy]\nextends = "nowhere"\n')
    (issue,) = check_policy_file(path)
    assert issue.file.endswith("orphan.toml") and issue.key == "policy.extends"


def test_policy_layer_does_not_import_ui_or_database():
    import subprocess

    code = (
        "import sys, agentdesk.policy, agentdesk.policy.loader;"
        "bad = [m for m in ('textual', 'sqlalchemy', 'sqlmodel') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_clock_counted_from_completion_keeps_clock_order(tmp_path):
    path = write(
        tmp_path,
        "done.toml",
        '[[rules]]\nkind = "complaint"\nreply = { limit = "2h", from = "done" }\nresolve = "24h"\n',
    )
    policy = load_policy(path)
    clocks = policy.deadlines("complaint", start=MON, done_at=datetime(2026, 11, 23, 15))
    assert list(clocks) == ["reply_by", "resolve_by"]
    assert clocks["reply_by"] == datetime(2026, 11, 23, 17)
    # Without a completion time it is projected from resolve_by.
    assert policy.deadlines("complaint", start=MON)["reply_by"] == datetime(2026, 11, 24, 12)
    (reply, resolve) = policy.applicable("complaint")
    assert (reply.key, reply.limit.anchor, resolve.key) == ("reply_by", "done", "resolve_by")
    assert resolve.source == "done.toml rules#1"
