"""Handover notes as files: Markdown, CSV, JSON and XLSX (pure: notes in, bytes out).

docs/design.md "Shift handover": phone numbers masked (138****8000) unless ``unmasked`` — the
caller (the CLI, a screen) decides who may ask for that and audits it
(:func:`agentdesk.services.handover.record_export`). Headers and labels are in ``lang``;
user text (descriptions, reasons, notes, names) is data, never markup or formulas:

* **CSV** — UTF-8 with a BOM (Excel then reads Chinese correctly), CRLF line ends, a
  header row, then one row per item with the note's columns repeated (``NOTE_COLUMNS``
  then ``ITEM_COLUMNS``); a note with no item still gets one row. Times as
  ``YYYY-MM-DD HH:MM``; codes (statuses, kinds) as labels in ``lang``.
* **XLSX** — one sheet per note (so a note reads as a page and a sheet stays small: the
  note's facts once at the top, then the item table with a bold, frozen, filterable header
  row, one row per item, ``ITEM_COLUMNS``); column widths from the content, a Chinese
  character counting double. openpyxl (write-only mode) writes the workbook with each
  sheet's title, facts and header row; the item rows, plain values without styles, are
  then written into each sheet's ``<sheetData>`` here, as openpyxl would write them
  (inline strings), without openpyxl's cell object and XML element per value — which
  took two thirds of a 10,000-item export.
* **JSON** — ``{"format": "agentdesk.handover", "version": 1, "lang", "masked", "notes":
  [...]}`` with stable keys (sorted), ISO 8601 times, codes kept as codes and a ``*_label``
  beside each, ``ensure_ascii=False``.
* **Markdown** — a printable page per note: title with agent, team and shift times, a
  table section per item kind, the call counts, the notes and the acknowledgements; notes
  separated by a rule.

Cells of CSV and XLSX starting with ``= + - @`` (or a tab / carriage return) get a leading
``'`` so a spreadsheet never runs them as formulas; Markdown escapes its punctuation
(``|`` included) so text cannot break a table or turn into links, HTML or headings.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from agentdesk.i18n import t
from agentdesk.services.errors import InvalidInput
from agentdesk.services.handover import (
    EXPORT_FORMATS,
    ITEM_KINDS,
    HandoverItem,
    HandoverNoteInfo,
)
from agentdesk.services.messages import stored_text
from agentdesk.services.requests import NO_REQUEST_LABEL_KEY, label_key

JSON_FORMAT = "agentdesk.handover"
JSON_VERSION = 1
NOTE_COLUMNS = ("note_id", "shift_id", "agent_number", "agent_name", "team", "seat", "started_at", "ended_at",
                "confirmed_at", "total_calls", "calls_by_type", "calls_by_outcome", "phrase_flag", "acknowledged_by")
ITEM_COLUMNS = ("item_kind", "ref", "category", "title", "status", "badge", "due_at", "created_at",
                "customer_name", "phone", "detail")
CSV_COLUMNS = (*NOTE_COLUMNS, *ITEM_COLUMNS, "notes")
#: Markdown item tables (the kind is the section).
MD_COLUMNS = ("ref", "category", "title", "status", "due_at", "customer_name", "phone", "detail")
XLSX_MIN_WIDTH = 6
XLSX_MAX_WIDTH = 60
XLSX_SAMPLE_ROWS = 2000  # widths are measured on the first rows; enough for a sensible layout

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can
# start emphasis, code, links, HTML, entities, tables or strike-through inside a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&!{}#])")
# What turns a line into a block of its own: headings, lists, quotes, setext underlines.
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_MAX_TEXT = 32767  # characters in a cell; openpyxl cuts longer text there too
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


# -- shared pieces ---------------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Labels:
    """Codes to words in one language, looked up once per code."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._cache: dict[str, str] = {}
        self.sep = t("handover.sep", lang=lang)
        self.list_sep = t("handover.list_sep", lang=lang)

    def text(self, key: str, **values: object) -> str:
        return t(key, lang=self.lang, **values)

    def label(self, prefix: str, code: str) -> str:
        if not code:
            return ""
        key = f"{prefix}.{code}"
        found = self._cache.get(key)
        if found is None:
            text = t(key, lang=self.lang)
            found = code if text == key else text
            self._cache[key] = found
        return found

    def col(self, name: str) -> str:
        return self.label("handover.col", name)

    def title(self, item: HandoverItem) -> str:
        """The item's title in this language when the desk wrote it (a callback's reason …)."""
        return stored_text(item.title_message, item.title, self.lang)

    def kind(self, kind: str) -> str:
        return self.label("handover.kind", kind)

    def category(self, item: HandoverItem) -> str:
        if item.kind == "work_order":
            return self.label("kind", item.category)
        if item.kind in ("follow_up", "callback"):
            return self.label("callback_kind", item.category)
        if item.kind == "outage":
            return self.list_sep.join(self.label("service", s) for s in item.category.split(",") if s)
        return self.label("request", item.category)

    def status(self, item: HandoverItem) -> str:
        if item.kind == "work_order":
            return self.label("status", item.status)
        if item.kind == "follow_up":
            return self.label("handover.reply_status", item.status)
        if item.kind == "callback":
            return self.label("callback_status", item.status)
        return self.label("handover.item_status", item.status)

    def badge(self, item: HandoverItem) -> str:
        return self.label("badge", item.badge)

    def request_type(self, code: str) -> str:
        key = label_key(code)  # the table of request types names the keys
        return self.text(key) if key == NO_REQUEST_LABEL_KEY else self.label("request", code)

    def outcome(self, code: str) -> str:
        return self.label("handover.outcome", code)

    def yes_no(self, flag: bool) -> str:
        return self.text("handover.yes" if flag else "handover.no")

    def counts(self, counts: dict[str, int], label: Callable[[str], str]) -> str:
        return self.sep.join(self.text("handover.count_entry", label=label(k), count=v) for k, v in counts.items())

    def acks(self, note: HandoverNoteInfo) -> str:
        names = note.ack_names or ("",) * len(note.acks)
        return self.sep.join(
            self.text("handover.ack_entry", number=number, name=name, at=_when(at)).strip()
            for (number, at), name in zip(note.acks, names, strict=False)
        )


def _phone(item: HandoverItem, unmasked: bool) -> str:
    return item.phone if unmasked and item.phone else item.phone_masked


def _item_cells(item: HandoverItem, labels: _Labels, unmasked: bool) -> list[Any]:
    return [labels.kind(item.kind), item.ref, labels.category(item), labels.title(item), labels.status(item),
            labels.badge(item), _when(item.due_at), _when(item.created_at), item.customer_name,
            _phone(item, unmasked), item.detail]


def _note_cells(note: HandoverNoteInfo, labels: _Labels) -> list[Any]:
    return [note.id, note.shift_id, note.agent_number, note.agent_name, note.team or "", note.seat or "",
            _when(note.started_at), _when(note.ended_at), _when(note.confirmed_at), note.counts.total_calls,
            labels.counts(note.counts.calls_by_type, labels.request_type),
            labels.counts(note.counts.calls_by_outcome, labels.outcome), labels.yes_no(note.phrase_flag),
            labels.acks(note)]


def _safe_cell(value: Any) -> Any:
    """No formula injection: text a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# -- CSV ----------------------------------------------------------------------------------------


def _csv(notes: Sequence[HandoverNoteInfo], labels: _Labels, unmasked: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels.col(c) for c in CSV_COLUMNS])
    empty_item = [""] * len(ITEM_COLUMNS)
    for note in notes:
        head = [_safe_cell(v) for v in _note_cells(note, labels)]
        tail = [_safe_cell(note.notes)]
        if not note.items:
            writer.writerow(head + empty_item + tail)
            continue
        writer.writerows(head + [_safe_cell(v) for v in _item_cells(item, labels, unmasked)] + tail
                         for item in note.items)
    return out.getvalue().encode("utf-8-sig")


# -- JSON ---------------------------------------------------------------------------------------


def _json(notes: Sequence[HandoverNoteInfo], labels: _Labels, unmasked: bool) -> bytes:
    def item(i: HandoverItem) -> dict[str, Any]:
        return {
            "kind": i.kind, "kind_label": labels.kind(i.kind), "ref": i.ref, "entity_id": i.entity_id,
            "category": i.category, "category_label": labels.category(i), "title": labels.title(i), "status": i.status,
            "status_label": labels.status(i), "badge": i.badge, "badge_label": labels.badge(i),
            "due_at": _iso(i.due_at), "created_at": _iso(i.created_at), "customer_name": i.customer_name,
            "phone": _phone(i, unmasked), "detail": i.detail,
        }

    def note(n: HandoverNoteInfo) -> dict[str, Any]:
        names = n.ack_names or ("",) * len(n.acks)
        return {
            "id": n.id, "shift_id": n.shift_id, "agent_number": n.agent_number, "agent_name": n.agent_name,
            "team": n.team, "seat": n.seat, "started_at": _iso(n.started_at), "ended_at": _iso(n.ended_at),
            "compiled_at": _iso(n.compiled_at), "confirmed_at": _iso(n.confirmed_at), "notes": n.notes,
            "phrase_flag": n.phrase_flag,
            "counts": {"calls_by_type": n.counts.calls_by_type, "calls_by_outcome": n.counts.calls_by_outcome,
                       "total_calls": n.counts.total_calls, "left_off": n.counts.left_off},
            "items": [item(i) for i in n.items],
            "acks": [{"agent_number": number, "agent_name": name, "acked_at": _iso(at)}
                     for (number, at), name in zip(n.acks, names, strict=False)],
        }

    doc = {"format": JSON_FORMAT, "version": JSON_VERSION, "lang": labels.lang, "masked": not unmasked,
           "notes": [note(n) for n in notes]}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2).encode("utf-8")


# -- Markdown -----------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """One line of user text, inert in Markdown (a table cell keeps its line breaks as <br>)."""
    return "<br>".join(_MD_INLINE.sub(r"\\\1", line) for line in text.splitlines()) if text else ""


def _md_block(text: str) -> list[str]:
    """Multi-line user text as a block quote, each line escaped so it stays a plain line and
    a paragraph of its own (Markdown would join consecutive lines into one)."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _MD_INLINE.sub(r"\\\1", raw.strip())
        if not line:
            continue
        line = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        if lines:
            lines.append(">")
        lines.append(f"> {line}")
    return lines or [">"]


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _md_note(note: HandoverNoteInfo, labels: _Labels, unmasked: bool) -> list[str]:
    colon = labels.text("handover.colon")
    lines = [f"# {md_escape(labels.text('handover.md.title', name=note.agent_name, number=note.agent_number))}", ""]
    facts = [
        (labels.col("team"), note.team or labels.text("handover.md.no_team")),
        (labels.col("seat"), note.seat or ""),
        (labels.text("handover.md.shift"), labels.text("handover.md.shift_span", start=_when(note.started_at),
                                                       end=_when(note.ended_at) or "…")),
        (labels.col("confirmed_at"), _when(note.confirmed_at)),
    ]
    lines += [f"- {md_escape(k)}{colon}{md_escape(v)}" for k, v in facts if v]
    if note.phrase_flag:
        lines.append(f"- {md_escape(labels.text('handover.md.phrase_flag'))}")
    lines.append("")
    by_kind: dict[str, list[HandoverItem]] = {k: [] for k in ITEM_KINDS}
    for item in note.items:
        by_kind.setdefault(item.kind, []).append(item)
    header = [md_escape(labels.col(c)) for c in MD_COLUMNS]
    for kind, items in by_kind.items():
        if kind == "open_call" and not items:
            continue  # only there when calls were handed over
        lines.append(f"## {md_escape(labels.text('handover.md.section', kind=labels.kind(kind), count=len(items)))}")
        lines.append("")
        if items:
            lines += _md_table(header, (
                [md_escape(v) for v in (i.ref, labels.category(i), labels.title(i),
                                        labels.status(i) + (f" · {labels.badge(i)}" if i.badge else ""),
                                        _when(i.due_at), i.customer_name, _phone(i, unmasked), i.detail)]
                for i in items))
        else:
            lines.append(md_escape(labels.text("handover.md.nothing")))
        left = note.counts.left_off.get(kind)
        if left:
            lines += ["", md_escape(labels.text("handover.md.left_off", count=left))]
        lines.append("")
    counts = note.counts
    lines += [f"## {md_escape(labels.text('handover.md.calls'))}", "",
              md_escape(labels.text("handover.md.calls_total", count=counts.total_calls)), ""]
    if counts.calls_by_type:
        lines += _md_table([md_escape(labels.col("request_type")), md_escape(labels.col("count"))],
                           ([md_escape(labels.request_type(k)), str(v)] for k, v in counts.calls_by_type.items()))
        lines.append("")
    if counts.calls_by_outcome:
        lines += _md_table([md_escape(labels.col("outcome")), md_escape(labels.col("count"))],
                           ([md_escape(labels.outcome(k)), str(v)] for k, v in counts.calls_by_outcome.items()))
        lines.append("")
    lines += [f"## {md_escape(labels.col('notes'))}", ""]
    lines += _md_block(note.notes) if note.notes else [md_escape(labels.text("handover.md.no_notes"))]
    lines += ["", f"## {md_escape(labels.text('handover.md.acks'))}", ""]
    if note.acks:
        names = note.ack_names or ("",) * len(note.acks)
        lines += [f"- {md_escape(labels.text('handover.ack_entry', number=number, name=name, at=_when(at)).strip())}"
                  for (number, at), name in zip(note.acks, names, strict=False)]
    else:
        lines.append(md_escape(labels.text("handover.md.no_acks")))
    lines.append("")
    return lines


def _markdown(notes: Sequence[HandoverNoteInfo], labels: _Labels, unmasked: bool) -> bytes:
    if not notes:
        return (md_escape(labels.text("handover.md.no_note")) + "\n").encode("utf-8")
    lines: list[str] = []
    for n, note in enumerate(notes):
        if n:
            lines += ["---", ""]
        lines += _md_note(note, labels, unmasked)
    return "\n".join(lines).encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese (wide) character counts double."""
    return len(text) + len(_WIDE.findall(text))


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, str):
        return _safe_cell(_XLSX_ILLEGAL.sub("", value)) if value else None  # empty cells are not written
    return value


def _sheet_title(note: HandoverNoteInfo, used: set[str]) -> str:
    base = _SHEET_BAD.sub("", f"{note.agent_number} {note.agent_name}").strip()[:22] or "note"
    title = f"{base} #{note.id}"[:31]
    n = 2
    while title.lower() in used:
        title = f"{base} #{note.id}-{n}"[:31]
        n += 1
    used.add(title.lower())
    return title


def _xlsx(notes: Sequence[HandoverNoteInfo], labels: _Labels, unmasked: bool) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    bold = Font(bold=True)
    wb = Workbook(write_only=True)
    header = [labels.col(c) for c in ITEM_COLUMNS]
    used: set[str] = set()
    sheets: list[tuple[Any, str]] = []  # worksheet, its item rows as XML
    pages: list[HandoverNoteInfo | None] = [*notes] or [None]  # an empty export still has one sheet
    for note in pages:
        ws = wb.create_sheet(_sheet_title(note, used) if note else labels.text("handover.sheet"))
        rows = [_item_cells(i, labels, unmasked) for i in note.items] if note else []
        facts: list[tuple[str, Any]] = []
        if note is not None:
            cells = dict(zip(NOTE_COLUMNS, _note_cells(note, labels), strict=True))
            facts = [(labels.col(c), cells[c]) for c in NOTE_COLUMNS if c not in ("agent_number", "agent_name")]
            facts.append((labels.col("notes"), note.notes))
        widths = [display_width(h) for h in header]
        widths[0] = max(widths[0], *(display_width(k) for k, _ in facts)) if facts else widths[0]
        for row in rows[:XLSX_SAMPLE_ROWS]:
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    w = display_width(value)
                    if w > widths[c]:
                        widths[c] = w
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = max(XLSX_MIN_WIDTH, min(XLSX_MAX_WIDTH, w + 2))
        # The item table's header row: after the title, the facts and a blank row. Frozen
        # and filterable; both must be set before the first row is written.
        header_row = len(facts) + 3 if note is not None else 1
        ws.freeze_panes = f"A{header_row + 1}"
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(header))}{header_row + max(len(rows), 1)}"
        if note is not None:
            title = WriteOnlyCell(ws, value=_xlsx_text(
                labels.text("handover.md.title", name=note.agent_name, number=note.agent_number)))
            title.font = bold
            ws.append([title])
            for key, value in facts:
                label = WriteOnlyCell(ws, value=_xlsx_text(key))
                label.font = bold
                cell = WriteOnlyCell(ws, value=_xlsx_text(value))
                cell.alignment = Alignment(wrap_text=False, vertical="top")
                ws.append([label, cell])
            ws.append([])
        head = []
        for h in header:
            cell = WriteOnlyCell(ws, value=_xlsx_text(h))
            cell.font = bold
            head.append(cell)
        ws.append(head)
        if rows:
            sheets.append((ws, _xlsx_rows(rows, header_row + 1)))
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl names each sheet's part when it saves the workbook.
    return _xlsx_with_rows(buffer.getvalue(), {ws.path.lstrip("/"): body for ws, body in sheets})


def _xlsx_rows(rows: Sequence[Sequence[Any]], first: int) -> str:
    """``rows`` as the ``<row>`` elements openpyxl writes for plain values, from row ``first``."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, len(ITEM_COLUMNS) + 1)]
    out: list[str] = []
    for r, row in enumerate(rows, start=first):
        out.append(f'<row r="{r}">')
        for letter, value in zip(letters, row, strict=False):
            value = _xlsx_text(value)
            if value is None:
                continue
            if isinstance(value, str):
                value = value[:_XLSX_MAX_TEXT]
                space = ' xml:space="preserve"' if value != value.strip() else ""
                out.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>')
            elif isinstance(value, bool):
                out.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                out.append(f'<c r="{letter}{r}" t="n"><v>{value!r}</v></c>')
            else:
                raise TypeError(f"no spreadsheet cell for {type(value).__name__}")
        out.append("</row>")
    return "".join(out)


def _xlsx_with_rows(data: bytes, bodies: dict[str, str]) -> bytes:
    """The workbook ``data`` with each sheet's rows from ``bodies`` (part name → XML) added."""
    if not bodies:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            body = bodies.pop(info.filename, None)
            if body is not None:
                end = part.rindex(b"</sheetData>")
                part = part[:end] + body.encode("utf-8") + part[end:]
            target.writestr(info, part)
    if bodies:  # a sheet's part was not where openpyxl said: never hand out a file without its rows
        raise RuntimeError(f"sheet parts not found in the workbook: {sorted(bodies)}")
    return out.getvalue()


# -- entry point ---------------------------------------------------------------------------------

_WRITERS = {"md": _markdown, "csv": _csv, "json": _json, "xlsx": _xlsx}


def export(notes: Sequence[HandoverNoteInfo], fmt: str, *, lang: str, unmasked: bool = False) -> bytes:
    """``notes`` as a file of format ``fmt`` (md | csv | json | xlsx), labels in ``lang``.

    Phones masked (138****8000) unless ``unmasked``. Pure: no database, no file system.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise InvalidInput("handover.bad_format", field="format", valid=", ".join(EXPORT_FORMATS))
    return writer(list(notes), _Labels(lang), unmasked)


__all__ = ["CSV_COLUMNS", "ITEM_COLUMNS", "JSON_FORMAT", "NOTE_COLUMNS", "display_width", "export", "md_escape"]
