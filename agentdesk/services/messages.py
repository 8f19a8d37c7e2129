"""Sentences a service writes into a record, kept as a catalog key and its values.

A callback's reason or a close note written as text would stay in the writing desk's
language; kept as a :class:`Message` it reads in the reader's. A message is stored as JSON
(``{"key": …, "params": {…}}``) and rendered with :meth:`Message.render` when it is shown or
exported. A value is a plain string or number (user text, numbers, codes), another message
(a label such as ``kind.repair``, or a whole sentence quoted in this one), or a list of
those (:func:`listing`), joined with the separator its key names in the reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentdesk.i18n import t

LIST_SEP = "records.list_sep"


@dataclass(frozen=True)
class Listing:
    items: tuple[Any, ...]
    sep: str = LIST_SEP


@dataclass(frozen=True)
class Message:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **{name: _render(value, lang) for name, value in self.params.items()})

    def to_data(self) -> dict[str, Any]:
        return {"key": self.key, "params": {name: _encode(value) for name, value in self.params.items()}}

    def dumps(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, sort_keys=True)


def message(key: str, /, **params: Any) -> Message:
    return Message(key, params)


def listing(items: Sequence[Any], sep: str = LIST_SEP) -> Listing:
    return Listing(tuple(items), sep)


def _render(value: Any, lang: str | None) -> str:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Listing):
        return t(value.sep, lang=lang).join(_render(item, lang) for item in value.items)
    return str(value)


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_data()
    if isinstance(value, Listing):
        return {"list": [_encode(item) for item in value.items], "sep": value.sep}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "list" in value:
            return Listing(tuple(_decode(item) for item in value["list"]), str(value.get("sep") or LIST_SEP))
        if "key" in value:
            return from_data(value)
    return value


def from_data(data: Mapping[str, Any]) -> Message:
    params = data.get("params") or {}
    return Message(str(data["key"]), {name: _decode(value) for name, value in params.items()})


def loads(text: str | None) -> Message | None:
    """The message stored as ``text`` (JSON), or None when nothing is stored."""
    if not text:
        return None
    return from_data(json.loads(text))


def stored_text(message_json: str | None, text: str, lang: str | None = None) -> str:
    """A record's sentence in the reader's language: the stored message rendered, else the
    text stored beside it (user words, or a sentence no migration could recognise)."""
    stored = loads(message_json)
    return stored.render(lang) if stored is not None else text


__all__ = ["LIST_SEP", "Listing", "Message", "from_data", "listing", "loads", "message", "stored_text"]
