"""One i18n layer for the TUI and the CLI: zh_CN first, English too.

Catalogs are the TOML files in ``<lang>/`` beside this module (one file per area of
the app, merged); nested tables become dotted keys (``[login] title = …`` →
``login.title``). A key defined twice is an error, so files cannot silently clash. Values are plain text, never markup:
screens wrap them in ``Content``/``Text`` and fill variables as data.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
_HERE = Path(__file__).resolve().parent
_current = "zh_CN"


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_HERE / lang).glob("*.toml")):
        with open(path, "rb") as fh:
            entries = _flatten(tomllib.load(fh))
        clash = merged.keys() & entries.keys()
        if clash:
            raise ValueError(f"{path.name}: keys already defined in another {lang} file: {sorted(clash)}")
        merged.update(entries)
    return merged


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _current = lang


def get_language() -> str:
    return _current


def t(key: str, /, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in the current language, variables filled in.

    A missing key falls back to English, then to the key itself, so a gap shows up
    on screen instead of crashing a call; a test keeps the catalogs in step.
    """
    text = catalog(lang or _current).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    if values:
        try:
            return text.format_map(values)
        except (KeyError, IndexError, ValueError):
            return text
    return text
