"""Reading a CSV or XLSX file: encoding and delimiter detection, the header row, the columns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdesk.normalize import PhoneError, clean_text, parse_phone
from agentdesk.services.importer.fields import (
    DELIMITERS,
    FIELDS,
    HEADER_SCAN_ROWS,
    HEADER_TABLE,
    IGNORE,
    REQUIRED,
    ImportUsageError,
    MissingColumns,
    fold_key,
    resolve_field,
)


def _recognize(headers: list[str], mapping: Mapping[str, str]) -> dict[int, str]:
    """Column index → field. --map wins; a single-valued field takes its first column."""
    by_key = {fold_key(h): f for h, f in mapping.items()}
    mapped = {i: by_key[fold_key(h)] for i, h in enumerate(headers) if fold_key(h) in by_key}
    columns: dict[int, str] = {i: f for i, f in mapped.items() if f != IGNORE}
    taken = set(columns.values())
    for i, header in enumerate(headers):
        key = fold_key(header)
        if not key or i in mapped:
            continue
        target = HEADER_TABLE.get(key)
        if target is None:
            # 电话1, 电话2, phone 2: numbered phone columns.
            base = re.sub(r"\d+$", "", key)
            target = "phone" if base != key and HEADER_TABLE.get(base) == "phone" else None
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
    present = {fold_key(h) for h in headers}
    for header in mapping:
        if fold_key(header) not in present:
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

    import openpyxl  # type: ignore[import-untyped]

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
    (``utf-16`` for Excel's "Unicode text"; None for XLSX); ``rows`` also tells the recognized
    columns, delimiter and sheet."""
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
