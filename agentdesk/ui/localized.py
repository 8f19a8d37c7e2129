"""Bindings whose descriptions are i18n keys, translated when the node is built.

Class-level BINDINGS are evaluated at import time, before the UI language is known, so
they carry keys (``binding.logout``) and each node swaps in the text for the current
language. Footer, key panel and command palette then all show the same words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.dom import DOMNode

from agentdesk.i18n import t


def localize_bindings(node: DOMNode) -> None:
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if b.description.startswith("binding.")
            else b
            for b in bindings
        ]


class LocalizedBindings:
    """Mixin for screens and widgets: call ``localize_bindings`` after DOMNode init."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from agentdesk.ui.textual_keys import localize_textual_bindings

        localize_textual_bindings()  # widget classes this screen's module has just imported
        super().__init__(*args, **kwargs)
        localize_bindings(self)  # type: ignore[arg-type]
