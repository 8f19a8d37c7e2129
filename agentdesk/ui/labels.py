"""Stored codes as the agent reads them: a catalog label when there is one, else the code as recorded."""

from __future__ import annotations

from agentdesk.i18n import t
from agentdesk.services.requests import label_key


def label_or_code(key: str, code: str) -> str:
    text = t(key)
    return code if text == key else text


def callback_kind(kind: str) -> str:
    return label_or_code("callback_kind." + kind, kind)


def request_label(code: str | None) -> str:
    """A call's request type by the table of request types; a call without one says so."""
    return label_or_code(label_key(code), code or "")
