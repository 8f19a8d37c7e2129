"""Call scripts (话术) as data: the words an agent reads aloud at each step of a call.

The operators' standards prescribe the wording (开场白, 结束语, the outage and complaint
lines), and centres reword them often, so the texts live in ``data/scripts/<lang>.toml``
rather than in code. Nested tables become dotted keys, as in the i18n catalogs
(``[identify] ask = …`` → ``identify.ask``); a test keeps both languages in step.

Variables in ``{braces}`` are filled as plain data: a value is never re-read as a
template or as markup, and a variable nobody supplied stays visible as ``{name}`` so the
agent sees the gap instead of the call crashing. Nothing here imports Textual: screens
wrap the finished text in ``Content``/``Text`` themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType

from agentdesk.datafile import DataFileError, read_toml
from agentdesk.paths import data_dir

__all__ = [
    "CallScript",
    "ScriptBook",
    "ScriptError",
    "ScriptStep",
    "fill",
    "join_list",
    "list_separator",
    "load_scripts",
    "placeholders",
    "script_languages",
]

# ``{{`` and ``}}`` are literal braces; ``{name}`` is a variable. Anything else inside
# braces (format specs, attribute access, positional fields) is left alone on purpose: a
# script file must not be able to reach into the objects it is given.
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

# How a spoken list is joined: 身份证、户口本 / ID card, household register.
_LIST_SEPARATORS = {"zh": "、", "en": ", "}


class ScriptError(DataFileError):
    """A script file could not be read or holds something that is not text.

    Names the file and the key, so the file can be fixed from the message alone.
    """


def _lang_family(lang: str) -> str:
    return "zh" if lang.lower().replace("-", "_").startswith("zh") else "en"


def list_separator(lang: str) -> str:
    """The separator for spoken lists in ``lang``: "、" for Chinese, ", " otherwise."""
    return _LIST_SEPARATORS[_lang_family(lang)]


def join_list(items: Sequence[str], lang: str) -> str:
    """Items joined the way the language reads a list aloud (一次性告知 lists every item)."""
    return list_separator(lang).join(str(item) for item in items)


def _as_text(value: object) -> str:
    # Deadlines arrive as datetimes; seconds mean nothing to a caller.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with every ``{name}`` replaced by ``values[name]``, as plain data.

    Why not ``str.format_map``: it raises on a missing variable and on stray braces, and
    allows ``{x.attr}``/``{x[0]}`` lookups. Here a missing variable, or one whose value is
    ``None``, stays visible as ``{name}``; values are inserted once and never re-scanned,
    so braces or Rich markup inside them (``{x}``, ``[bold]``) come out literally.
    ``{{``/``}}`` give literal braces. Datetimes are shown as ``YYYY-MM-DD HH:MM``.
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        value = values.get(name)
        if value is None:
            return token
        return _as_text(value)

    return _TOKEN.sub(replace, template)


def placeholders(template: str) -> frozenset[str]:
    """The variable names a template uses (``{{``/``}}`` escapes are not variables)."""
    return frozenset(m.group(1) for m in _TOKEN.finditer(template) if m.group(1))


def _flatten(table: Mapping[str, object], file: str, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, file, full + "."))
        elif isinstance(value, str):
            out[full] = value.strip()
        else:
            raise ScriptError(file, full, f"expected text, got {type(value).__name__}")
    return out


@dataclass(frozen=True)
class ScriptBook:
    """All script texts of one language, loaded from one file.

    Frozen and cached: every desk reads the same book, and nobody may reword a script in
    the middle of a call. ``path`` is kept so an unknown key can say which file lacks it.
    """

    lang: str
    path: Path
    texts: Mapping[str, str] = field(repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path, lang: str) -> ScriptBook:
        """Read one script file; a TOML error or a non-text value names the file."""
        raw = read_toml(path, ScriptError)
        return cls(lang, path, MappingProxyType(_flatten(raw, str(path))))

    def keys(self) -> tuple[str, ...]:
        """Every script key, in file order."""
        return tuple(self.texts)

    def __contains__(self, key: object) -> bool:
        return key in self.texts

    def template(self, key: str) -> str:
        """The raw text of ``key``, variables unfilled.

        Raises ``KeyError`` naming the key and the file: a missing script is a bug in the
        data, and the message must say where to add it.
        """
        try:
            return self.texts[key]
        except KeyError:
            raise KeyError(f"no script {key!r} in {self.path}") from None

    def placeholders(self, key: str) -> frozenset[str]:
        """The variables ``key`` expects, so a caller can check it supplies them all."""
        return placeholders(self.template(key))

    def render(self, key: str, values: Mapping[str, object]) -> str:
        """``text`` with the values as a mapping (for names that are not identifiers).

        A list or tuple value is read out as a list in this book's language
        (``join_list``), so ``missing=[…]`` needs no joining by the caller.
        """
        prepared = {
            name: join_list(value, self.lang) if isinstance(value, (list, tuple)) else value
            for name, value in values.items()
        }
        return fill(self.template(key), prepared)

    def text(self, key: str, /, **values: object) -> str:
        """The script ``key`` with its variables filled in as plain data (see ``fill``)."""
        return self.render(key, values)


def script_languages() -> tuple[str, ...]:
    """Languages that have a script file in ``data/scripts``."""
    return tuple(sorted(p.stem for p in (data_dir() / "scripts").glob("*.toml")))


@cache
def load_scripts(lang: str) -> ScriptBook:
    """The script book for ``lang`` (``zh_CN``, ``en``), read once per process.

    An unknown language raises ``ValueError`` listing the languages there are, rather
    than silently falling back: a desk set to a language must get that language.
    """
    path = data_dir() / "scripts" / f"{lang}.toml"
    if not path.is_file():
        known = ", ".join(script_languages())
        raise ValueError(f"no call scripts for language {lang!r} in {path.parent}; known: {known}")
    return ScriptBook.from_file(path, lang)


@dataclass(frozen=True)
class ScriptStep:
    """One line the agent reads aloud: the script key (for logs and tests) and its text."""

    key: str
    text: str


@dataclass
class CallScript:
    """A sequence of script lines for one call, with a cursor the agent moves through.

    Why a cursor and not just a list: the script panel shows "this line now, that one
    next", and the agent steps back when the caller asks to hear something again. The
    steps are immutable; only the position moves, and it never leaves the list, so a
    stray key press cannot leave the panel empty. ``refill`` re-renders the lines when a
    value becomes known mid-call (the customer's name after identification) without
    losing the agent's place.
    """

    book: ScriptBook
    steps: tuple[ScriptStep, ...]
    position: int = 0

    @classmethod
    def build(
        cls, book: ScriptBook, keys: Sequence[str], values: Mapping[str, object] | None = None
    ) -> CallScript:
        """Steps for ``keys`` in order, filled from ``values``; an unknown key raises KeyError."""
        if not keys:
            raise ValueError("a call script needs at least one step")
        values = values or {}
        return cls(book, tuple(ScriptStep(k, book.render(k, values)) for k in keys))

    def refill(self, values: Mapping[str, object]) -> None:
        """Re-render every step with ``values``, keeping the current position."""
        self.steps = tuple(ScriptStep(s.key, self.book.render(s.key, values)) for s in self.steps)

    @property
    def current(self) -> ScriptStep:
        return self.steps[self.position]

    @property
    def next(self) -> ScriptStep | None:
        """The line after the current one, for a "next:" preview; None at the end."""
        return None if self.is_last else self.steps[self.position + 1]

    @property
    def is_first(self) -> bool:
        return self.position == 0

    @property
    def is_last(self) -> bool:
        return self.position == len(self.steps) - 1

    def advance(self) -> ScriptStep:
        """Move to the next line (staying on the last one) and return it."""
        if not self.is_last:
            self.position += 1
        return self.current

    def back(self) -> ScriptStep:
        """Move to the previous line (staying on the first one) and return it."""
        if not self.is_first:
            self.position -= 1
        return self.current

    def goto(self, key: str) -> ScriptStep:
        """Jump to the first step with ``key``; KeyError if the script has no such step."""
        for i, step in enumerate(self.steps):
            if step.key == key:
                self.position = i
                return step
        raise KeyError(f"no step {key!r} in this call script")

    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[ScriptStep]:
        return iter(self.steps)
