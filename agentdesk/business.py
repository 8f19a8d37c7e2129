"""Business acceptance (业务受理): which materials a request needs, and telling all at once.

The standards (seed 001 item 4, seed 003 item 5) require that when a customer's
materials are incomplete, the agent tells them **every** missing item in one go
(一次性告知), so nobody has to come back twice. The lists live in
``data/business/materials.toml`` because each centre's paperwork differs; this module
reads them and builds the one sentence the agent reads out, through the call-script
engine (script key ``business.missing``).

Customers are individuals or organizations (单位), whose paperwork differs (营业执照副本
复印件, 经办人身份证件, 单位介绍信). Situations such as renting the address (租房用户) or
someone acting for the holder (代办) add materials on top of either list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType

from agentdesk.datafile import DataFileError, read_toml
from agentdesk.paths import data_dir
from agentdesk.scripts import load_scripts

__all__ = [
    "CUSTOMER_KINDS",
    "BusinessCatalog",
    "BusinessError",
    "BusinessType",
    "Material",
    "Situation",
    "UnknownBusinessError",
    "complete_line",
    "get_business_type",
    "load_business_types",
    "load_materials",
    "load_situations",
    "missing",
    "missing_line",
    "read_catalog",
]

#: Who the customer is: a private person or an organization (company, school, office).
CUSTOMER_KINDS: tuple[str, ...] = ("individual", "organization")
_WORK_ORDER_KINDS = ("install", "business")


class BusinessError(DataFileError):
    """The materials file is malformed; names the file and the key, to fix it from the message."""


class UnknownBusinessError(ValueError):
    """An unknown business type, customer kind or situation; ``valid`` lists the known ones."""

    def __init__(self, field: str, value: str, valid: Iterable[str]) -> None:
        self.field = field
        self.value = value
        self.valid: tuple[str, ...] = tuple(valid)
        super().__init__(f"unknown {field} {value!r}; valid: {', '.join(self.valid)}")


def _is_zh(lang: str) -> bool:
    return lang.lower().replace("-", "_").startswith("zh")


@dataclass(frozen=True)
class Material:
    """One document or item the customer must bring; ``id`` is what forms tick off."""

    id: str
    zh: str
    en: str  # lower-case start: it is read out inside a sentence

    def label(self, lang: str) -> str:
        return self.zh if _is_zh(lang) else self.en


@dataclass(frozen=True)
class Situation:
    """A circumstance that adds materials (``tenant``, ``proxy``); the UI offers it as a tick box."""

    id: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if _is_zh(lang) else self.en


@dataclass(frozen=True)
class BusinessType:
    """A kind of business request (新装, 移机, 过户 …) and the paperwork it needs.

    ``work_order_kind`` is the policy kind of the work order it creates (``install`` or
    ``business``), so the right deadlines apply; ``department`` is the code of the
    department that carries it out.
    """

    id: str
    zh: str
    en: str
    work_order_kind: str
    department: str
    by_customer_kind: Mapping[str, tuple[Material, ...]]
    by_situation: Mapping[str, tuple[Material, ...]]

    def name(self, lang: str) -> str:
        return self.zh if _is_zh(lang) else self.en

    @property
    def situations(self) -> tuple[str, ...]:
        """The situations that change this type's paperwork, in file order."""
        return tuple(self.by_situation)

    def materials(
        self, customer_kind: str = "individual", situations: Iterable[str] = ()
    ) -> tuple[Material, ...]:
        """Everything this request needs, in the order it is read out.

        ``situations`` add their materials after the base list (each item once); a
        situation that does not apply to this type adds nothing, an unknown one raises.
        """
        if customer_kind not in self.by_customer_kind:
            raise UnknownBusinessError("customer kind", customer_kind, CUSTOMER_KINDS)
        known = load_situations()
        out = list(self.by_customer_kind[customer_kind])
        for situation in situations:
            if situation not in known:
                raise UnknownBusinessError("situation", situation, known)
            for material in self.by_situation.get(situation, ()):
                if material not in out:
                    out.append(material)
        return tuple(out)


def _text(table: Mapping[str, object], key: str, file: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BusinessError(file, f"{where}.{key}", "missing or empty text")
    return value.strip()


def _labelled(raw: Mapping[str, object], section: str, file: str) -> dict[str, tuple[str, str]]:
    table = raw.get(section, {})
    if not isinstance(table, dict):
        raise BusinessError(file, section, "must be a table")
    out = {}
    for ident, entry in table.items():
        if not isinstance(entry, dict):
            raise BusinessError(file, f"{section}.{ident}", "must be a table")
        out[ident] = (_text(entry, "zh", file, f"{section}.{ident}"), _text(entry, "en", file, f"{section}.{ident}"))
    return out


def _material_list(
    value: object, materials: Mapping[str, Material], file: str, key: str
) -> tuple[Material, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise BusinessError(file, key, "must be a non-empty list of material ids")
    unknown = [v for v in value if v not in materials]
    if unknown:
        raise BusinessError(file, key, f"unknown material {unknown[0]!r}; known: {', '.join(materials)}")
    if len(set(value)) != len(value):
        raise BusinessError(file, key, "lists a material twice")
    return tuple(materials[v] for v in value)


@dataclass(frozen=True)
class BusinessCatalog:
    """Everything one materials file defines, references resolved."""

    materials: Mapping[str, Material]
    situations: Mapping[str, Situation]
    types: Mapping[str, BusinessType]


def read_catalog(path: Path) -> BusinessCatalog:
    """Read and check one materials file; every reference is resolved or the file is named."""
    file = str(path)
    raw = read_toml(path, BusinessError)

    materials = {i: Material(i, zh, en) for i, (zh, en) in _labelled(raw, "material", file).items()}
    situations = {i: Situation(i, zh, en) for i, (zh, en) in _labelled(raw, "situation", file).items()}
    types: dict[str, BusinessType] = {}
    business = raw.get("business", {})
    if not isinstance(business, dict) or not business:
        raise BusinessError(file, "business", "no business types")
    for ident, entry in business.items():
        where = f"business.{ident}"
        if not isinstance(entry, dict):
            raise BusinessError(file, where, "must be a table")
        kind = _text(entry, "work_order_kind", file, where)
        if kind not in _WORK_ORDER_KINDS:
            raise BusinessError(file, f"{where}.work_order_kind", f"must be one of {', '.join(_WORK_ORDER_KINDS)}")
        by_kind = {
            ck: _material_list(entry.get(ck), materials, file, f"{where}.{ck}") for ck in CUSTOMER_KINDS
        }
        raw_situations = entry.get("situations", {})
        if not isinstance(raw_situations, dict):
            raise BusinessError(file, f"{where}.situations", "must be a table")
        by_situation = {}
        for sid, value in raw_situations.items():
            if sid not in situations:
                raise BusinessError(
                    file, f"{where}.situations.{sid}", f"unknown situation; known: {', '.join(situations)}"
                )
            by_situation[sid] = _material_list(value, materials, file, f"{where}.situations.{sid}")
        types[ident] = BusinessType(
            id=ident,
            zh=_text(entry, "zh", file, where),
            en=_text(entry, "en", file, where),
            work_order_kind=kind,
            department=_text(entry, "department", file, where),
            by_customer_kind=MappingProxyType(by_kind),
            by_situation=MappingProxyType(by_situation),
        )
    return BusinessCatalog(MappingProxyType(materials), MappingProxyType(situations), MappingProxyType(types))


@cache
def _catalog() -> BusinessCatalog:
    return read_catalog(data_dir() / "business" / "materials.toml")


def load_business_types() -> dict[str, BusinessType]:
    """Every business type by id (``install``, ``move``, ``transfer`` …), in file order.

    A fresh dict each call (the file is read once), so a caller may filter it freely.
    """
    return dict(_catalog().types)


def load_situations() -> dict[str, Situation]:
    """The situations that add materials (``tenant``, ``proxy``), by id."""
    return dict(_catalog().situations)


def load_materials() -> dict[str, Material]:
    """Every material by id, for forms that tick off what the customer brought."""
    return dict(_catalog().materials)


def get_business_type(business_type: BusinessType | str) -> BusinessType:
    """``business_type`` itself, or the type with that id; unknown ids list the valid ones."""
    if isinstance(business_type, BusinessType):
        return business_type
    types = _catalog().types
    try:
        return types[business_type]
    except KeyError:
        raise UnknownBusinessError("business type", business_type, types) from None


def missing(
    business_type: BusinessType | str,
    have: Collection[str],
    customer_kind: str = "individual",
    situations: Iterable[str] = (),
) -> list[Material]:
    """The materials still missing, in reading order. ``have`` holds material ids;
    ids that this request does not need are ignored."""
    bt = get_business_type(business_type)
    return [m for m in bt.materials(customer_kind, situations) if m.id not in have]


def missing_line(
    business_type: BusinessType | str,
    have: Collection[str],
    customer_kind: str = "individual",
    lang: str = "zh_CN",
    situations: Iterable[str] = (),
) -> str:
    """The 一次性告知 sentence listing **all** missing materials at once (``business.missing``).

    Returns ``""`` when nothing is missing: there is nothing to tell, and the request can
    be accepted; the agent then reads ``complete_line`` once the work order exists (it
    needs the order number, which this function cannot know).
    """
    bt = get_business_type(business_type)
    gaps = missing(bt, have, customer_kind, situations)
    if not gaps:
        return ""
    book = load_scripts(lang)
    return book.text("business.missing", business=bt.name(lang), missing=[m.label(lang) for m in gaps])


def complete_line(
    business_type: BusinessType | str,
    order_number: str,
    resolve_by: datetime | str,
    lang: str = "zh_CN",
) -> str:
    """The ``business.complete`` line: all materials in, order ``order_number`` done by ``resolve_by``."""
    bt = get_business_type(business_type)
    return load_scripts(lang).text(
        "business.complete", business=bt.name(lang), order_number=order_number, resolve_by=resolve_by
    )
