"""The importer's vocabulary: the fields, the header and value spellings it recognizes, the
``--map`` option, and the two errors about the file as a whole."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from agentdesk.i18n import t
from agentdesk.models import AREA_CLASSES, TIERS
from agentdesk.normalize import clean_text
from agentdesk.services.errors import ServiceError

BATCH = 1000
HEADER_SCAN_ROWS = 10  # title rows above the header (「客户清单 2026年11月」) are skipped
FIELDS = ("user_code", "name", "phone", "address", "area", "area_class", "tier")
REQUIRED = ("user_code", "name")
IGNORE = "-"  # --map "备注=-": leave a column out
LIMITS = {"user_code": 32, "name": 100, "address": 300, "area": 100}
DELIMITERS = ",\t;|"

# Header spellings, compared after fold_key(): NFKC, lower case, no spaces, '_', '-', or ':'.
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
# Values, compared after fold_key(). The catalogs' own labels (tier.vip …) are added below so
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


def fold_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", clean_text(text)).lower()
    return re.sub(r"[\s_\-:：]+", "", text)


def _alias_table(aliases: Mapping[str, Iterable[str]], label_prefix: str | None = None) -> dict[str, str]:
    table = {fold_key(alias): value for value, names in aliases.items() for alias in (*names, value)}
    if label_prefix:
        from agentdesk.i18n import LANGUAGES

        for value in aliases:
            for lang in LANGUAGES:
                table.setdefault(fold_key(t(f"{label_prefix}.{value}", lang=lang)), value)
    return table


HEADER_TABLE = _alias_table(HEADER_ALIASES)
AREA_CLASS_TABLE = _alias_table(AREA_CLASS_ALIASES, "area")
TIER_TABLE = _alias_table(TIER_ALIASES, "tier")
assert set(AREA_CLASS_TABLE.values()) == set(AREA_CLASSES) and set(TIER_TABLE.values()) == set(TIERS)


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
    key = fold_key(name)
    if key in {fold_key(f) for f in FIELDS}:
        return next(f for f in FIELDS if fold_key(f) == key)
    if key == "areaname":
        return "area"
    return HEADER_TABLE.get(key)


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
