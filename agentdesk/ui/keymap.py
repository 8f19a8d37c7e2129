"""The keymap's Textual side: every binding walked from the code, and the user's keymap applied.

Nothing here lists screens. The modules of ``agentdesk`` that declare ``BINDINGS`` are found
by their text and imported, then every node class defined under ``agentdesk`` is read
through Textual's own merge of its class bindings; a screen moved to another folder, or a
new one, is found the same way.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

import agentdesk
from agentdesk.i18n import catalog, get_language, t
from agentdesk.keymap import BoundKey, Keymap, Scope, keymap_path, read_keymap
from agentdesk.ui.key_names import remember_keymap
from agentdesk.ui.textual_keys import widget_key

_DECLARES_BINDINGS = re.compile(r"^\s+BINDINGS\b[^=\n]*=", re.MULTILINE)
NOTIFY_SECONDS = 60


@dataclass(frozen=True)
class BindingRow:
    """One binding as ``agentdesk keys`` lists it."""

    id: str
    keys: tuple[str, ...]
    description: str
    place: str


def _import_binding_modules() -> None:
    root = Path(agentdesk.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        try:
            declares = _DECLARES_BINDINGS.search(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if declares:
            parts = path.relative_to(root).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            importlib.import_module(".".join(("agentdesk", *parts)))


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@cache
def binding_classes() -> tuple[type[DOMNode], ...]:
    """Every node class of agentdesk that declares bindings with ids, the app's first.

    A class that declares none has its bases' bindings (every form has the form base's), so
    the base stands for it.
    """
    _import_binding_modules()
    found = {cls for cls in _subclasses(DOMNode)
             if cls.__module__.split(".")[0] == "agentdesk" and any(b.id for b in _declared(cls))}
    return tuple(sorted(found, key=lambda cls: (not issubclass(cls, App), cls.__module__, cls.__qualname__)))


def _declared(cls: type) -> list[Binding]:
    return list(Binding.make_bindings(cls.__dict__.get("BINDINGS", [])))


def _merged(cls: type[DOMNode]) -> list[Binding]:
    # Textual's own merge (a subclass's key replaces its base's), as the running node has it.
    merged = cls._merge_bindings()
    return [binding for bindings in merged.key_to_bindings.values() for binding in bindings]


def place_name(cls: type) -> str:
    key = f"keymap.place.{cls.__name__}"
    return t(key) if key in catalog(get_language()) or key in catalog("en") else cls.__name__


def _description(binding: Binding) -> str:
    if binding.description.startswith("binding."):
        return t(binding.description)
    key = widget_key(binding.description) if binding.description else ""
    return catalog(get_language()).get(key) or binding.description or binding.action


def _bound_keys(cls: type[DOMNode]) -> list[BoundKey]:
    keys: dict[tuple[str | None, str], list[str]] = {}
    for binding in _merged(cls):
        label = binding.id or _description(binding)
        keys.setdefault((binding.id, label), []).append(binding.key)
    return [BoundKey(binding_id, tuple(dict.fromkeys(k)), label) for (binding_id, label), k in keys.items()]


def scopes() -> list[Scope]:
    """Where bindings are active together: each class's own and inherited ones, with the app's."""
    classes = binding_classes()
    app_keys = [key for cls in classes if issubclass(cls, App) for key in _bound_keys(cls)]
    found: list[Scope] = []
    for cls in classes:
        own = _bound_keys(cls)
        bindings = own if issubclass(cls, App) else [*own, *(k for k in app_keys if k not in own)]
        found.append(Scope(place_name(cls), tuple(bindings)))
    return found


def binding_rows() -> list[BindingRow]:
    """Every binding with an id, where its class declares it (the form base's: every form).

    The app's first, then by the id's first part (``call.…``, ``desk.…``), each class's in
    the order it declares them: the order a reader looks an id up in.
    """
    rows: list[tuple[tuple[bool, str], BindingRow]] = []
    for cls in binding_classes():
        by_id: dict[str, list[Binding]] = {}
        for binding in _declared(cls):
            if binding.id:
                by_id.setdefault(binding.id, []).append(binding)
        rows += [((not issubclass(cls, App), binding_id.split(".")[0]),
                  BindingRow(binding_id, tuple(b.key for b in bindings), _description(bindings[0]), place_name(cls)))
                 for binding_id, bindings in by_id.items()]
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


def load_user_keymap(path: Path | None = None) -> Keymap:
    """The installation's keymap, checked against every binding of the code."""
    return read_keymap(path or keymap_path(), scopes())


def install_user_keymap(app: App[Any]) -> None:
    """Apply the user's keymap, or say why not; called off the UI thread, never raises.

    No file, no work: the screens are imported only to check a keymap that exists.
    """
    try:
        path = keymap_path()
        if not path.exists():
            return
        keymap = load_user_keymap(path)
    except Exception as exc:  # a keymap must never keep the desk from starting
        app.log.error("keymap not loaded", exc)
        return
    try:
        if keymap.keys:
            app.call_from_thread(apply_keymap, app, keymap)
        if keymap.problems:
            text = "\n".join([*(p.text for p in keymap.problems), t("keymap.defaults")])
            app.call_from_thread(app.notify, text, title=t("keymap.title"), severity="error",
                                 timeout=NOTIFY_SECONDS, markup=False)
    except RuntimeError:  # the desk has closed meanwhile
        pass


def apply_keymap(app: App[Any], keymap: Keymap) -> None:
    remember_keymap(app, keymap.keys)
    app.set_keymap(keymap.textual_keymap())
    for binding in _merged(type(app)):
        # The footer finds the palette's hint by this key, not by the binding's id.
        if binding.action == "command_palette" and binding.id in keymap.keys:
            app.COMMAND_PALETTE_BINDING = keymap.keys[binding.id][0]  # type: ignore[misc]
