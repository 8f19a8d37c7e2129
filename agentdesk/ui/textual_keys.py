"""Textual's own widgets (Input, TextArea, DataTable, Select, …) bring key bindings with
English descriptions, which the key panel (F1) lists for the focused field.

Their classes' merged bindings are translated from the English kept aside on first use,
so an app in another language (the tests run both) starts from the original. It runs when
the app starts and again as each screen is built (screens import their widgets lazily);
a class already in the current language is skipped. The catalog key is the English description in snake case under
``widget_key.``; a description without an entry stays as Textual wrote it, and a test
lists every description of the widgets the desk uses, so a Textual upgrade is noticed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from agentdesk.i18n import catalog, get_language


def widget_key(description: str) -> str:
    return "widget_key." + re.sub(r"[^a-z0-9]+", "_", description.lower()).strip("_")


def _classes(root: type = DOMNode) -> list[type]:
    found, todo = [], [root]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def localize_textual_bindings() -> None:
    texts = catalog(get_language())

    def translated(binding: Binding) -> Binding:
        text = texts.get(widget_key(binding.description)) if binding.description else None
        return replace(binding, description=text) if text else binding

    lang = get_language()
    for cls in _classes():
        merged = cls.__dict__.get("_merged_bindings")
        if merged is None or cls.__dict__.get("_agentdesk_lang") == lang:
            continue
        cls._agentdesk_lang = lang  # type: ignore[attr-defined]
        english = cls.__dict__.get("_agentdesk_english")
        if english is None:
            english = {key: list(bindings) for key, bindings in merged.key_to_bindings.items()}
            cls._agentdesk_english = english  # type: ignore[attr-defined]
        # New lists: instances made earlier keep the copies they took.
        merged.key_to_bindings = {key: [translated(b) for b in bindings] for key, bindings in english.items()}
