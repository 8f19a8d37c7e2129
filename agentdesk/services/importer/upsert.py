"""Writing the valid rows: an upsert by user code, one batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import Customer, CustomerPhone
from agentdesk.services import audit
from agentdesk.services.importer.fields import BATCH
from agentdesk.services.importer.read import RowSource, read_rows
from agentdesk.services.importer.validate import CustomerRecord, RowError, RowProblem, validate_row
from agentdesk.services.rows import table_of


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
_CUSTOMERS = table_of(Customer)
_PHONES = table_of(CustomerPhone)


def _merged(record: CustomerRecord, current: Mapping[Any, Any]) -> dict[str, Any]:
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
            if changed_phones and r.phones:
                replace_phones[current["id"]] = r.phones
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
    """Upsert the customers of a file by user code; see the package docstring.

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
