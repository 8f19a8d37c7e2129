"""User keymaps: an installation's own keys for the desk's bindings, read from a TOML file.

The file is ``keymap.toml`` in the user config directory (``AGENTDESK_KEYMAP`` names another
path), one line per binding id under ``[keys]``::

    [keys]
    desk.new_call = "f3"            # a dotted key is the binding id
    "call.finish" = "ctrl+enter"    # quoted, the same
    call.consult = ["1", "c"]       # several keys for one binding

A file that cannot be used as a whole (bad TOML, an unknown id, a key that is no key, a key
bound twice on one screen) is not applied at all: the desk keeps its default keys and says
why, each problem with the file and the line.

Plain Python on purpose: the CLI and the unit tests check a file without the UI. What the
bindings are is not written here but walked from the screen classes (``agentdesk.ui.keymap``) and
handed in as ``Scope``s; key names are spelled as Textual spells them.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from agentdesk.i18n import t
from agentdesk.normalize import clean_text

ENV_VAR = "AGENTDESK_KEYMAP"
FILE_NAME = "keymap.toml"
SECTION = "keys"

# Textual's names: modifiers come sorted in the key it reports (ctrl+shift+up).
MODIFIERS = frozenset({"alt", "ctrl", "hyper", "meta", "shift", "super"})
NAMED_KEYS = frozenset(
    {"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
     "pageup", "pagedown", "up", "down", "left", "right"} | {f"f{n}" for n in range(1, 25)}
)
# As textual.keys.KEY_NAME_REPLACEMENTS: "/" is "slash", not Unicode's "solidus".
_FRIENDLIER = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
               "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def keymap_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where this installation's keymap is: $AGENTDESK_KEYMAP, else the user config dir."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("agentdesk", appauthor=False)) / FILE_NAME


def character_key(character: str) -> str:
    """The key name Textual gives a printable character (``?`` is ``question_mark``)."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _FRIENDLIER.get(name, name)


CHARACTER_NAMES = frozenset(character_key(c) for c in string.punctuation)


def normalize_key(text: str) -> str | None:
    """``text`` as Textual names the key (``Ctrl+S`` → ``ctrl+s``), or None if it names no key."""
    text = text.strip()
    if len(text) == 1:
        return character_key(text) if text.isprintable() else None
    *modifiers, base = text.split("+")
    mods = [m.strip().lower() for m in modifiers]
    if not base.strip() or len(set(mods)) != len(mods) or not MODIFIERS.issuperset(mods):
        return None
    base = base.strip()
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            return None
        base = character_key(base.lower() if mods else base)
    elif base.lower() in NAMED_KEYS or base.lower() in CHARACTER_NAMES:
        base = base.lower()
    else:
        return None
    return "+".join([*sorted(mods), base])


@dataclass(frozen=True)
class BoundKey:
    """One binding as the checks see it: ``id`` None for Textual's own, which stay put."""

    id: str | None
    keys: tuple[str, ...]
    label: str  # how a message names it: the id, or the description of Textual's own


@dataclass(frozen=True)
class Scope:
    """Bindings active together (a screen's with the app's), and the place, named for people."""

    place: str
    bindings: tuple[BoundKey, ...]


@dataclass(frozen=True)
class Entry:
    keys: tuple[str, ...]  # normalized
    line: int | None


@dataclass(frozen=True, order=True)
class Problem:
    """What is wrong with a keymap, in the user's language, naming the file and the line."""

    line: int  # 0: the file as a whole
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Keymap:
    """What a file asks for. ``keys`` is what to apply: empty when there is any problem."""

    path: Path
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    found: bool = False

    def textual_keymap(self) -> dict[str, str]:
        """The mapping ``App.set_keymap`` takes: id → comma-separated keys."""
        return {binding_id: ",".join(keys) for binding_id, keys in self.keys.items()}


def read_keymap(path: Path, scopes: Iterable[Scope]) -> Keymap:
    """Read and check the file at ``path``; a missing file is an empty keymap, no problem."""
    result = Keymap(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return result
    except OSError as exc:
        result.found = True
        result.problems.append(_problem(path, None, t("keymap.unreadable", detail=exc.strerror or str(exc))))
        return result
    result.found = True
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        result.problems.append(_problem(path, None, t("keymap.not_utf8")))
        return result
    entries, problems = parse_keymap(text, path)
    problems += check_keymap(entries, list(scopes), path)
    if problems:
        result.problems = sorted(problems)
    else:
        result.keys = {binding_id: entry.keys for binding_id, entry in entries.items()}
    return result


_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


def parse_keymap(text: str, path: Path) -> tuple[dict[str, Entry], list[Problem]]:
    """The file's entries by binding id, and the problems of its form (not of its ids)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        at = _TOML_AT.search(detail)
        line = int(at.group(1)) if at else None
        return {}, [_problem(path, line, t("keymap.syntax", detail=_TOML_AT.sub("", detail)))]
    lines = _key_lines(text)
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for name, value in document.items():
        if name != SECTION or not isinstance(value, dict):
            problems.append(_problem(path, _line_of(lines, (name,)), t("keymap.unknown_section", name=name)))
            continue
        for parts, raw in _leaves(value, (SECTION,)):
            binding_id = ".".join(parts[1:])
            line = _line_of(lines, parts)
            keys = _keys_of(raw)
            if keys is None:
                problems.append(_problem(path, line, t("keymap.not_text", id=binding_id)))
                continue
            normalized = [normalize_key(key) for key in keys]
            bad = [key for key, norm in zip(keys, normalized, strict=True) if norm is None]
            if bad or not keys:
                problems.append(_problem(path, line, t("keymap.not_a_key", key=bad[0] if bad else "")))
                continue
            entries[binding_id] = Entry(tuple(dict.fromkeys(k for k in normalized if k)), line)
    return entries, problems


def check_keymap(entries: Mapping[str, Entry], scopes: list[Scope], path: Path) -> list[Problem]:
    """Unknown ids, and keys the remapping would bind twice where bindings are active together."""
    known = {b.id for scope in scopes for b in scope.bindings if b.id}
    problems = [_problem(path, entry.line, t("keymap.unknown_id", id=binding_id))
                for binding_id, entry in entries.items() if binding_id not in known]
    reported: set[tuple[str, frozenset[str]]] = set()
    for scope in scopes:
        on_key: dict[str, dict[str, BoundKey]] = {}
        for binding in scope.bindings:
            entry = entries.get(binding.id) if binding.id else None
            for key in entry.keys if entry else binding.keys:
                on_key.setdefault(key, {})[binding.label] = binding
        for key, bound in on_key.items():
            remapped = [entries[b.id] for b in bound.values() if b.id is not None and b.id in entries]
            labels = frozenset(bound)
            # Two defaults on one key are the code's own choice (a field's key over the screen's).
            if len(bound) < 2 or not remapped or (key, labels) in reported:
                continue
            reported.add((key, labels))
            line = max((e.line for e in remapped if e.line is not None), default=None)
            problems.append(_problem(path, line, t("keymap.twice", key=key, place=scope.place,
                                                   bindings=" / ".join(sorted(labels)))))
    return problems


def _problem(path: Path, line: int | None, text: str) -> Problem:
    # Ids and keys are the file's own text: an escape sequence in them must not reach the terminal.
    if line is None:
        return Problem(0, clean_text(t("keymap.in_file", file=str(path), problem=text)))
    return Problem(line, clean_text(t("keymap.at_line", file=str(path), line=line, problem=text)))


def _leaves(table: dict[str, object], prefix: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], object]]:
    for name, value in table.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*prefix, name))
        else:
            yield (*prefix, name), value


def _keys_of(raw: object) -> list[str] | None:
    """A value's keys: a string (commas separate several, as in Textual) or a list of strings."""
    if isinstance(raw, str):
        return [raw] if len(raw.strip()) == 1 else [k for k in raw.split(",")]
    if isinstance(raw, list) and all(isinstance(k, str) for k in raw):
        return list(raw)
    return None


# -- where a key is written: tomllib gives values, not lines ----------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each ``key = …`` and ``[table]`` by its full dotted path; first wins."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            parsed = _split_key(stripped.lstrip("["))
            if parsed and parsed[1].lstrip().startswith("]"):
                table = tuple(parsed[0])
                lines.setdefault(table, number)
            continue
        parsed = _split_key(stripped)
        if parsed and parsed[1].lstrip().startswith("="):
            lines.setdefault((*table, *parsed[0]), number)
    return lines


def _line_of(lines: Mapping[tuple[str, ...], int], parts: tuple[str, ...]) -> int | None:
    # An inline table ({…}) holds its keys on the line of its name: the longest known prefix.
    for end in range(len(parts), 0, -1):
        if parts[:end] in lines:
            return lines[parts[:end]]
    # A table written only through its keys' dotted names (desk.new_call = …): its first key.
    return min((line for path, line in lines.items() if path[:len(parts)] == parts), default=None)


def _split_key(text: str) -> tuple[list[str], str] | None:
    """A TOML key (bare, quoted, dotted) at the start of ``text``: its parts and what follows."""
    parts: list[str] = []
    rest = text
    while True:
        rest = rest.lstrip()
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            end = _closing_quote(rest, quote)
            if end < 0:
                return None
            try:
                part = tomllib.loads(f"k = {rest[:end + 1]}")["k"]
            except tomllib.TOMLDecodeError:
                return None
            parts.append(part)
            rest = rest[end + 1:]
        else:
            match = _BARE.match(rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end():]
        after = rest.lstrip()
        if not after.startswith("."):
            return parts, rest
        rest = after[1:]


def _closing_quote(text: str, quote: str) -> int:
    index = 1
    while index < len(text):
        if text[index] == "\\" and quote == '"':
            index += 2
            continue
        if text[index] == quote:
            return index
        index += 1
    return -1
