"""``agentdesk import customers FILE`` through typer's CliRunner (the app on its own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agentdesk.cli.imports import JSON_KEYS, import_app
from agentdesk.db import open_database
from agentdesk.models import AuditEvent, Customer, CustomerPhone
from tests.conftest import T0
from tests.unit.test_importer import GOOD, ZH_HEADERS, write_csv, write_xlsx

runner = CliRunner()


def invoke(*args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return runner.invoke(import_app, ["customers", *args], env={"AGENTDESK_LANG": lang, "COLUMNS": "200"})


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "import.sqlite3")


def codes(db_path: str) -> dict[str, Customer]:
    db = open_database(f"sqlite:///{db_path}")
    try:
        with db.read() as s:
            return {c.user_code: c for c in s.execute(select(Customer)).scalars()}
    finally:
        db.dispose()


def bad_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "bad.csv", [
        ZH_HEADERS,
        ["220100000001", "张三", "13800138000", "", "", "", ""],
        ["[bold]U-2[/]", "", "13900139000", "", "", "", ""],  # line 3: no name, a code that looks like markup
        ["220100000003", "李四", "12800138000", "", "", "", ""],  # line 4: bad mobile
        ["220100000004", "王五", "13700137000", "", "", "", "金牌"],  # line 5: unknown tier
    ])


def test_all_good_exit_0(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(write_csv(tmp_path / "good.csv", GOOD)), "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "File: good.csv (encoding: UTF-8; delimiter: comma)" in result.stdout
    assert "Columns: 用户编码 (user code), 姓名 (name), 联系电话 (phone)" in result.stdout
    assert "Rows: 3; inserted 3, updated 0, unchanged 0, rejected 0." in result.stdout
    assert "Import complete." in result.stdout
    assert set(codes(db_path)) == {"220100000001", "220100000002", "220100000003"}
    again = invoke(str(tmp_path / "good.csv"), "--db", db_path)
    assert again.exit_code == 0 and "inserted 0, updated 0, unchanged 3" in again.stdout


def test_rejected_rows_exit_1_with_lines_and_reasons(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(bad_file(tmp_path)), "--db", db_path, lang="zh_CN")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "文件：bad.csv（编码：UTF-8；分隔符：逗号）" in out and "被拒绝的行" in out
    assert "缺少姓名。" in out and "手机号应为 11 位" in out and "客户等级“金牌”无法识别" in out
    lines = {line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")}
    assert {"3", "4", "5"} <= lines
    assert "[bold]U-2[/]" in out  # shown as typed, not as markup
    assert "共 4 行：新增 1，更新 0，无变化 0，拒绝 3。" in out
    assert "有 3 行有错误，未导入；其余各行已导入。" in out
    assert set(codes(db_path)) == {"220100000001"}


def test_all_or_nothing(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(bad_file(tmp_path)), "--all-or-nothing", "--db", db_path)
    assert result.exit_code == 1
    assert "Rows rejected: 3; with --all-or-nothing nothing was imported." in result.stdout
    assert codes(db_path) == {}


def test_dry_run(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(bad_file(tmp_path)), "--dry-run", "--db", db_path)
    assert result.exit_code == 1
    assert "Dry run: checked only, nothing was written." in result.stdout
    assert "Rows that would be rejected: 3." in result.stdout
    assert codes(db_path) == {}
    good = invoke(str(write_csv(tmp_path / "good.csv", GOOD)), "--dry-run", "--db", db_path)
    assert good.exit_code == 0 and "inserted 3" in good.stdout and codes(db_path) == {}


def test_json(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(bad_file(tmp_path)), "--json", "--db", db_path)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert tuple(data) == JSON_KEYS
    assert (data["inserted"], data["rejected"], data["committed"], data["encoding"]) == (1, 3, True, "utf-8")
    assert data["columns"][0] == {"header": "用户编码", "field": "user_code"}
    assert [(e["line"], e["fields"]) for e in data["errors"]] == [(3, ["name"]), (4, ["phone"]), (5, ["tier"])]
    assert data["errors"][0]["user_code"] == "[bold]U-2[/]" and data["errors"][0]["reason"] == "Missing name."


def test_gbk_and_tab_file(tmp_path: Path, db_path: str) -> None:
    path = write_csv(tmp_path / "gbk.txt", GOOD, encoding="gbk", delimiter="\t")
    result = invoke(str(path), "--db", db_path, lang="zh_CN")
    assert result.exit_code == 0, result.output
    assert "（编码：GB18030；分隔符：制表符）" in result.stdout
    assert codes(db_path)["220100000002"].name == "李四"


def test_xlsx_with_sheet_and_map(tmp_path: Path, db_path: str) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["户号", "联系人", "Tel"], [220100000009, "阿卜杜拉•买买提", 13800138000]],
                      title="名单")
    result = invoke(str(path), "--sheet", "名单", "--map", "户号=user_code", "--map", "联系人=name",
                    "--map", "Tel=phone", "--db", db_path)
    assert result.exit_code == 0, result.output
    assert "File: x.xlsx (sheet: 名单)" in result.stdout
    assert codes(db_path)["220100000009"].name == "阿卜杜拉·买买提"
    db = open_database(f"sqlite:///{db_path}")
    with db.read() as s:
        assert s.execute(select(CustomerPhone.phone)).scalars().all() == ["13800138000"]
        [audit] = s.execute(select(AuditEvent).where(AuditEvent.action == "customers.import")).scalars().all()
        assert audit.at == T0 and json.loads(audit.detail or "{}")["file"] == "x.xlsx"
    db.dispose()


def test_missing_columns_exit_1(tmp_path: Path, db_path: str) -> None:
    path = write_csv(tmp_path / "cols.csv", [["户号", "电话", "备注"], ["1", "13800138000", "x"]])
    result = invoke(str(path), "--db", db_path, lang="zh_CN")
    assert result.exit_code == 1
    assert "缺少必需的列：用户编码、姓名。" in result.stderr
    assert "户号（未识别）、电话（电话）、备注（未识别）" in result.stderr
    assert not Path(db_path).exists()  # the file was checked before the database was opened


@pytest.mark.parametrize(("args", "needle"), [
    (["missing.csv"], "No such file"),
    (["good.csv", "--map", "姓名=nickname"], "There is no field “nickname”"),
    (["good.csv", "--map", "姓名"], "--map takes HEADER=field"),
    (["good.csv", "--map", "没有这列=phone"], "The file has no column “没有这列”"),
    (["good.xlsx", "--sheet", "Sheet9"], "no sheet named “Sheet9”"),
])
def test_usage_errors_exit_2(tmp_path: Path, db_path: str, args: list[str], needle: str) -> None:
    write_csv(tmp_path / "good.csv", GOOD)
    write_xlsx(tmp_path / "good.xlsx", GOOD)
    result = invoke(*[str(tmp_path / a) if a.startswith(("good.", "missing.")) else a for a in args], "--db", db_path)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert not Path(db_path).exists()


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path, db_path: str) -> None:
    path = write_csv(tmp_path / "esc.csv", [ZH_HEADERS, ["\x1b[2J", "", "", "", "", "", ""],
                                            ["220100000007", "\x1b[31m赵六", "", "=SUM(A1)", "", "", ""]])
    result = invoke(str(path), "--db", db_path)
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    got = codes(db_path)["220100000007"]
    assert (got.name, got.address) == ("赵六", "=SUM(A1)")


def test_progress_goes_to_stderr(tmp_path: Path, db_path: str) -> None:
    result = invoke(str(write_csv(tmp_path / "good.csv", GOOD)), "--progress", "--json", "--db", db_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["inserted"] == 3  # stdout stays clean JSON
    assert "Importing" in result.stderr and "3/3" in result.stderr


def test_help_lists_the_fields() -> None:
    result = runner.invoke(import_app, ["customers", "--help"], env={"AGENTDESK_LANG": "en", "COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "user_code, name, phone, address, area, area_class, tier" in text
    for option in ("--map", "--dry-run", "--all-or-nothing", "--sheet", "--progress", "--json", "--db"):
        assert option in result.stdout
