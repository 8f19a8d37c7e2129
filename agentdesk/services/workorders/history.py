"""An order's history in people's words, in the reader's language.

The history stores what happened as structured detail (codes, ISO times, message data);
:func:`describe_event` turns one entry into a sentence at display or export time: statuses
and escalation levels by their names, the department by its name, times in the caller's
format, sentences the desk wrote (close notes) rendered from their keys. A detail field no
catalog names is shown as recorded, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from agentdesk.i18n import t
from agentdesk.services.messages import from_data
from agentdesk.services.workorders.common import OrderEvent
from agentdesk.vocab import OrderEventKind

#: Detail fields that are bookkeeping, not something a person reads in the history.
_HIDDEN = frozenset({"request_id", "callback_id", "department_id", "number", "resolve_by_before"})
#: Detail fields holding a moment (ISO text in the record).
_TIMES = frozenset({"proposed_deadline", "new_deadline", "callback_due", "resolve_by", "due_at"})
#: Detail fields whose value is a code with a catalog label: field → label prefix.
_LABELS = {"callback_rule": "history.rule", "outcome": "callback_outcome", "business": "business"}


def _default_when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _label(prefix: str, code: object, lang: str | None) -> str:
    key = f"{prefix}.{code}"
    text = t(key, lang=lang)
    return str(code) if text == key else text


def _value(name: str, value: Any, when: Callable[[datetime], str], lang: str | None) -> str:
    if name in _TIMES and isinstance(value, str):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if name in _LABELS:
        return _label(_LABELS[name], value, lang)
    if isinstance(value, bool):
        return t("history.yes" if value else "history.no", lang=lang)
    return str(value)


def _field(name: str, value: str, lang: str | None) -> str:
    key = f"history.field_{name}"
    text = t(key, lang=lang, value=value)
    return f"{name}: {value}" if text == key else text


def describe_event(event: OrderEvent, *, when: Callable[[datetime], str] = _default_when,
                   lang: str | None = None, departments: Mapping[str, str] | None = None) -> str:
    """One history entry as a sentence. ``when`` formats a moment the way the reader's screen
    or export does; ``departments`` names department codes (else the name recorded beside
    the code at read time, else the code)."""
    return describe(event.kind, event.data, when=when, lang=lang, departments=departments)


def describe(kind: str, detail: Mapping[str, Any], *, when: Callable[[datetime], str] = _default_when,
             lang: str | None = None, departments: Mapping[str, str] | None = None) -> str:
    """:func:`describe_event` for a kind and its recorded detail."""
    data = dict(detail)
    parts: list[str] = []
    if "from" in data and "to" in data:
        prefix = "escalation" if kind == OrderEventKind.ESCALATE else "status"
        parts.append(t("history.transition", lang=lang, from_=_label(prefix, data.pop("from"), lang),
                       to=_label(prefix, data.pop("to"), lang)))
    if data.pop("auto", False):
        parts.append(t("history.auto", lang=lang))
    stored = data.pop("reason_message", None)
    if isinstance(stored, dict) and "key" in stored:
        parts.append(_field("reason", from_data(stored).render(lang), lang))
    code = data.pop("department", None)
    name = data.pop("department_name", None)
    if code or name:
        shown = (departments or {}).get(str(code), "") or name or str(code)
        parts.append(_field("department", shown, lang))
    for key, value in data.items():
        if key in _HIDDEN or value in (None, "", [], {}):
            continue
        parts.append(_field(key, _value(key, value, when, lang), lang))
    return t("history.sep", lang=lang).join(parts)


__all__ = ["describe", "describe_event"]
