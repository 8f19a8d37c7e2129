"""Handover exports read back: CSV (BOM), JSON, XLSX, Markdown; masking; user text as data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from agentdesk.services.errors import InvalidInput
from agentdesk.services.handover import HandoverCounts, HandoverItem, HandoverNoteInfo
from agentdesk.services.handover_export import (
    CSV_COLUMNS,
    ITEM_COLUMNS,
    display_width,
    export,
    md_escape,
)
from tests.conftest import T0

NASTY = "=HYPERLINK(\"http://evil\",\"点我\")"


def item(kind: str, ref: str, title: str, **kw) -> HandoverItem:  # type: ignore[no-untyped-def]
    phone = kw.pop("phone", "")
    defaults = dict(due_at=T0 + timedelta(hours=2), status="pending", customer_name="", detail="",
                    category="", created_at=T0 - timedelta(hours=1))
    defaults.update(kw)
    return HandoverItem(kind=kind, ref=ref, title=title, phone_masked=(phone[:3] + "****" + phone[-4:]) if phone
                        else "", phone=phone, **defaults)  # type: ignore[arg-type]


def sample_note(note_id: int = 7, **kw) -> HandoverNoteInfo:  # type: ignore[no-untyped-def]
    items = (
        item("work_order", "GD20261123-000001", "宽带频繁掉线 | 重启无效", status="dispatched", category="repair",
             customer_name="张三", phone="13800138000", detail="网络维护部", badge="warning"),
        item("follow_up", "12", "套餐资费\n待答复", category="followup", customer_name="李四", phone="13900139000"),
        item("callback", "13", NASTY, category="after_repair", customer_name="+王五", phone="13700137000",
             badge="overdue"),
        item("outage", "3", "光缆被挖断", status="active", category="tv,broadband", detail="朝阳区、南关区",
             due_at=T0 + timedelta(hours=4)),
        item("open_call", "99", "-电视没信号", status="open", category="repair", due_at=None,
             customer_name="@钱七", phone="13500135000"),
    )
    values = dict(
        id=note_id, shift_id=3, agent_number="1024", agent_name="李娜", team="甲班", seat="A-12",
        compiled_at=T0 + timedelta(hours=8), confirmed_at=T0 + timedelta(hours=8), items=items,
        counts=HandoverCounts({"consult": 2, "repair": 1}, {"answered": 2, "work_order": 1}, 3),
        notes="**注意** 张三明早回电\n# 不是标题\n- 不是列表 | [链接](http://x)", phrase_flag=True,
        acks=(("1025", T0 + timedelta(hours=9)),), started_at=T0, ended_at=T0 + timedelta(hours=8),
        ack_names=("张伟",),
    )
    values.update(kw)
    return HandoverNoteInfo(**values)  # type: ignore[arg-type]


# -- CSV ----------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_rows_headers_and_masking() -> None:
    rows = read_csv(export([sample_note(), sample_note(8, items=())], "csv", lang="zh_CN"))
    header, body = rows[0], rows[1:]
    assert len(header) == len(CSV_COLUMNS)
    assert header[:3] == ["交接编号", "班次编号", "工号"] and "电话" in header and header[-1] == "交班备注"
    col = {name: header.index(label) for name, label in zip(CSV_COLUMNS, header, strict=True)}
    assert len(body) == 6  # five items, and one row for the note without items
    first = body[0]
    assert first[col["agent_name"]] == "李娜" and first[col["team"]] == "甲班"
    assert first[col["item_kind"]] == "未完结工单" and first[col["status"]] == "已派单"
    assert first[col["category"]] == "报修" and first[col["badge"]] == "临近超时"
    assert first[col["phone"]] == "138****8000" and first[col["due_at"]] == "2026-11-23 11:00"
    assert first[col["title"]] == "宽带频繁掉线 | 重启无效"
    assert first[col["acknowledged_by"]] == "1025 张伟（2026-11-23 18:00）"
    assert first[col["calls_by_type"]] == "咨询 2；报修 1" and first[col["phrase_flag"]] == "是"
    assert body[1][col["title"]] == "套餐资费\n待答复" and body[1][col["status"]] == "待答复"
    assert body[3][col["category"]] == "有线电视、宽带" and body[3][col["status"]] == "进行中"
    assert body[-1][col["note_id"]] == "8" and body[-1][col["item_kind"]] == ""
    text = "\n".join(",".join(r) for r in rows)
    for full in ("13800138000", "13900139000", "13700137000", "13500135000"):
        assert full not in text


def test_csv_unmasked_shows_full_numbers() -> None:
    rows = read_csv(export([sample_note()], "csv", lang="en", unmasked=True))
    phone = rows[0].index("Phone")
    assert [r[phone] for r in rows[1:]] == ["13800138000", "13900139000", "13700137000", "", "13500135000"]
    assert rows[0][0] == "Note"


def test_csv_guards_against_formulas() -> None:
    rows = read_csv(export([sample_note()], "csv", lang="zh_CN"))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + NASTY in cells and NASTY not in cells
    assert "'+王五" in cells and "'@钱七" in cells and "'-电视没信号" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


# -- JSON ---------------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    data = export([sample_note()], "json", lang="zh_CN")
    assert "张三".encode() in data  # ensure_ascii=False
    doc = json.loads(data)
    assert (doc["format"], doc["version"], doc["lang"], doc["masked"]) == ("agentdesk.handover", 1, "zh_CN", True)
    [note] = doc["notes"]
    assert list(note) == sorted(note)
    assert note["started_at"] == T0.isoformat() and note["confirmed_at"] == "2026-11-23T17:00:00"
    assert note["counts"] == {"calls_by_outcome": {"answered": 2, "work_order": 1},
                              "calls_by_type": {"consult": 2, "repair": 1}, "left_off": {}, "total_calls": 3}
    assert note["acks"] == [{"acked_at": "2026-11-23T18:00:00", "agent_name": "张伟", "agent_number": "1025"}]
    first = note["items"][0]
    assert list(first) == sorted(first)
    assert (first["kind"], first["kind_label"], first["status"], first["status_label"]) == \
        ("work_order", "未完结工单", "dispatched", "已派单")
    assert first["phone"] == "138****8000" and first["due_at"] == "2026-11-23T11:00:00"
    assert note["items"][-1]["due_at"] is None
    assert note["notes"].startswith("**注意**")  # data, as typed
    unmasked = json.loads(export([sample_note()], "json", lang="en", unmasked=True))
    assert unmasked["masked"] is False and unmasked["notes"][0]["items"][0]["phone"] == "13800138000"


# -- XLSX ---------------------------------------------------------------------------------------


def _table(ws):  # type: ignore[no-untyped-def]
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value in ("事项", "Item"))
    return rows[:start], rows[start], rows[start + 1:]


def test_xlsx_one_sheet_per_note() -> None:
    wb = load_workbook(io.BytesIO(export([sample_note(), sample_note(8, items=())], "xlsx", lang="zh_CN")))
    assert wb.sheetnames == ["1024 李娜 #7", "1024 李娜 #8"]
    ws = wb["1024 李娜 #7"]
    facts, header, body = _table(ws)
    assert facts[0][0].value == "交接班记录 · 李娜（1024）" and facts[0][0].font.b
    fact_values = {r[0].value: r[1].value for r in facts[1:] if r[0].value}
    assert fact_values["班组"] == "甲班" and fact_values["本班来电"] == 3 and fact_values["含服务忌语"] == "是"
    assert fact_values["交班备注"].startswith("**注意**")
    assert [c.value for c in header] == ["事项", "编号", "类型", "内容", "状态", "时限状态", "到期/时限", "发生时间",
                                        "客户", "电话", "说明"]
    assert all(c.font.b for c in header) and not body[0][0].font.b
    assert ws.freeze_panes == f"A{header[0].row + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header[0].row}:K")
    assert len(body) == 5
    phone = ITEM_COLUMNS.index("phone")
    assert body[0][phone].value == "138****8000" and body[0][3].value == "宽带频繁掉线 | 重启无效"
    title = ITEM_COLUMNS.index("title")
    assert body[2][title].value == "'" + NASTY and body[2][title].data_type == "s"  # text, not a formula
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    # Widths follow the content; Chinese counts double.
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["D"] >= display_width("宽带频繁掉线 | 重启无效") and widths["C"] < widths["D"]
    _, _, empty = _table(wb["1024 李娜 #8"])
    assert empty == []


def test_xlsx_unmasked_and_english() -> None:
    wb = load_workbook(io.BytesIO(export([sample_note()], "xlsx", lang="en", unmasked=True)))
    _, header, body = _table(wb.active)
    assert header[ITEM_COLUMNS.index("phone")].value == "Phone"
    assert body[0][ITEM_COLUMNS.index("phone")].value == "13800138000"
    assert body[0][ITEM_COLUMNS.index("status")].value == "dispatched"


def test_xlsx_item_rows_are_text_as_written() -> None:
    """The item rows (written without a cell object each) read back as the values they were."""
    import zipfile
    from xml.etree import ElementTree

    odd = ["a&b<c>d ]]>", " leading", "trailing ", "  ", "#N/A", "x\ty", "𠮷野家", "\ufeffbom", "\x01bell", "x" * 40000]
    items = tuple(item("work_order", f"GD{i}", text, customer_name=text, detail=text, category="repair")
                  for i, text in enumerate(odd))
    data = export([sample_note(items=items)], "xlsx", lang="en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ElementTree.fromstring(archive.read(name))  # well-formed
    _, header, body = _table(load_workbook(io.BytesIO(data)).active)
    assert [r[0].row for r in body] == list(range(header[0].row + 1, header[0].row + 1 + len(odd)))
    expected = [text.replace("\x01", "")[:32767] for text in odd]
    for column in ("title", "customer_name", "detail"):
        got = [r[ITEM_COLUMNS.index(column)] for r in body]
        assert [c.value for c in got] == expected
        assert {c.data_type for c in got} == {"s"}
    assert body[0][ITEM_COLUMNS.index("ref")].value == "GD0"


def test_xlsx_without_notes_still_opens() -> None:
    wb = load_workbook(io.BytesIO(export([], "xlsx", lang="zh_CN")))
    assert wb.sheetnames == ["交接班"]


def test_display_width_counts_chinese_double() -> None:
    assert display_width("abc") == 3 and display_width("中文ab") == 6 and display_width("（：）") == 6


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_page_sections() -> None:
    md = export([sample_note()], "md", lang="zh_CN").decode()
    assert md.startswith("# 交接班记录 · 李娜（1024）\n")
    assert "- 班组：甲班" in md and "- 班次：2026-11-23 09:00 至 2026-11-23 17:00" in md
    for heading in ("## 未完结工单（1）", "## 待答复（1）", "## 到期回访（1）", "## 进行中的大面积故障（1）",
                    "## 移交的未结束来电（1）", "## 本班来电统计", "## 交班备注", "## 接班确认"):
        assert heading in md, heading
    assert "本班共接来电 3 个。" in md and "| 咨询 | 2 |" in md and "| 已解答 | 2 |" in md
    assert "- 1025 张伟（2026-11-23 18:00）" in md
    assert "⚠" in md
    assert "138\\*\\*\\*\\*8000" in md and "13800138000" not in md  # masked, and no emphasis


def test_markdown_escapes_user_text() -> None:
    md = export([sample_note()], "md", lang="zh_CN").decode()
    row = next(line for line in md.splitlines() if line.startswith("| GD20261123-000001"))
    assert "宽带频繁掉线 \\| 重启无效" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 9  # 8 columns, the user's pipe escaped
    assert "套餐资费<br>待答复" in md  # a line break stays inside its cell
    notes = md.split("## 交班备注", 1)[1].split("## 接班确认", 1)[0]
    assert "> \\*\\*注意\\*\\* 张三明早回电" in notes
    assert "> \\# 不是标题" in notes and "> \\- 不是列表 \\| \\[链接\\](http://x)" in notes
    assert "\n# 不是标题" not in md and "\n- 不是列表" not in md


def test_markdown_without_items_or_acks_in_english() -> None:
    md = export([sample_note(items=(), acks=(), ack_names=(), notes="", phrase_flag=False)], "md",
                lang="en").decode()
    assert "## Open work orders (0)\n\nNone." in md and "Open calls handed over" not in md
    assert "Nobody has acknowledged this handover yet." in md and "(no notes)" in md and "⚠" not in md


def test_markdown_separates_notes() -> None:
    md = export([sample_note(), sample_note(8)], "md", lang="zh_CN").decode()
    assert md.count("# 交接班记录") == 2 and "\n---\n" in md


def test_md_escape() -> None:
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("<script>") == "\\<script\\>"
    assert md_escape("一\n二") == "一<br>二"
    assert md_escape("") == ""


def test_unknown_format() -> None:
    with pytest.raises(InvalidInput) as err:
        export([sample_note()], "pdf", lang="zh_CN")
    assert err.value.key == "handover.bad_format"


def test_unknown_codes_fall_back_to_the_code() -> None:
    note = sample_note(items=(item("work_order", "X1", "新东西", status="someday", category="teleport"),))
    rows = read_csv(export([note], "csv", lang="zh_CN"))
    assert "someday" in rows[1] and "teleport" in rows[1]
