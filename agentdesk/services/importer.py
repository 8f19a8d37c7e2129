"""Importing customer lists exported from operators' own systems and from Excel.

Three steps, each usable alone:

``read_rows(path, sheet=None, mapping=None)``
    Opens a CSV (UTF-8, UTF-8 with BOM or GBK/GB18030, detected; comma, tab, semicolon or
    pipe, detected) or an XLSX workbook (first sheet or ``sheet``), finds the header row,
    recognizes its columns (Chinese and English names and their common variants, or
    ``mapping`` = {header: field}) and returns ``(encoding, headers, rows)``: ``rows``
    yields ``(line_no, {field: text})`` — ``line_no`` the CSV line where the record starts
    or the XLSX row number, ``"phone"`` a list of the phone cells. Nothing is validated yet.

``validate_row(line_no, raw)``
    One row to a ``CustomerRecord`` (names, phones and text normalized, pinyin keys
    filled) or a ``RowError`` listing every problem as an i18n key.

``import_customers(db, path, …)``
    Upserts by user code in batches (one lookup and one executemany per table per batch).
    By default the good rows are committed in one transaction and the bad ones reported;
    ``all_or_nothing`` commits nothing if any row is bad; ``dry_run`` only reads. The
    ``customers.import`` audit row commits with the writes.

An optional column that is absent, or a cell left empty, means "not given": a new
customer gets the default (empty address/area, city, regular) and an existing one keeps
what it has; phones are replaced only when the row gives at least one. Problems with the
file itself (unreadable, unknown ``--map`` field) raise ``ImportUsageError``; missing
required columns raise ``MissingColumns``. Both carry i18n keys like every ServiceError.

Also handled: title rows above the header (the first of the first ten rows that has the
required columns is the header); a user code seen twice in one file (the later row is
rejected, naming the first line); Excel's scientific notation (rejected: digits are lost);
landlines Excel stored as numbers (the lost leading 0 is put back); ``="…"`` and a leading
apostrophe around codes; "-" or 无 in a phone cell (no number).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlmodel import Session

from agentdesk import clock
from agentdesk.i18n import t
from agentdesk.models import AREA_CLASSES, TIERS, Customer, CustomerPhone
from agentdesk.normalize import PhoneError, clean_text, normalize_name, parse_phone, pinyin_keys
from agentdesk.services import audit
from agentdesk.services.errors import ServiceError

BATCH = 1000
HEADER_SCAN_ROWS = 10  # title rows above the header (「客户清单 2026年11月」) are skipped
FIELDS = ("user_code", "name", "phone", "address", "area", "area_class", "tier")
REQUIRED = ("user_code", "name")
IGNORE = "-"  # --map "备注=-": leave a column out
LIMITS = {"user_code": 32, "name": 100, "address": 300, "area": 100}
DELIMITERS = ",\t;|"

# Header spellings, compared after _key(): NFKC, lower case, no spaces, '_', '-', or ':'.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "user_code": ("用户编码", "用户编号", "客户编码", "客户编号", "用户号", "客户号", "用户代码", "客户代码",
                  "用户id", "客户id", "usercode", "customercode", "code", "userid", "customerid",
                  "accountno", "accountnumber"),
    "name": ("姓名", "客户姓名", "户名", "用户姓名", "用户名称", "客户名称", "户主", "户主姓名", "name",
             "customername", "fullname"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码", "固话", "固定电话", "座机", "电话号码",
              "移动电话", "联系方式", "联系号码", "phone", "mobile", "tel", "telephone", "phonenumber",
              "mobilephone", "landline", "contactphone", "contactnumber"),
    "address": ("地址", "住址", "装机地址", "安装地址", "详细地址", "联系地址", "用户地址", "客户地址",
                "address", "addr", "installaddress"),
    "area": ("片区", "区域", "小区", "所属片区", "所属区域", "片区名称", "区域名称", "小区名称", "area",
             "areaname", "district", "region", "zone"),
    "area_class": ("区域类型", "网络类型", "片区类型", "区域类别", "片区类别", "网络类别", "areaclass",
                   "areatype", "networktype", "class"),
    "tier": ("客户等级", "用户等级", "等级", "客户级别", "用户级别", "级别", "客户类别", "tier", "level",
             "grade", "customertier", "customerlevel"),
}
# Values, compared after _key(). The catalogs' own labels (tier.vip …) are added below so
# a list the desk exported reads back.
AREA_CLASS_ALIASES: dict[str, tuple[str, ...]] = {
    "city": ("城网", "城区", "城市", "市区", "城镇", "city", "urban"),
    "suburb": ("城郊", "郊区", "近郊", "suburb", "suburban"),
    "rural": ("农网", "农村", "乡村", "乡镇", "rural", "village"),
}
TIER_ALIASES: dict[str, tuple[str, ...]] = {
    "regular": ("普通", "普通用户", "普通客户", "一般", "regular", "normal", "standard"),
    "vip": ("vip", "贵宾", "vip用户", "vip客户", "贵宾客户"),
    "big": ("大客户", "集团", "集团客户", "集客", "政企", "big", "keyaccount", "enterprise"),
    "private": ("专网", "专线", "专网用户", "专线用户", "private", "privatenetwork"),
}
# Several numbers in one cell: 13800138000，13900139000 / 0431-88881234、13800138000
_PHONE_SPLIT = re.compile(r"[,，;；/、|\n\r]+")
_PLACEHOLDER = re.compile(r"^[-—–_.·*\s]*$")
_NO_PHONE = {"无", "暂无", "没有", "null", "none", "nan", "na"}
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # ="220100000001", Excel's keep-as-text trick in CSV


class ImportUsageError(ServiceError):
    """The file or the options cannot be used at all (exit code 2)."""

    key = "importer.file_unreadable"

    def message(self, lang: str | None = None) -> str:
        # Lists (sheet names, headers) are joined in the language of the message.
        sep = t("importer.list_sep", lang=lang)
        values = {k: sep.join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in self.params.items()}
        return t(self.key, lang=lang, **values)


class MissingColumns(ServiceError):
    """The header row lacks a required column (exit code 1)."""

    key = "importer.missing_columns"

    def __init__(self, missing: list[str], headers: list[str], columns: dict[int, str]) -> None:
        self.missing = missing
        self.headers = headers
        self.columns = columns
        super().__init__(self.key)

    def message(self, lang: str | None = None) -> str:
        sep = t("importer.list_sep", lang=lang)
        return t(self.key, lang=lang, missing=sep.join(field_label(f, lang) for f in self.missing),
                 headers=describe_headers(self.headers, self.columns, lang) or "-")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", clean_text(text)).lower()
    return re.sub(r"[\s_\-:：]+", "", text)


def _alias_table(aliases: Mapping[str, Iterable[str]], label_prefix: str | None = None) -> dict[str, str]:
    table = {_key(alias): value for value, names in aliases.items() for alias in (*names, value)}
    if label_prefix:
        from agentdesk.i18n import LANGUAGES

        for value in aliases:
            for lang in LANGUAGES:
                table.setdefault(_key(t(f"{label_prefix}.{value}", lang=lang)), value)
    return table


_HEADERS = _alias_table(HEADER_ALIASES)
_AREA_CLASSES = _alias_table(AREA_CLASS_ALIASES, "area")
_TIERS = _alias_table(TIER_ALIASES, "tier")
assert set(_AREA_CLASSES.values()) == set(AREA_CLASSES) and set(_TIERS.values()) == set(TIERS)


def field_label(name: str, lang: str | None = None) -> str:
    return t(f"importer.field_{name}", lang=lang)


def describe_headers(headers: list[str], columns: Mapping[int, str], lang: str | None = None) -> str:
    """「电话（电话）、备注（未识别）」: each header of the file and what it was taken for."""
    parts = []
    for i, header in enumerate(headers):
        if not header:
            continue
        target = columns.get(i)
        label = field_label(target, lang) if target else t("importer.unrecognized", lang=lang)
        parts.append(t("importer.header_as", lang=lang, header=header, field=label))
    return t("importer.list_sep", lang=lang).join(parts)


def resolve_field(name: str) -> str | None:
    """A --map target: a field name (user_code, phone …), any header alias of one, or '-'."""
    if name.strip() == IGNORE:
        return IGNORE
    key = _key(name)
    if key in {_key(f) for f in FIELDS}:
        return next(f for f in FIELDS if _key(f) == key)
    if key == "areaname":
        return "area"
    return _HEADERS.get(key)


def parse_map_options(values: Iterable[str]) -> dict[str, str]:
    """``["备注电话=phone", "户主=name"]`` → {header: field}; bad ones raise ImportUsageError."""
    mapping: dict[str, str] = {}
    for value in values:
        header, sep, target = value.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise ImportUsageError("importer.bad_map", value=value)
        resolved = resolve_field(target)
        if resolved is None:
            raise ImportUsageError("importer.unknown_field", field=target.strip(),
                                   valid=", ".join((*FIELDS, IGNORE)))
        mapping[header.strip()] = resolved
    return mapping


def _header_key(header: str) -> str:
    return _key(header)


def _recognize(headers: list[str], mapping: Mapping[str, str]) -> dict[int, str]:
    """Column index → field. --map wins; a single-valued field takes its first column."""
    by_key = {_header_key(h): f for h, f in mapping.items()}
    mapped = {i: by_key[_header_key(h)] for i, h in enumerate(headers) if _header_key(h) in by_key}
    columns: dict[int, str] = {i: f for i, f in mapped.items() if f != IGNORE}
    taken = set(columns.values())
    for i, header in enumerate(headers):
        key = _header_key(header)
        if not key or i in mapped:
            continue
        target = _HEADERS.get(key)
        if target is None:
            # 电话1, 电话2, phone 2: numbered phone columns.
            base = re.sub(r"\d+$", "", key)
            target = "phone" if base != key and _HEADERS.get(base) == "phone" else None
        if target is None or (target != "phone" and target in taken):
            continue  # unknown, or a second 片区-like column: listed as ignored
        taken.add(target)
        columns[i] = target
    return dict(sorted(columns.items()))


# -- reading -----------------------------------------------------------------------------------


@dataclass
class RowSource:
    """The data rows of a file, iterable once: ``(line_no, {field: text or [phones]})``."""

    rows: Iterator[tuple[int, dict[str, Any]]]
    headers: list[str]
    columns: dict[int, str]
    header_line: int
    encoding: str | None = None  # utf-8, utf-8-sig, gb18030, utf-16; None for XLSX
    delimiter: str | None = None
    sheet: str | None = None
    total_hint: int | None = None  # about how many data rows: for a progress bar
    _close: Callable[[], None] | None = None

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self

    def __next__(self) -> tuple[int, dict[str, Any]]:
        return next(self.rows)

    @property
    def column_fields(self) -> list[tuple[str, str]]:
        return [(self.headers[i], f) for i, f in self.columns.items()]

    @property
    def ignored(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if h and i not in self.columns]

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the workbook of an XLSX source (a no-op for CSV)."""
        if self._close:
            self._close()
            self._close = None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _numeric_phone(value: int | float) -> str:
    """A phone Excel stored as a number: a landline's leading 0 is gone (431 88881234)."""
    digits = _cell_text(value)
    for candidate in (digits, "0" + digits):
        try:
            parse_phone(candidate)
            return candidate
        except PhoneError:
            continue
    return digits


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export: UTF-16, tabs
        try:
            return "utf-16", raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportUsageError("importer.bad_encoding") from None
    try:
        text = raw.decode("utf-8-sig")
        return ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), text
    except UnicodeDecodeError:
        pass
    try:
        return "gb18030", raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportUsageError("importer.bad_encoding") from None


def _fields_per_line(sample: list[str], delimiter: str) -> list[int]:
    return [len(r) for r in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in r)]


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except Exception:  # csv.Error, or anything else an odd sample makes the Sniffer raise
        found = None
    if found and max(_fields_per_line(lines, found), default=1) > 1:
        return found

    # Fallback: the delimiter that splits the sample into the most consistent, widest rows.
    def score(d: str) -> tuple[float, int]:
        counts = _fields_per_line(lines, d)
        if not counts or max(counts) < 2:
            return (0.0, 0)
        width = max(counts, key=counts.count)
        return (counts.count(width) / len(counts), width)

    best = max(DELIMITERS, key=score)
    return best if score(best)[1] > 1 else ","


def _with_header(
    records: Iterator[tuple[int, list[Any]]], mapping: Mapping[str, str], *, numeric_phones: bool = False
) -> tuple[list[str], dict[int, str], int, Iterator[tuple[int, dict[str, Any]]]]:
    """Find the header among the first rows; the rest become field dicts."""
    peeked: list[tuple[int, list[Any]]] = []
    chosen: tuple[int, list[str], dict[int, str]] | None = None
    first: tuple[int, list[str], dict[int, str]] | None = None
    for line_no, cells in records:
        if not any(_cell_text(c).strip() for c in cells):
            continue
        headers = [clean_text(_cell_text(c)).strip() for c in cells]
        columns = _recognize(headers, mapping)
        first = first or (line_no, headers, columns)
        if all(f in columns.values() for f in REQUIRED):
            chosen = (line_no, headers, columns)
            break
        peeked.append((line_no, cells))
        if len(peeked) >= HEADER_SCAN_ROWS:
            break
    if first is None:
        raise ImportUsageError("importer.empty_file")
    if chosen is None:
        _line, headers, columns = first
        missing = [f for f in REQUIRED if f not in columns.values()]
        raise MissingColumns(missing, headers, columns)
    header_line, headers, columns = chosen
    _check_mapping(headers, mapping)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for line_no, cells in records:
            if not any(_cell_text(c).strip() for c in cells):
                continue
            out: dict[str, Any] = {}
            for i, target in columns.items():
                value = cells[i] if i < len(cells) else None
                if target == "phone":
                    if numeric_phones and isinstance(value, (int, float)) and not isinstance(value, bool):
                        text = _numeric_phone(value)
                    else:
                        text = _cell_text(value)
                    out.setdefault("phone", []).append(text)
                else:
                    out[target] = _cell_text(value)
            yield line_no, out

    return headers, columns, header_line, rows()


def _check_mapping(headers: list[str], mapping: Mapping[str, str]) -> None:
    present = {_header_key(h) for h in headers}
    for header in mapping:
        if _header_key(header) not in present:
            raise ImportUsageError("importer.map_header_missing", header=header,
                                   headers=[h for h in headers if h] or ["-"])


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportUsageError("importer.bad_csv", line=reader.line_num, error=str(exc)) from None


def _read_csv(raw: bytes, mapping: Mapping[str, str]) -> tuple[str, RowSource]:
    encoding, text = _decode(raw)
    delimiter = _sniff_delimiter(text)
    headers, columns, header_line, rows = _with_header(_csv_records(text, delimiter), mapping)
    total = max(0, text.count("\n") - header_line + (0 if text.endswith("\n") else 1))
    return encoding, RowSource(rows, headers, columns, header_line, encoding=encoding, delimiter=delimiter,
                               total_hint=total)


def _read_xlsx(path: Path, sheet: str | None, mapping: Mapping[str, str]) -> RowSource:
    import zipfile

    import openpyxl

    # A file object, not the path: openpyxl would refuse a workbook named .csv or .txt.
    fh = open(path, "rb")  # noqa: SIM115 - closed with the workbook
    try:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        fh.close()
        raise ImportUsageError("importer.bad_xlsx", error=f"{type(exc).__name__}: {exc}") from None

    def close() -> None:
        book.close()
        fh.close()

    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise ImportUsageError("importer.no_sheet", sheet=sheet, sheets=list(book.sheetnames))
        records = ((i, list(r)) for i, r in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1))
        headers, columns, header_line, rows = _with_header(records, mapping, numeric_phones=True)
        max_row = ws.max_row
    except BaseException:
        close()
        raise
    total = max(0, max_row - header_line) if isinstance(max_row, int) else None
    return RowSource(rows, headers, columns, header_line, sheet=ws.title, total_hint=total, _close=close)


def read_rows(
    path: str | Path, sheet: str | None = None, mapping: Mapping[str, str] | None = None
) -> tuple[str | None, list[str], RowSource]:
    """``(encoding, headers, rows)``: encoding is ``utf-8``, ``utf-8-sig`` or ``gb18030``
    (``utf-16`` for Excel's "Unicode text"; None for XLSX); ``rows`` also tells the recognized columns, delimiter and sheet."""
    path = Path(path)
    resolved: dict[str, str] = {}
    for header, target in (mapping or {}).items():
        found = resolve_field(target)
        if found is None:
            raise ImportUsageError("importer.unknown_field", field=target, valid=", ".join((*FIELDS, IGNORE)))
        resolved[header] = found
    mapping = resolved
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
            if magic.startswith(b"PK\x03\x04"):
                raw = None
            elif magic.startswith(b"\xd0\xcf\x11\xe0"):
                raise ImportUsageError("importer.xls_unsupported")
            else:
                raw = magic + fh.read()
    except FileNotFoundError:
        raise ImportUsageError("importer.file_missing", path=str(path)) from None
    except IsADirectoryError:
        raise ImportUsageError("importer.file_missing", path=str(path)) from None
    except OSError as exc:
        raise ImportUsageError("importer.file_unreadable", path=str(path), error=exc.strerror or str(exc)) from None
    if raw is None:
        source = _read_xlsx(path, sheet, mapping)
        return None, source.headers, source
    encoding, source = _read_csv(raw, mapping)
    return encoding, source.headers, source


# -- validating --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    key: str
    field: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    detail_key: str | None = None  # e.g. phone.bad_mobile, filled in as {reason}

    def message(self, lang: str | None = None) -> str:
        values = dict(self.params)
        if self.field:
            values.setdefault("field", field_label(self.field, lang))
        if self.detail_key:
            values["reason"] = t(self.detail_key, lang=lang)
        return t(self.key, lang=lang, **values)


@dataclass(frozen=True)
class RowError:
    line: int
    user_code: str
    problems: tuple[RowProblem, ...]

    def message(self, lang: str | None = None) -> str:
        return t("importer.reason_sep", lang=lang).join(p.message(lang) for p in self.problems)

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems if p.field]


@dataclass(frozen=True)
class CustomerRecord:
    """A valid row. ``None`` means the file did not give that value."""

    line: int
    user_code: str
    name: str
    name_initials: str
    name_pinyin: str
    address: str | None = None
    area_name: str | None = None
    area_class: str | None = None
    tier: str | None = None
    phones: tuple[tuple[str, str], ...] | None = None  # (number, kind)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip()


def _code_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", clean_text(raw)).strip()
    m = _EXCEL_TEXT.match(text)
    if m:
        text = m.group(1)
    text = text.lstrip("'")
    return re.sub(r"\s+", "", text)


def split_phones(cell: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Numbers in one cell → ([(number, kind)], [(bad part, phone.* key)]).

    Parts are split at , ， ; ； / 、; within a part spaces may either sit inside one number
    (138 0013 8000, 0431 8888 1234 转 801) or separate several: the longest run of tokens
    that reads as a phone wins, left to right.
    """
    numbers: list[tuple[str, str]] = []
    bad: list[tuple[str, str]] = []
    for part in _PHONE_SPLIT.split(_code_text_keep_spaces(cell)):
        part = part.strip()
        if _PLACEHOLDER.match(part) or _key(part) in _NO_PHONE:
            continue  # "-", "无": no number
        if _SCIENTIFIC.match(part):
            bad.append((part, "importer.scientific_phone"))
            continue
        tokens = part.split()
        i = 0
        while i < len(tokens):
            for j in range(len(tokens), i, -1):
                try:
                    phone = parse_phone(" ".join(tokens[i:j]))
                except PhoneError:
                    continue
                numbers.append((phone.number, phone.kind))
                i = j
                break
            else:
                # Nothing starting here reads as a phone: report the whole rest, with the
                # reason parse_phone gives for it (or for the lone token if that says more).
                rest = " ".join(tokens[i:])
                try:
                    parse_phone(rest)
                except PhoneError as exc:
                    bad.append((rest, exc.key))
                break
    return numbers, bad


def _code_text_keep_spaces(raw: str) -> str:
    text = unicodedata.normalize("NFKC", clean_text(raw)).strip()
    m = _EXCEL_TEXT.match(text)
    return (m.group(1) if m else text).lstrip("'")


def _choice(raw: str, table: Mapping[str, str]) -> str | None:
    return table.get(_key(raw))


def validate_row(line_no: int, raw: Mapping[str, Any]) -> CustomerRecord | RowError:
    """One row from ``read_rows`` checked and normalized; every problem is reported."""
    problems: list[RowProblem] = []
    code = _code_text(str(raw.get("user_code") or ""))
    if not code:
        problems.append(RowProblem("importer.missing_value", "user_code"))
    elif _SCIENTIFIC.match(code):
        problems.append(RowProblem("importer.scientific_code", "user_code", (("value", code),)))
    elif re.fullmatch(r"\d+\.0+", code):
        code = code.split(".")[0]  # 220100000001.0: a number column written by a script
    if len(code) > LIMITS["user_code"]:
        problems.append(RowProblem("importer.too_long", "user_code", (("limit", LIMITS["user_code"]),)))

    name = normalize_name(str(raw.get("name") or ""))
    if not name:
        problems.append(RowProblem("importer.missing_value", "name"))
    elif len(name) > LIMITS["name"]:
        problems.append(RowProblem("importer.too_long", "name", (("limit", LIMITS["name"]),)))

    texts: dict[str, str | None] = {}
    for fld in ("address", "area"):
        value = _one_line(str(raw.get(fld) or ""))
        texts[fld] = value or None
        if len(value) > LIMITS[fld]:
            problems.append(RowProblem("importer.too_long", fld, (("limit", LIMITS[fld]),)))

    choices: dict[str, str | None] = {}
    for fld, table, valid_key in (("area_class", _AREA_CLASSES, "importer.valid_area_class"),
                                  ("tier", _TIERS, "importer.valid_tier")):
        value = _one_line(str(raw.get(fld) or ""))
        choices[fld] = _choice(value, table) if value else None
        if value and choices[fld] is None:
            problems.append(RowProblem("importer.bad_choice", fld, (("value", value),), detail_key=valid_key))

    phones: list[tuple[str, str]] = []
    for cell in raw.get("phone") or []:
        numbers, bad = split_phones(str(cell or ""))
        phones.extend(numbers)
        for value, key in bad:
            if key.startswith("importer."):
                problems.append(RowProblem(key, "phone", (("value", value),)))
            else:
                problems.append(RowProblem("importer.bad_phone", "phone", (("value", value),), detail_key=key))

    if problems:
        return RowError(line_no, code, tuple(problems))
    unique = tuple(dict.fromkeys(phones))
    initials, full = pinyin_keys(name)
    return CustomerRecord(
        line=line_no, user_code=code, name=name, name_initials=initials, name_pinyin=full,
        address=texts["address"], area_name=texts["area"], area_class=choices["area_class"], tier=choices["tier"],
        phones=unique or None,
    )


# -- importing ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    file: str
    encoding: str | None
    delimiter: str | None = None
    sheet: str | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, field) in file order
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    all_or_nothing: bool = False
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected}


_UPDATABLE = ("name", "name_initials", "name_pinyin", "address", "area_name", "area_class", "tier")
_CUSTOMERS = Customer.__table__  # type: ignore[attr-defined]
_PHONES = CustomerPhone.__table__  # type: ignore[attr-defined]


def _merged(record: CustomerRecord, current: Mapping[str, Any]) -> dict[str, Any]:
    given = {"name": record.name, "name_initials": record.name_initials, "name_pinyin": record.name_pinyin,
             "address": record.address, "area_name": record.area_name, "area_class": record.area_class,
             "tier": record.tier}
    return {k: (current[k] if v is None else v) for k, v in given.items()}


class _Batcher:
    """Classifies and writes one batch of valid records against the database."""

    def __init__(self, session: Session, report: ImportReport) -> None:
        self.session = session
        self.report = report

    def run(self, batch: list[CustomerRecord], write: bool) -> None:
        s = self.session
        codes = [r.user_code for r in batch]
        existing = {
            row.user_code: row._mapping
            for row in s.execute(
                select(_CUSTOMERS.c.id, _CUSTOMERS.c.user_code, *(_CUSTOMERS.c[k] for k in _UPDATABLE))
                .where(_CUSTOMERS.c.user_code.in_(codes))
            )
        }
        phones: dict[int, list[tuple[str, str]]] = {}
        wants_phones = [existing[r.user_code]["id"] for r in batch if r.user_code in existing and r.phones]
        if wants_phones:
            for cid, number, kind in s.execute(
                select(_PHONES.c.customer_id, _PHONES.c.phone, _PHONES.c.kind)
                .where(_PHONES.c.customer_id.in_(wants_phones)).order_by(_PHONES.c.id)
            ):
                phones.setdefault(cid, []).append((number, kind))

        new_rows: list[dict[str, Any]] = []
        new_phones: dict[str, tuple[tuple[str, str], ...]] = {}
        updates: list[dict[str, Any]] = []
        replace_phones: dict[int, tuple[tuple[str, str], ...]] = {}
        now = clock.now()
        for r in batch:
            current = existing.get(r.user_code)
            if current is None:
                values = _merged(r, {"address": "", "area_name": "", "area_class": "city", "tier": "regular"})
                new_rows.append({"user_code": r.user_code, "created_at": now, **values})
                if r.phones:
                    new_phones[r.user_code] = r.phones
                continue
            values = _merged(r, current)
            changed_fields = any(values[k] != current[k] for k in _UPDATABLE)
            changed_phones = bool(r.phones) and tuple(phones.get(current["id"], ())) != r.phones
            if changed_fields:
                updates.append({"b_id": current["id"], **{f"b_{k}": v for k, v in values.items()}})
            if changed_phones:
                replace_phones[current["id"]] = r.phones  # type: ignore[assignment]
            if changed_fields or changed_phones:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        self.report.inserted += len(new_rows)
        if not write:
            return

        if new_rows:
            s.execute(insert(_CUSTOMERS), new_rows)
            ids = dict(s.execute(select(_CUSTOMERS.c.user_code, _CUSTOMERS.c.id)
                                 .where(_CUSTOMERS.c.user_code.in_(list(new_phones)))).all()) if new_phones else {}
            for code, numbers in new_phones.items():
                replace_phones[ids[code]] = numbers
        if updates:
            s.execute(
                _CUSTOMERS.update().where(_CUSTOMERS.c.id == bindparam("b_id"))
                .values({k: bindparam(f"b_{k}") for k in _UPDATABLE}),
                updates,
            )
        if replace_phones:
            stale = [cid for cid in replace_phones if cid in phones]
            if stale:
                s.execute(delete(_PHONES).where(_PHONES.c.customer_id.in_(stale)))
            s.execute(insert(_PHONES), [{"customer_id": cid, "phone": number, "kind": kind}
                                        for cid, numbers in replace_phones.items() for number, kind in numbers])


class _Rollback(Exception):
    pass


def import_customers(
    db: Any,
    path: str | Path,
    *,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    actor_id: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    batch_size: int = BATCH,
    source: RowSource | None = None,
) -> ImportReport:
    """Upsert the customers of a file by user code; see the module docstring.

    ``progress(rows_done, rows_expected_or_None)`` is called after each batch.
    Raises ImportUsageError / MissingColumns before anything is written. ``source`` is
    what ``read_rows`` gave for ``path``, when the caller checked the file first.
    """
    path = Path(path)
    if source is None:
        _encoding, _headers, source = read_rows(path, sheet=sheet, mapping=mapping)
    encoding = source.encoding
    report = ImportReport(file=path.name, encoding=encoding, delimiter=source.delimiter, sheet=source.sheet,
                          columns=source.column_fields, ignored_columns=source.ignored,
                          dry_run=dry_run, all_or_nothing=all_or_nothing)
    try:
        if dry_run:
            with db.read() as session:
                _run(session, source, report, batch_size, progress, write=False)
            return report
        try:
            with db.write() as session:
                _run(session, source, report, batch_size, progress, write=True)
                if all_or_nothing and report.errors:
                    raise _Rollback
                audit.record(session, "customers.import", actor_id=actor_id, entity="customers",
                             file=report.file, encoding=encoding or "xlsx", sheet=report.sheet,
                             all_or_nothing=all_or_nothing, **report.counts())
            report.committed = True
        except _Rollback:
            report.committed = False
        return report
    finally:
        source.close()


def _run(session: Session, source: RowSource, report: ImportReport, batch_size: int,
         progress: Callable[[int, int | None], None] | None, *, write: bool) -> None:
    batcher = _Batcher(session, report)
    seen: dict[str, int] = {}
    batch: list[CustomerRecord] = []
    reported = -1

    def flush() -> None:
        nonlocal reported
        # With --all-or-nothing, once a row is bad nothing more is written (it all rolls
        # back), but the lookups go on so the counts say what the import would have done.
        if batch:
            batcher.run(batch, write=write and not (report.all_or_nothing and report.errors))
            batch.clear()
        if progress and reported != report.rows:
            reported = report.rows
            progress(report.rows, source.total_hint)

    for line_no, raw in source:
        report.rows += 1
        result = validate_row(line_no, raw)
        if isinstance(result, CustomerRecord):
            first = seen.get(result.user_code)
            if first is not None:
                result = RowError(line_no, result.user_code, (
                    RowProblem("importer.duplicate_code", "user_code", (("code", result.user_code), ("line", first))),))
            else:
                seen[result.user_code] = line_no
        if isinstance(result, RowError):
            report.errors.append(result)
            report.rejected += 1
            continue
        batch.append(result)
        if len(batch) >= batch_size or (progress and report.rows - reported >= batch_size * 5):
            flush()  # the second case: a long run of rejected rows still moves the bar
    if batch or progress:
        flush()
