"""Checking one row: a ``CustomerRecord`` with normalized values, or a ``RowError`` naming
every problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentdesk.i18n import t
from agentdesk.normalize import PhoneError, clean_text, normalize_name, parse_phone, pinyin_keys
from agentdesk.services.importer.fields import AREA_CLASS_TABLE, LIMITS, TIER_TABLE, field_label, fold_key

# Several numbers in one cell: 13800138000，13900139000 / 0431-88881234、13800138000
_PHONE_SPLIT = re.compile(r"[,，;；/、|\n\r]+")
_PLACEHOLDER = re.compile(r"^[-—–_.·*\s]*$")
_NO_PHONE = {"无", "暂无", "没有", "null", "none", "nan", "na"}
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # ="220100000001", Excel's keep-as-text trick in CSV


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
        if _PLACEHOLDER.match(part) or fold_key(part) in _NO_PHONE:
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
    return table.get(fold_key(raw))


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
    for fld, table, valid_key in (("area_class", AREA_CLASS_TABLE, "importer.valid_area_class"),
                                  ("tier", TIER_TABLE, "importer.valid_tier")):
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
