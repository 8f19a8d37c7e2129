"""``agentdesk policy …`` and ``agentdesk sla …`` through typer's CliRunner (no Textual)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agentdesk.cli.policy import policy_app, sla_app
from agentdesk.policy import KINDS, list_policies

EN = {"AGENTDESK_LANG": "en", "COLUMNS": "200"}
ZH = {"AGENTDESK_LANG": "zh_CN", "COLUMNS": "200"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env=EN)


# -- policy list / show -----------------------------------------------------------------------


def test_list_shows_every_preset(runner):
    result = runner.invoke(policy_app, ["list"])
    assert result.exit_code == 0, result.output
    for name in ("jilin-96633", "bazhong-96655", "isp-manual", "jiangxi", "ct-gd-10000", "generic"):
        assert name in result.stdout


def test_list_json(runner):
    result = runner.invoke(policy_app, ["list", "--json"])
    assert result.exit_code == 0
    assert [row["name"] for row in json.loads(result.stdout)] == list_policies()


def test_show_prints_rules_working_hours_and_cut_offs(runner):
    result = runner.invoke(policy_app, ["show", "bazhong-96655"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "08:30-12:00" in out and "14:00-17:30" in out
    assert "17:00" in out and "16:00" in out  # the restore cut-offs
    assert "resolve_by" in out and "respond_by" in out and "transfer_by" in out
    assert "dispatch day counts" in out
    assert "城网业务恢复4小时" in out  # the rule's note, verbatim
    assert "Callback rules" in out and "20%" in out


def test_show_in_chinese():
    result = CliRunner(env=ZH).invoke(policy_app, ["show", "jiangxi"])
    assert result.exit_code == 0, result.output
    assert "时限规则" in result.stdout and "工作时段" in result.stdout and "法定节假日" in result.stdout
    assert "农网" in result.stdout and "10wd" in result.stdout


def test_show_json_describes_the_whole_policy(runner):
    result = runner.invoke(policy_app, ["show", "bazhong-96655", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["name"] == "bazhong-96655"
    assert data["calendar"]["windows"] == ["08:30-12:00", "14:00-17:30"]
    assert data["calendar"]["holidays"] == "CN"
    restores = [r for r in data["rules"] if r["kind"] == ["restore"]]
    assert {r["area"][0]: r["clocks"]["resolve"]["cutoff"] for r in restores} == {
        "city": "17:00",
        "suburb": "17:00",
        "rural": "16:00",
    }
    install = next(r for r in data["rules"] if r["kind"] == ["install"] and "resolve" in r["clocks"])
    assert install["clocks"]["resolve"] == {"limit": "3d", "dispatch_day_counts": True, "cutoff": None, "from": "start"}
    assert "install_trunk" in data["kinds"]
    assert any(c["mode"] == "sampled" and c["rate"] == 0.1 for c in data["callbacks"])


def test_show_unknown_policy_exits_2_listing_the_presets(runner):
    result = runner.invoke(policy_app, ["show", "hebei-96000"])
    assert result.exit_code == 2
    assert "hebei-96000" in result.output and "generic" in result.output and "jiangxi" in result.output


# -- policy check -----------------------------------------------------------------------------

GOOD = """
[policy]
extends = "jiangxi"
title = "本地分公司"
[calendar]
extra_holidays = [2026-12-25]
[[rules]]
kind = "repair"
tier = "vip"
resolve = "12h"
"""


def test_check_good_file_exits_0(runner, tmp_path: Path):
    path = tmp_path / "local.toml"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(policy_app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout and "local.toml" in result.stdout


def test_check_shipped_presets_exit_0(runner):
    from agentdesk.policy import policy_path

    for name in list_policies():
        assert runner.invoke(policy_app, ["check", str(policy_path(name))]).exit_code == 0, name


def test_check_bad_file_exits_1_naming_file_and_key(runner, tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text('[[rules]]\nkind = "repair"\nresolve = "4h"\n[[rules]]\nkind = "instal"\nresolve = "2 days"\n')
    result = runner.invoke(policy_app, ["check", str(path)])
    assert result.exit_code == 1
    assert "bad.toml" in result.output
    assert "rules#2.kind" in result.output and "rules#2.resolve" in result.output
    assert "2 problem(s)" in result.output


def test_check_unparsable_file_exits_1(runner, tmp_path: Path):
    path = tmp_path / "nope.toml"
    path.write_text("this is = = not toml")
    result = runner.invoke(policy_app, ["check", str(path)])
    assert result.exit_code == 1 and "nope.toml" in result.output


def test_check_in_chinese(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text('[[rules]]\nkind = "repair"\nresolve = "4 hours"\n')
    result = CliRunner(env=ZH).invoke(policy_app, ["check", str(path)])
    assert result.exit_code == 1 and "个问题" in result.output and "rules#1.resolve" in result.output


# -- sla due ----------------------------------------------------------------------------------


def test_sla_due_json_keys_and_values(runner):
    result = runner.invoke(
        sla_app,
        ["due", "--policy", "bazhong-96655", "--kind", "restore", "--area", "rural", "--at", "2026-11-23T16:30",
         "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "acknowledge_by": "2026-11-23T16:35:00",
        "resolve_by": "2026-11-24T20:30:00",
    }


def test_sla_due_json_private_network_repair(runner):
    args = ["due", "--policy", "bazhong-96655", "--kind", "repair", "--tier", "private", "--at", "2026-11-23T10:00"]
    data = json.loads(runner.invoke(sla_app, [*args, "--json"]).stdout)
    assert data["respond_by"] == "2026-11-23T10:10:00"
    assert data["resolve_by"] == "2026-11-23T11:00:00"
    assert data["callback_by"] == "2026-11-24T11:00:00"
    assert list(data) == ["transfer_by", "acknowledge_by", "respond_by", "resolve_by", "callback_by"]
    done = json.loads(runner.invoke(sla_app, [*args, "--done-at", "2026-11-23T10:40", "--json"]).stdout)
    assert done["callback_by"] == "2026-11-24T10:40:00"


def test_sla_due_json_working_days_across_national_day(runner):
    result = runner.invoke(
        sla_app, ["due", "--policy", "jiangxi", "--kind", "install", "--at", "2026-09-29T10:00", "--json"]
    )
    assert json.loads(result.stdout)["resolve_by"] == "2026-10-12T23:59:59"


def test_sla_due_table(runner):
    result = runner.invoke(
        sla_app, ["due", "--policy", "jilin-96633", "--kind", "complaint", "--at", "2026-11-23T10:00"]
    )
    assert result.exit_code == 0, result.output
    for key in ("forward_by", "reply_by", "reply_limit_by"):
        assert key in result.stdout
    assert "2026-11-23 22:00" in result.stdout and "2026-11-24 10:00" in result.stdout


def test_sla_due_table_in_chinese():
    result = CliRunner(env=ZH).invoke(
        sla_app, ["due", "--policy", "bazhong-96655", "--kind", "restore", "--at", "2026-11-23T17:30"]
    )
    assert result.exit_code == 0
    assert "业务恢复" in result.stdout and "2026-11-24 12:30" in result.stdout and "17:00 后受理" in result.stdout


def test_sla_due_offset_datetime_is_converted_to_china_time(runner):
    result = runner.invoke(
        sla_app,
        ["due", "--policy", "ct-gd-10000", "--kind", "complaint", "--at", "2026-11-23T02:00:00+00:00", "--json"],
    )
    assert json.loads(result.stdout)["reply_by"] == "2026-11-23T13:00:00"


def test_sla_due_without_deadlines_says_so(runner):
    result = runner.invoke(sla_app, ["due", "--policy", "ct-gd-10000", "--kind", "install", "--at", "2026-11-23T10:00"])
    assert result.exit_code == 0 and "No time limit" in result.stdout
    as_json = runner.invoke(
        sla_app, ["due", "--policy", "ct-gd-10000", "--kind", "install", "--at", "2026-11-23T10:00", "--json"]
    )
    assert json.loads(as_json.stdout) == {}


def test_sla_due_unknown_kind_exits_2_listing_valid_kinds(runner):
    result = runner.invoke(sla_app, ["due", "--policy", "generic", "--kind", "fix", "--at", "2026-11-23T10:00"])
    assert result.exit_code == 2
    assert "fix" in result.output
    for kind in KINDS:
        assert kind in result.output


def test_sla_due_extra_kind_is_valid_only_where_declared(runner):
    ok = runner.invoke(sla_app, ["due", "--policy", "bazhong-96655", "--kind", "install_trunk", "--at", "2026-11-23"])
    assert ok.exit_code == 0
    bad = runner.invoke(sla_app, ["due", "--policy", "jiangxi", "--kind", "install_trunk", "--at", "2026-11-23"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--policy", "hebei", ["generic", "bazhong-96655"]),
        ("--severity", "pipeline", ["general", "major", "critical"]),  # generic names no pipeline
        ("--area", "downtown", ["city", "suburb", "rural"]),
        ("--tier", "gold", ["regular", "vip", "big", "private"]),
    ],
)
def test_sla_due_unknown_names_exit_2_listing_valid_ones(runner, option, value, expected):
    args = ["due", "--kind", "repair", "--at", "2026-11-23T10:00", option, value]
    if option != "--policy":
        args += ["--policy", "generic"]
    result = runner.invoke(sla_app, args)
    assert result.exit_code == 2, result.output
    assert value in result.output
    for name in expected:
        assert name in result.output


def test_sla_due_bad_datetime_exits_2(runner):
    result = runner.invoke(sla_app, ["due", "--kind", "repair", "--at", "next tuesday"])
    assert result.exit_code == 2 and "next tuesday" in result.output


def test_unknown_kind_message_in_chinese():
    result = CliRunner(env=ZH).invoke(sla_app, ["due", "--kind", "fix", "--at", "2026-11-23T10:00"])
    assert result.exit_code == 2 and "未知的类型" in result.output


def test_mounted_under_a_root_that_carries_lang_and_policy():
    # The main CLI stores --lang and --policy in the root context object.
    root = typer.Typer()

    @root.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = {"lang": "zh_CN", "policy": "jiangxi"}

    root.add_typer(sla_app, name="sla")
    root.add_typer(policy_app, name="policy")
    result = CliRunner(env=EN).invoke(root, ["sla", "due", "--kind", "complaint", "--at", "2026-09-17T10:00"])
    assert result.exit_code == 0, result.output
    assert "jiangxi" in result.stdout and "答复" in result.stdout and "2026-09-21 23:59" in result.stdout


def test_root_lang_also_translates_validation_messages(tmp_path: Path):
    root = typer.Typer()

    @root.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = {"lang": "zh_CN"}

    root.add_typer(policy_app, name="policy")
    path = tmp_path / "bad.toml"
    path.write_text('[[rules]]\nkind = "repair"\nresolve = "4 hours"\n')
    result = CliRunner(env=EN).invoke(root, ["policy", "check", str(path)])
    assert result.exit_code == 1 and "取值无效" in result.output
    # Without a root choice the environment decides again.
    result = CliRunner(env=EN).invoke(policy_app, ["check", str(path)])
    assert "invalid value" in result.output
