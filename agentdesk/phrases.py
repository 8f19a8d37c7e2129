"""Forbidden phrases (服务忌语) and polite forms (文明用语), checked live as the agent types.

The operators' standards (seed 002, 语言规范) list what an agent must never say or write
to a customer (不知道, 不关我事, 我不负责这些事 …) and the polite forms to use instead. The
desk checks every note and message on each keystroke and suggests an alternative, so the
check must be cheap: all phrases are compiled into one regular expression, once.

The list is data (``data/phrases.toml``) because centres add their own. Matching rules:

* longest phrase wins where several start at the same place ("我不负责这些事" rather
  than a shorter phrase inside it), and hits never overlap;
* zero-width and other invisible characters inside a phrase do not hide it ("不\\u200b知道"),
  nor does whitespace between Chinese characters; offsets always point into the original
  text, so the screen can underline exactly what was typed;
* English phrases match whole words, case-insensitively, with straight or curly apostrophes;
* ``[[allowed]]`` entries are longer polite phrases that merely contain a forbidden one
  ("不知道您现在方便吗"); the scan consumes them without reporting anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from agentdesk.datafile import DataFileError, read_toml
from agentdesk.paths import data_dir

__all__ = [
    "ForbiddenPhrase",
    "PhraseBook",
    "PhraseHit",
    "PhrasesError",
    "check",
    "forbidden_phrases",
    "load_phrases",
    "polite_forms",
    "suggestion",
]

# The same invisible characters agentdesk.normalize strips from stored text: zero-width
# spaces and joiners, BOM, soft hyphen, Mongolian vowel separator, bidi controls.
_INVISIBLE_CHARS = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c"
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
)
_INVISIBLE = f"[{_INVISIBLE_CHARS}]"
# Between two Chinese characters: invisible characters or spaces (PDF-extracted or
# deliberately spaced text: "不 关我事").
_ZH_GAP = rf"[\s{_INVISIBLE_CHARS}]*"
# Between two English words: at least one space, invisible characters allowed too.
_EN_SPACE = rf"[{_INVISIBLE_CHARS}]*\s[\s{_INVISIBLE_CHARS}]*"
_APOSTROPHES = "'\u2019\u2018`\u02bc"
_LANGS = ("zh", "en")


class PhrasesError(DataFileError):
    """The phrase list is malformed; names the file and the entry, to fix it from the message."""


@dataclass(frozen=True)
class ForbiddenPhrase:
    """One phrase never to be said to a customer, and what to say instead."""

    phrase: str
    lang: str  # "zh" or "en": how it is matched
    gloss: str  # what it means, in English, for English-speaking leads and trainers
    suggestion_zh: str
    suggestion_en: str
    source: str = ""  # where the rule comes from ("seed 002", "common")


@dataclass(frozen=True)
class PhraseHit:
    """A forbidden phrase found in a text: ``text[start:end]`` is what was typed.

    ``phrase`` is the canonical phrase from the list (what the matched text means once
    invisible characters, spacing and case are set aside).
    """

    start: int
    end: int
    phrase: str
    suggestion_zh: str
    suggestion_en: str
    gloss: str = ""


def _family(lang: str) -> str:
    return "zh" if lang.lower().replace("-", "_").startswith("zh") else "en"


def _zh_pattern(phrase: str) -> str:
    return _ZH_GAP.join(re.escape(ch) for ch in phrase)


def _en_word(word: str) -> str:
    parts = []
    for ch in word:
        parts.append(f"[{re.escape(_APOSTROPHES)}]" if ch in _APOSTROPHES else re.escape(ch))
    return f"{_INVISIBLE}*".join(parts)


def _en_pattern(phrase: str) -> str:
    body = _EN_SPACE.join(_en_word(w) for w in phrase.split())
    # Whole words only ("hold on" is not inside "threshold one"); ASCII look-arounds
    # because Chinese characters count as word characters for \b.
    return rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"


def _pattern(phrase: str, lang: str) -> str:
    return _zh_pattern(phrase) if lang == "zh" else _en_pattern(phrase)


@dataclass(frozen=True)
class PhraseBook:
    """The forbidden and allowed phrases of one file, compiled into one scanner."""

    path: Path
    forbidden: tuple[ForbiddenPhrase, ...]
    allowed: tuple[tuple[str, str], ...]  # (phrase, lang)
    polite: dict[str, tuple[str, ...]]
    # Compiled once, when the book is built; a frozen book never needs recompiling.
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _by_group: dict[str, ForbiddenPhrase | None] = field(init=False, repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path) -> PhraseBook:
        file = str(path)
        raw = read_toml(path, PhrasesError)

        def text(entry: Mapping[str, object], key: str, where: str) -> str:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise PhrasesError(file, f"{where}.{key}", "missing or empty text")
            return value.strip()

        def lang_of(entry: Mapping[str, object], where: str) -> str:
            lang = entry.get("lang", "zh")
            if not isinstance(lang, str) or lang not in _LANGS:
                raise PhrasesError(file, f"{where}.lang", f"must be one of {', '.join(_LANGS)}, got {lang!r}")
            return lang

        forbidden: list[ForbiddenPhrase] = []
        seen: set[tuple[str, str]] = set()
        for i, entry in enumerate(raw.get("forbidden", [])):
            where = f"forbidden[{i}]"
            lang = lang_of(entry, where)
            phrase = text(entry, "phrase", where)
            key = (phrase.casefold(), lang)
            if key in seen:
                raise PhrasesError(file, f"{where}.phrase", f"duplicate phrase {phrase!r}")
            seen.add(key)
            forbidden.append(
                ForbiddenPhrase(
                    phrase=phrase,
                    lang=lang,
                    gloss=text(entry, "gloss", where),
                    suggestion_zh=text(entry, "suggestion_zh", where),
                    suggestion_en=text(entry, "suggestion_en", where),
                    source=str(entry.get("source", "")),
                )
            )
        allowed = tuple(
            (text(entry, "phrase", f"allowed[{i}]"), lang_of(entry, f"allowed[{i}]"))
            for i, entry in enumerate(raw.get("allowed", []))
        )
        polite_raw = raw.get("polite", {})
        polite: dict[str, tuple[str, ...]] = {}
        for lang in _LANGS:
            forms = polite_raw.get(lang, [])
            if not isinstance(forms, list) or not all(isinstance(f, str) and f for f in forms):
                raise PhrasesError(file, f"polite.{lang}", "must be a list of texts")
            polite[lang] = tuple(forms)
        return cls(path, tuple(forbidden), allowed, polite)

    def __post_init__(self) -> None:
        regex, by_group = _compile(self.forbidden, self.allowed)
        object.__setattr__(self, "_regex", regex)
        object.__setattr__(self, "_by_group", by_group)

    def check(self, text: str) -> list[PhraseHit]:
        """Every forbidden phrase in ``text``, by position, non-overlapping, longest first."""
        by_group = self._by_group
        hits: list[PhraseHit] = []
        for m in self._regex.finditer(text):
            entry = by_group[m.lastgroup] if m.lastgroup is not None else None
            if entry is None:  # an allowed phrase: consumed, not reported
                continue
            hits.append(
                PhraseHit(m.start(), m.end(), entry.phrase, entry.suggestion_zh, entry.suggestion_en, entry.gloss)
            )
        return hits


def _compile(
    forbidden: tuple[ForbiddenPhrase, ...], allowed: tuple[tuple[str, str], ...]
) -> tuple[re.Pattern[str], dict[str, ForbiddenPhrase | None]]:
    """One regex for all phrases; each alternative is a named group mapped to its entry."""
    entries: list[tuple[str, str, ForbiddenPhrase | None]] = [(f.phrase, f.lang, f) for f in forbidden]
    entries += [(phrase, lang, None) for phrase, lang in allowed]
    # Python's alternation takes the first alternative that matches at a position, so
    # longer phrases go first: at any start, the longest phrase wins.
    entries.sort(key=lambda e: len(e[0]), reverse=True)
    by_group: dict[str, ForbiddenPhrase | None] = {}
    parts = []
    for i, (phrase, lang, entry) in enumerate(entries):
        name = f"p{i}"
        by_group[name] = entry
        parts.append(f"(?P<{name}>{_pattern(phrase, lang)})")
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE), by_group


@cache
def load_phrases() -> PhraseBook:
    """The shipped phrase list (``data/phrases.toml``), read and compiled once."""
    return PhraseBook.from_file(data_dir() / "phrases.toml")


def forbidden_phrases() -> tuple[ForbiddenPhrase, ...]:
    return load_phrases().forbidden


def check(text: str) -> list[PhraseHit]:
    """Forbidden phrases in ``text``, sorted by start and non-overlapping.

    Cheap enough for every keystroke: one compiled regex, one pass over the text.
    """
    return load_phrases().check(text)


def suggestion(hit: PhraseHit, lang: str) -> str:
    """What to say instead of ``hit``, in the desk's language (``zh_CN``/``zh`` or ``en``)."""
    return hit.suggestion_zh if _family(lang) == "zh" else hit.suggestion_en


def polite_forms(lang: str) -> tuple[str, ...]:
    """The polite forms the standards ask for (请, 您好, 稍候 …), in ``lang``."""
    return load_phrases().polite[_family(lang)]
