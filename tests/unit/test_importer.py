"""Customer import: reading CSV/XLSX, recognizing columns, validating rows, upserting in bulk."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from agentdesk.models import AuditEvent, Customer, CustomerPhone
from agentdesk.services import importer
from agentdesk.services.importer import (
    CustomerRecord,
    ImportUsageError,
    MissingColumns,
    RowError,
    import_customers,
    parse_map_options,
    read_rows,
    split_phones,
    validate_row,
)
from tests.conftest import T0

ZH_HEADERS = ["用户编码", "姓名", "联系电话", "装机地址", "片区", "区域类型", "客户等级"]
EN_HEADERS = ["User Code", "NAME", " mobile ", "Address", "area", "Area_Class", "Tier"]


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], *, title: str = "客户", extra_sheet: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet(extra_sheet).append(["无关"])
    book.save(path)
    return path


GOOD = [
    ZH_HEADERS,
    ["220100000001", "张三", "13800138000", "南关区 1 栋 1 单元 101", "南关", "城网", "普通"],
    ["220100000002", "李四", "0431-88881234", "绿园区 2 栋", "绿园", "郊区", "VIP"],
    ["220100000003", "王五", "13900139000", "双阳区 3 号", "双阳", "农村", "大客户"],
]


def customers(db) -> dict[str, Customer]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return {c.user_code: c for c in s.execute(select(Customer)).scalars()}


def phones(db, code: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return [tuple(r) for r in s.execute(
            select(CustomerPhone.phone, CustomerPhone.kind).join(Customer, Customer.id == CustomerPhone.customer_id)
            .where(Customer.user_code == code).order_by(CustomerPhone.id)
        )]


def snapshot(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        rows = s.execute(select(Customer).order_by(Customer.id)).scalars().all()
        ph = s.execute(select(CustomerPhone.customer_id, CustomerPhone.phone, CustomerPhone.kind)
                       .order_by(CustomerPhone.id)).all()
    return [tuple(c.model_dump().items()) for c in rows] + [tuple(p) for p in ph]


def audits(db) -> list[dict]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        rows = s.execute(select(AuditEvent).where(AuditEvent.action == "customers.import")
                         .order_by(AuditEvent.id)).scalars().all()
    return [json.loads(a.detail or "{}") for a in rows]


# -- reading ------------------------------------------------------------------------------------


def test_utf8_csv_with_chinese_headers(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "c.csv", GOOD)
    encoding, headers, rows = read_rows(path)
    assert encoding == "utf-8" and headers == ZH_HEADERS and rows.delimiter == ","
    assert [f for _h, f in rows.column_fields] == list(importer.FIELDS)
    data = list(rows)
    assert [line for line, _ in data] == [2, 3, 4]
    assert data[0][1]["phone"] == ["13800138000"] and data[1][1]["area_class"] == "郊区"

    report = import_customers(db, path)
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.committed and report.encoding == "utf-8"
    got = customers(db)
    zs = got["220100000001"]
    assert (zs.name, zs.name_initials, zs.name_pinyin) == ("张三", "zs", "zhangsan")
    assert (zs.area_name, zs.area_class, zs.tier, zs.created_at) == ("南关", "city", "regular", T0)
    assert (got["220100000002"].area_class, got["220100000002"].tier) == ("suburb", "vip")
    assert (got["220100000003"].area_class, got["220100000003"].tier) == ("rural", "big")
    assert phones(db, "220100000002") == [("043188881234", "landline")]


def test_utf8_bom_csv(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "bom.csv", GOOD, encoding="utf-8-sig")
    encoding, headers, _rows = read_rows(path)
    assert encoding == "utf-8-sig" and headers[0] == "用户编码"  # the BOM is not part of the header
    report = import_customers(db, path)
    assert report.inserted == 3 and report.encoding == "utf-8-sig"


def test_gbk_csv_with_chinese_headers_and_values(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    rows = [["客户编码", "户名", "手机", "住址", "区域", "网络类型", "用户等级"],
            ["220100000010", "欧阳娜娜", "13700137000", "朝阳区 8 栋", "朝阳", "城区", "贵宾"],
            ["220100000011", "诸葛亮", "0431-85551234", "宽城区", "宽城", "农网", "专线"]]
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = import_customers(db, path)
    assert report.encoding == "gb18030" and report.inserted == 2 and report.rejected == 0
    got = customers(db)
    assert got["220100000010"].name == "欧阳娜娜" and got["220100000010"].address == "朝阳区 8 栋"
    assert (got["220100000010"].area_class, got["220100000010"].tier) == ("city", "vip")
    assert (got["220100000011"].area_class, got["220100000011"].tier) == ("rural", "private")
    assert got["220100000011"].name_initials == "zgl"


def test_excel_unicode_text(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    """Excel's "Unicode text" (Unicode 文本) export: UTF-16 with a BOM, tab-separated."""
    path = write_csv(tmp_path / "unicode.txt", GOOD, encoding="utf-16", delimiter="\t")
    report = import_customers(db, path)
    assert (report.encoding, report.delimiter, report.inserted) == ("utf-16", "\t", 3)


@pytest.mark.parametrize(("delimiter", "suffix"), [("\t", "tsv"), (";", "csv"), ("|", "txt")])
def test_other_delimiters(tmp_path: Path, db, delimiter: str, suffix: str) -> None:  # type: ignore[no-untyped-def]
    rows = [r[:] for r in GOOD]
    rows[1][3] = "南关区, 1 栋"  # a comma inside a field must not split it
    path = write_csv(tmp_path / f"d.{suffix}", rows, delimiter=delimiter)
    _enc, _headers, source = read_rows(path)
    assert source.delimiter == delimiter
    report = import_customers(db, path)
    assert report.inserted == 3 and report.rejected == 0
    assert customers(db)["220100000001"].address == "南关区, 1 栋"


def test_english_headers_case_and_space_insensitive(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    rows = [EN_HEADERS, ["U-1", "Zhang San", "138 0013 8000", "1 Main St", "Nanguan", "City", "vip"],
            ["U-2", "Li Si", "13900139000", "", "", "rural", "private"]]
    report = import_customers(db, write_csv(tmp_path / "en.csv", rows))
    assert report.inserted == 2 and report.rejected == 0
    got = customers(db)
    assert (got["U-1"].name, got["U-1"].area_class, got["U-1"].tier) == ("Zhang San", "city", "vip")
    assert phones(db, "U-1") == [("13800138000", "mobile")]
    assert got["U-2"].address == "" and got["U-2"].tier == "private"


def test_xlsx_with_numbers_and_a_title_row(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    rows = [["长春分公司客户清单（2026 年 11 月）"],
            [],
            ["用户编号", "客户姓名", "手机号", "固话", "地址", "小区", "片区类型", "等级", "备注"],
            [220100000021, "赵六", 13800138000, 43188881234, "南关区", "南关", "城网", "普通", "老用户"],
            ["220100000022", "钱七", "13900139000", None, None, None, None, None, None],
            [220100000023, None, 12800138000, None, None, None, None, "金牌", None]]
    path = write_xlsx(tmp_path / "list.xlsx", rows, extra_sheet="说明")
    encoding, headers, source = read_rows(path)
    assert encoding is None and source.sheet == "客户" and headers[0] == "用户编号"
    assert source.ignored == ["备注"]
    source.close()
    report = import_customers(db, path)
    assert (report.inserted, report.rejected) == (2, 1)
    assert report.errors[0].line == 6  # the sheet's row number
    assert report.errors[0].user_code == "220100000023"
    got = customers(db)
    assert got["220100000021"].name == "赵六"  # a numeric user code reads back as digits
    # The landline Excel stored as a number lost its leading zero; it is restored.
    assert phones(db, "220100000021") == [("13800138000", "mobile"), ("043188881234", "landline")]
    assert got["220100000022"].tier == "regular" and phones(db, "220100000022") == [("13900139000", "mobile")]


def test_xlsx_sheet_by_name(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["封面"])
    data = book.create_sheet("客户")
    for row in GOOD:
        data.append(row)
    path = tmp_path / "two.xlsx"
    book.save(path)
    with pytest.raises(MissingColumns):
        import_customers(db, path)
    report = import_customers(db, path, sheet="客户")
    assert report.inserted == 3 and report.sheet == "客户"
    with pytest.raises(ImportUsageError) as exc:
        import_customers(db, path, sheet="没有")
    assert exc.value.key == "importer.no_sheet" and "封面、客户" in exc.value.message("zh_CN")


def test_map_option(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    rows = [["户号", "联系人", "Tel2", "姓名"], ["A-1", "孙八", "13800138000", "别用这一列"]]
    path = write_csv(tmp_path / "m.csv", rows)
    mapping = parse_map_options(["户号=user_code", "联系人=name", "Tel2=phone", "姓名=-"])
    assert mapping == {"户号": "user_code", "联系人": "name", "Tel2": "phone", "姓名": "-"}
    report = import_customers(db, path, mapping=mapping)
    assert report.inserted == 1 and customers(db)["A-1"].name == "孙八"
    assert phones(db, "A-1") == [("13800138000", "mobile")]
    # A field may also be named by a header alias; --map wins over automatic recognition.
    assert parse_map_options(["客户=姓名", "x = 手机"]) == {"客户": "name", "x": "phone"}
    with pytest.raises(ImportUsageError) as exc:
        parse_map_options(["户号=customer_number"])
    assert exc.value.key == "importer.unknown_field"
    with pytest.raises(ImportUsageError) as exc:
        parse_map_options(["no-equals-sign"])
    assert exc.value.key == "importer.bad_map"
    with pytest.raises(ImportUsageError) as exc:
        read_rows(path, mapping={"户号": "user_code", "联系人": "name", "电话号": "phone"})
    assert exc.value.key == "importer.map_header_missing"
    with pytest.raises(ImportUsageError):
        read_rows(path, mapping={"户号": "bogus"})


def test_missing_required_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["编号", "电话", "地址"], ["1", "13800138000", "某地"]])
    with pytest.raises(MissingColumns) as exc:
        read_rows(path)
    assert exc.value.missing == ["user_code", "name"]
    zh = exc.value.message("zh_CN")
    assert "用户编码、姓名" in zh and "电话（电话）" in zh and "编号（未识别）" in zh
    assert "user code, name" in exc.value.message("en")


@pytest.mark.parametrize(("content", "key"), [
    (b"", "importer.empty_file"),
    (b"\xef\xbb\xbf\r\n\r\n", "importer.empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "importer.xls_unsupported"),
    (b"PK\x03\x04 not really a zip", "importer.bad_xlsx"),
    (b"\xff\xff\xff\xfe", "importer.bad_encoding"),
])
def test_unusable_files(tmp_path: Path, content: bytes, key: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportUsageError) as exc:
        read_rows(path)
    assert exc.value.key == key
    with pytest.raises(ImportUsageError) as exc:
        read_rows(tmp_path / "missing.csv")
    assert exc.value.key == "importer.file_missing"


# -- validating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("１３８００１３８０００", ["13800138000"]),
    ("+86 139-0013-9000", ["13900139000"]),
    ("0086 13700137000", ["13700137000"]),
    ("138 0013 8000", ["13800138000"]),
    ("13800138000，13900139000;0431-88881234 转 801", ["13800138000", "13900139000", "043188881234#801"]),
    ("13800138000 13900139000", ["13800138000", "13900139000"]),
    ("13800138000／13900139000、13700137000；13600136000", ["13800138000", "13900139000", "13700137000",
                                                            "13600136000"]),
    ("0431 88881234 13800138000", ["043188881234", "13800138000"]),
    ('="13800138000"', ["13800138000"]),
    ("-", []),
    ("无", []),
])
def test_split_phones(cell: str, expected: list[str]) -> None:
    numbers, bad = split_phones(cell)
    assert [n for n, _k in numbers] == expected and bad == []


def test_split_phones_reports_the_bad_part() -> None:
    numbers, bad = split_phones("13800138000，12800138000")
    assert numbers == [("13800138000", "mobile")] and bad == [("12800138000", "phone.bad_mobile")]
    assert split_phones("1.38001E+10")[1] == [("1.38001E+10", "importer.scientific_phone")]


def test_validate_row_normalizes() -> None:
    record = validate_row(7, {"user_code": " ２２０１００００００３０ ", "name": "阿卜杜拉•买买提",
                              "phone": ["+86 138 0013 8000", "13800138000", ""],
                              "address": "  南关区\n1 栋  ", "area": "\x1b[2J南关", "tier": "ＶＩＰ"})
    assert isinstance(record, CustomerRecord)
    assert record.user_code == "220100000030" and record.name == "阿卜杜拉·买买提"
    assert record.name_initials and record.name_pinyin.endswith("maimaiti")
    assert record.phones == (("13800138000", "mobile"),)  # the same number once
    assert (record.address, record.area_name, record.tier, record.area_class) == ("南关区 1 栋", "南关", "vip", None)

    zw = validate_row(8, {"user_code": "1", "name": "张\u200b三"})
    assert isinstance(zw, CustomerRecord) and (zw.name, zw.name_initials, zw.name_pinyin) == ("张三", "zs", "zhangsan")
    assert zw.phones is None and zw.address is None  # not given: left as they are on update


def test_validate_row_reports_every_problem() -> None:
    error = validate_row(12, {"user_code": "220100000040", "name": " ", "phone": ["12800138000"],
                              "tier": "金牌", "area_class": "海边"})
    assert isinstance(error, RowError) and error.line == 12 and error.user_code == "220100000040"
    assert error.fields == ["name", "area_class", "tier", "phone"]
    zh = error.message("zh_CN")
    assert "缺少姓名。" in zh and "客户等级“金牌”无法识别" in zh and "区域类型“海边”无法识别" in zh
    assert "电话“12800138000”有误：手机号应为 11 位" in zh
    en = error.message("en")
    assert "Missing name." in en and "Unknown tier “金牌”" in en and "A mobile number has 11 digits" in en

    assert validate_row(2, {"user_code": "", "name": "x"}).fields == ["user_code"]  # type: ignore[union-attr]
    sci = validate_row(3, {"user_code": "2.20100E+11", "name": "x"})
    assert isinstance(sci, RowError) and sci.problems[0].key == "importer.scientific_code"
    long = validate_row(4, {"user_code": "1", "name": "x", "address": "长" * 301})
    assert isinstance(long, RowError) and "最多 300 字" in long.message("zh_CN")
    assert validate_row(5, {"user_code": "220100000041.0",  # type: ignore[union-attr]
                            "name": "x"}).user_code == "220100000041"


@pytest.mark.parametrize(("value", "expected"), [
    ("城网", "city"), ("城区", "city"), ("CITY", "city"), ("城郊", "suburb"), ("郊区", "suburb"),
    ("Suburb", "suburb"), ("农网", "rural"), ("农村", "rural"), ("rural", "rural"),
])
def test_area_class_values(value: str, expected: str) -> None:
    record = validate_row(2, {"user_code": "1", "name": "x", "area_class": value})
    assert isinstance(record, CustomerRecord) and record.area_class == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("普通", "regular"), ("regular", "regular"), ("普通用户", "regular"), ("VIP", "vip"), ("vip", "vip"),
    ("贵宾", "vip"), ("大客户", "big"), ("集团", "big"), ("big", "big"), ("专网", "private"), ("专线", "private"),
    ("private", "private"),
])
def test_tier_values(value: str, expected: str) -> None:
    record = validate_row(2, {"user_code": "1", "name": "x", "tier": value})
    assert isinstance(record, CustomerRecord) and record.tier == expected


# -- importing ----------------------------------------------------------------------------------


def mixed_file(tmp_path: Path) -> Path:
    """Good rows, bad rows, and a quoted address spanning two lines (CSV line numbers count it)."""
    return write_csv(tmp_path / "mixed.csv", [
        ZH_HEADERS,
        ["220100000101", "阿卜杜拉•买买提", "１３８００１３８０００，+86 139 0013 9000", "南关区\n2 栋", "南关", "城网",
         "VIP"],
        ["220100000102", "", "13700137000", "", "", "", ""],  # line 4: no name
        ["220100000103", "周\u200b九", "12800138000", "", "", "", ""],  # line 5: bad mobile
        ["220100000104", "吴十", "13600136000", "", "", "", "金牌"],  # line 6: unknown tier
        ["220100000105", "[bold]x[/]", "0431-88881234 转 801", "=SUM(A1)", "\x1b[2J绿园", "城郊", "普通"],
        ["220100000101", "重复", "13500135000", "", "", "", ""],  # line 8: duplicate code
    ])


def test_default_commits_the_good_rows_and_lists_the_bad(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    report = import_customers(db, mixed_file(tmp_path), actor_id=None)
    assert (report.rows, report.inserted, report.updated, report.unchanged, report.rejected) == (6, 2, 0, 0, 4)
    assert report.committed and not report.ok
    assert [(e.line, e.user_code, e.fields) for e in report.errors] == [
        (4, "220100000102", ["name"]), (5, "220100000103", ["phone"]), (6, "220100000104", ["tier"]),
        (8, "220100000101", ["user_code"])]
    assert "与第 2 行重复" in report.errors[3].message("zh_CN")
    got = customers(db)
    assert set(got) == {"220100000101", "220100000105"}
    assert got["220100000101"].name == "阿卜杜拉·买买提" and got["220100000101"].address == "南关区 2 栋"
    assert phones(db, "220100000101") == [("13800138000", "mobile"), ("13900139000", "mobile")]
    odd = got["220100000105"]
    # Markup and formulas are data, stored as typed; escape sequences are removed.
    assert (odd.name, odd.address, odd.area_name) == ("[bold]x[/]", "=SUM(A1)", "绿园")
    assert phones(db, "220100000105") == [("043188881234#801", "landline")]
    [detail] = audits(db)
    assert detail["file"] == "mixed.csv" and detail["encoding"] == "utf-8"
    assert (detail["inserted"], detail["updated"], detail["unchanged"], detail["rejected"]) == (2, 0, 0, 4)


def test_all_or_nothing_writes_nothing(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    report = import_customers(db, mixed_file(tmp_path), all_or_nothing=True, batch_size=1)
    assert not report.committed and report.rejected == 4 and report.inserted == 2  # what it would have done
    assert customers(db) == {} and audits(db) == []
    good = import_customers(db, write_csv(tmp_path / "good.csv", GOOD), all_or_nothing=True)
    assert good.committed and good.inserted == 3 and len(audits(db)) == 1


def test_dry_run_writes_nothing(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "good.csv", GOOD)
    report = import_customers(db, path, dry_run=True)
    assert report.dry_run and not report.committed and report.inserted == 3
    assert customers(db) == {} and audits(db) == []
    import_customers(db, path)
    changed = [r[:] for r in GOOD]
    changed[2][3] = "新地址"
    again = import_customers(db, write_csv(tmp_path / "changed.csv", changed), dry_run=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 2)
    assert customers(db)["220100000002"].address == "绿园区 2 栋"


def test_reimport_is_idempotent(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    path = mixed_file(tmp_path)
    import_customers(db, path)
    before = snapshot(db)
    again = import_customers(db, path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 4)
    assert snapshot(db) == before
    assert [a["unchanged"] for a in audits(db)] == [0, 2]


def test_update_of_an_existing_customer(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        old = Customer(user_code="220100000201", name="郑一", name_initials="zy", name_pinyin="zhengyi",
                       address="旧地址", area_name="南关", area_class="city", tier="regular", created_at=T0)
        keep = Customer(user_code="220100000202", name="冯二", name_initials="fe", name_pinyin="fenger",
                        address="冯家", area_name="绿园", area_class="suburb", tier="big", created_at=T0)
        s.add(old)
        s.add(keep)
        s.flush()
        s.add(CustomerPhone(customer_id=old.id, phone="13800138000", kind="mobile"))
        s.add(CustomerPhone(customer_id=keep.id, phone="13900139000", kind="mobile"))
    path = write_csv(tmp_path / "u.csv", [
        ZH_HEADERS,
        ["220100000201", "郑一一", "13700137000、0431-88881234", "新地址", "朝阳", "农网", "VIP"],
        # Empty cells mean "not given": this customer keeps its address, class, tier and phones.
        ["220100000202", "冯二", "", "", "", "", ""],
    ])
    report = import_customers(db, path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    got = customers(db)
    new = got["220100000201"]
    assert (new.name, new.name_initials, new.address, new.area_name, new.area_class, new.tier) == (
        "郑一一", "zyy", "新地址", "朝阳", "rural", "vip")
    assert new.created_at == T0 and new.id == old.id
    assert phones(db, "220100000201") == [("13700137000", "mobile"), ("043188881234", "landline")]
    kept = got["220100000202"]
    assert (kept.address, kept.area_name, kept.area_class, kept.tier) == ("冯家", "绿园", "suburb", "big")
    assert phones(db, "220100000202") == [("13900139000", "mobile")]
    # Only the phones changing is an update too.
    report = import_customers(db, write_csv(tmp_path / "p.csv", [["用户编码", "姓名", "电话"],
                                                                  ["220100000202", "冯二", "13500135000"]]))
    assert report.updated == 1 and phones(db, "220100000202") == [("13500135000", "mobile")]


def test_bulk_import(tmp_path: Path, db) -> None:  # type: ignore[no-untyped-def]
    n = 20_000
    rows: list[list[object]] = [["用户编码", "姓名", "电话", "片区", "等级"]]
    surnames, given = "赵钱孙李周吴郑王冯陈", "伟芳娜敏静丽强磊军洋"
    for i in range(n):
        rows.append([f"3301{i:08d}", surnames[i % 10] + given[(i // 10) % 10], f"13{i % 10}{i:08d}",
                     f"片区{i % 50}", "VIP" if i % 17 == 0 else "普通"])
    path = write_csv(tmp_path / "big.csv", rows)
    seen: list[tuple[int, int | None]] = []
    report = import_customers(db, path, progress=lambda done, total: seen.append((done, total)))
    assert report.inserted == n and report.rejected == 0
    assert seen[-1] == (n, n) and len(seen) == n // importer.BATCH
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Customer)).scalar_one() == n
        assert s.execute(select(func.count()).select_from(CustomerPhone)).scalar_one() == n
        assert s.execute(select(func.count()).select_from(Customer).where(Customer.tier == "vip")).scalar_one() == \
            len(range(0, n, 17))


def test_cli_field_list_matches_the_service() -> None:
    from agentdesk.cli.imports import FIELDS

    assert FIELDS == importer.FIELDS


@pytest.mark.postgres
def test_import_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    from agentdesk.db import open_database

    db = open_database(pg_url)
    try:
        path = mixed_file(tmp_path)
        first = import_customers(db, path, batch_size=2)
        assert (first.inserted, first.rejected) == (2, 4)
        before = snapshot(db)
        again = import_customers(db, path, batch_size=2)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2) and snapshot(db) == before
        changed = write_csv(tmp_path / "changed.csv", [["用户编码", "姓名", "电话", "等级"],
                                                       ["220100000105", "[bold]x[/]", "13500135000", "专网"]])
        report = import_customers(db, changed)
        assert report.updated == 1 and customers(db)["220100000105"].tier == "private"
        assert phones(db, "220100000105") == [("13500135000", "mobile")]
        assert customers(db)["220100000101"].name == "阿卜杜拉·买买提"
        assert len(audits(db)) == 3
    finally:
        db.dispose()
