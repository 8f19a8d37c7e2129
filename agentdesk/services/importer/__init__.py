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

from agentdesk.services.importer.fields import (
    AREA_CLASS_ALIASES,
    BATCH,
    FIELDS,
    HEADER_ALIASES,
    IGNORE,
    LIMITS,
    REQUIRED,
    TIER_ALIASES,
    ImportUsageError,
    MissingColumns,
    describe_headers,
    field_label,
    parse_map_options,
    resolve_field,
)
from agentdesk.services.importer.read import RowSource, read_rows
from agentdesk.services.importer.upsert import ImportReport, import_customers
from agentdesk.services.importer.validate import CustomerRecord, RowError, RowProblem, split_phones, validate_row

__all__ = [
    "AREA_CLASS_ALIASES", "BATCH", "FIELDS", "HEADER_ALIASES", "IGNORE", "LIMITS", "REQUIRED", "TIER_ALIASES",
    "CustomerRecord", "ImportReport", "ImportUsageError", "MissingColumns", "RowError", "RowProblem", "RowSource",
    "describe_headers", "field_label", "import_customers", "parse_map_options", "read_rows", "resolve_field",
    "split_phones", "validate_row",
]
