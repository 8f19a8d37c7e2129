"""The keys a hint names, as this desk has them bound.

Hints such as "F2 takes a call" are catalog text with placeholders — ``{key[desk.new_call]}``
— filled from the node's bindings and the installation's keymap, so a remapped key is named
the way the footer names it. A placeholder with an unknown id leaves the text unfilled
(``t`` falls back to the raw text), which the catalog test catches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.dom import DOMNode

# The keys a keymap gave each binding id, per running app (set when a keymap is applied).
_applied: WeakKeyDictionary[App[Any], Mapping[str, tuple[str, ...]]] = WeakKeyDictionary()

_NAMED = {"escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab", "down": "↓", "up": "↑",
          "left": "←", "right": "→", "pageup": "PgUp", "pagedown": "PgDn", "delete": "Del",
          "backspace": "Backspace", "home": "Home", "end": "End", "question_mark": "?"}


def remember_keymap(app: App[Any], keys: Mapping[str, tuple[str, ...]]) -> None:
    _applied[app] = dict(keys)


def key_display(key: str) -> str:
    """A key as the hints write it: ``ctrl+e`` → ``Ctrl+E``, ``f2`` → ``F2``, ``escape`` → ``Esc``."""
    *modifiers, last = key.split("+")
    if last in _NAMED:
        name = _NAMED[last]
    elif len(last) > 1 and last[0] == "f" and last[1:].isdigit():
        name = last.upper()
    elif modifiers and len(last) == 1:
        name = last.upper()
    else:
        name = last
    return "+".join([*(m.capitalize() for m in modifiers), name])


class KeyNames(Mapping[str, str]):
    """Binding id → the name of its key on ``node`` (its own bindings, then the app's)."""

    def __init__(self, node: DOMNode) -> None:
        self._defaults, self._remapped = self._read(node.app, type(node))

    @classmethod
    def for_class(cls, app: App[Any], node_class: type[DOMNode]) -> KeyNames:
        """The names a node of ``node_class`` would give, before one exists."""
        names = cls.__new__(cls)
        names._defaults, names._remapped = cls._read(app, node_class)
        return names

    @staticmethod
    def _read(app: App[Any], node_class: type[DOMNode]) -> tuple[dict[str, str], Mapping[str, tuple[str, ...]]]:
        defaults: dict[str, str] = {}
        for cls in (type(app), node_class):
            for bindings in cls._merge_bindings().key_to_bindings.values():
                for binding in bindings:
                    if binding.id:
                        defaults[binding.id] = binding.key
        return defaults, _applied.get(app, {})

    def __getitem__(self, binding_id: str) -> str:
        remapped = self._remapped.get(binding_id)
        key = remapped[0] if remapped else self._defaults[binding_id].split(",")[0].strip()
        return key_display(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._defaults)

    def __len__(self) -> int:
        return len(self._defaults)
