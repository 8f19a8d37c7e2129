"""What a lead types for an outage, cleaned and checked: areas, services, cause, expected
time, message. Nothing here reads the database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from agentdesk import clock
from agentdesk.i18n import t
from agentdesk.normalize import clean_text
from agentdesk.services.errors import InvalidFields, InvalidInput
from agentdesk.services.text import clean_field

SERVICES = ("tv", "broadband", "phone")
STATUSES = ("active", "cleared")
#: A restoration callback is due this long after the outage is cleared.
RESTORATION_CALLBACK_WITHIN = timedelta(hours=2)
MAX_AREAS = 50
MAX_AREA_LENGTH = 100  # OutageArea.area_name
MAX_CAUSE = 500
MAX_MESSAGE = 2000
MAX_LIST = 500
MAX_AREA_SUGGESTIONS = 5000
#: What separates several areas typed in one box: 朝阳区、南关区 / 朝阳区,南关区.
AREA_SEPARATORS = re.compile(r"[,，、;；\n]+")
_SERVICE_SEPARATORS = re.compile(r"[,，、;；\s]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"


class NotActive(InvalidInput):
    """The outage was cleared: it cannot be changed or cleared again."""

    key = "outages.not_active"



def area_matches(outage_area: str, customer_area: str) -> bool:
    """An outage on 朝阳区 covers 朝阳区红旗街道湖西社区: areas are named from wide to narrow."""
    outage_area, customer_area = outage_area.strip(), customer_area.strip()
    return bool(outage_area) and customer_area.startswith(outage_area)


def clean_area(text: str) -> str:
    """An area name as stored and matched: control characters out, no spaces beside Hanzi
    (``朝阳区 红旗街道`` → ``朝阳区红旗街道``), other runs of spaces made one."""
    text = clean_text(unicodedata.normalize("NFC", text or "")).strip()
    text = re.sub(r"\s+", " ", text)
    return re.sub(rf"(?<=[{_CJK}]) | (?=[{_CJK}])", "", text)


def clean_areas(areas: str | Iterable[str]) -> tuple[str, ...]:
    """The areas a lead typed, cleaned and deduplicated in their order; one string may hold
    several (朝阳区、南关区). Raises InvalidInput when none is left or one is too long."""
    if isinstance(areas, str):
        areas = [areas]
    out: list[str] = []
    for raw in areas:
        # Cleaned before splitting: an OSC sequence's own ';' is not an area separator.
        for part in AREA_SEPARATORS.split(clean_text(raw or "")):
            name = clean_area(part)
            if not name:
                continue
            if len(name) > MAX_AREA_LENGTH:
                raise InvalidInput("outages.area_too_long", field="areas", area=name[:20], limit=MAX_AREA_LENGTH)
            if name not in out:
                out.append(name)
    if not out:
        raise InvalidInput("outages.no_areas", field="areas")
    if len(out) > MAX_AREAS:
        raise InvalidInput("outages.too_many_areas", field="areas", limit=MAX_AREAS)
    return tuple(out)


def _service_names() -> dict[str, str]:
    """Accepted spellings → service: the codes and their names in every catalog (宽带)."""
    from agentdesk.i18n import LANGUAGES

    names = {s: s for s in SERVICES}
    for lang in LANGUAGES:
        for s in SERVICES:
            names.setdefault(t(f"service.{s}", lang=lang).strip().lower(), s)
    return names


def parse_services(services: str | Iterable[str]) -> tuple[str, ...]:
    """Services from codes (``tv,broadband``) or their names (有线电视、宽带), in
    :data:`SERVICES` order. Raises InvalidInput naming the valid codes."""
    if isinstance(services, str):
        services = [services]
    known = _service_names()
    found: set[str] = set()
    for raw in services:
        for part in _SERVICE_SEPARATORS.split(clean_text(raw or "").strip()):
            if not part:
                continue
            service = known.get(part.lower())
            if service is None:
                raise InvalidInput("outages.bad_service", field="services", value=part, valid=", ".join(SERVICES))
            found.add(service)
    if not found:
        raise InvalidInput("outages.no_services", field="services", valid=", ".join(SERVICES))
    return tuple(s for s in SERVICES if s in found)


def _text(value: str, field_name: str, limit: int, *, required: bool) -> str:
    return clean_field(value, field_name, limit=limit, required=required, missing=f"outages.no_{field_name}")


def _eta(eta: datetime | None, now: datetime) -> datetime | None:
    if eta is None:
        return None
    if not isinstance(eta, datetime):
        raise InvalidInput("outages.bad_eta", field="eta")
    if eta.tzinfo is not None:
        eta = eta.astimezone(clock.CENTER_TZ).replace(tzinfo=None)
    eta = eta.replace(microsecond=0)
    if eta < now:
        raise InvalidInput("outages.eta_past", field="eta", eta=fmt_time(eta), now=fmt_time(now))
    return eta


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else t("outages.eta_unknown")


def check_fields(
    *,
    areas: str | Iterable[str] | None = None,
    services: str | Iterable[str] | None = None,
    cause: str | None = None,
    eta: datetime | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """The given fields (``None``: not given, left out of the result) cleaned and
    validated as :func:`declare` and :func:`update` do, without touching the database —
    so a form or the CLI can check its input before asking for a PIN. Every invalid field
    is reported at once (:class:`InvalidFields` when more than one)."""
    now = clock.now()
    checks: dict[str, Callable[[], object]] = {}
    if areas is not None:
        checks["areas"] = lambda: clean_areas(areas)
    if services is not None:
        checks["services"] = lambda: parse_services(services)
    if cause is not None:
        checks["cause"] = lambda: _text(cause, "cause", MAX_CAUSE, required=True)
    if eta is not None:
        checks["eta"] = lambda: _eta(eta, now)
    if message is not None:
        checks["message"] = lambda: _text(message, "message", MAX_MESSAGE, required=False)
    return _validated(checks)


def _validated(checks: dict[str, Callable[[], object]]) -> dict[str, Any]:
    """Run every check (a zero-argument callable per field); report all that fail together."""
    values: dict[str, Any] = {}
    errors: dict[str, InvalidInput] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidInput as exc:
            errors[exc.field or name] = exc
    if len(errors) == 1:
        raise next(iter(errors.values()))
    if errors:
        raise InvalidFields(errors)
    return values

