"""Normalizing what agents type and what imports carry: phones, names, free text.

Callers read numbers in every shape (full-width digits from Chinese IMEs, spaces, dashes,
+86 / 0086); names carry 「·」 in several look-alike forms and sometimes invisible
characters pasted from chat tools. Everything is brought to one form before it is stored
or searched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Zero-width and bidirectional-control characters: invisible, and able to reorder text.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
    + [0x200E, 0x200F, 0x061C]
)
# Dots people type for the middle dot in names like 阿卜杜拉·买买提.
_NAME_DOTS = "•・‧∙⋅●．.·ᐧ"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 010 and 02x are the three-digit area codes; every other one has four digits.
LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})(?:#(\d{1,6}))?$")


def strip_invisible(text: str) -> str:
    return text.translate(_INVISIBLE)


def clean_text(text: str) -> str:
    """Free text as stored: escape sequences and control characters out, newlines kept."""
    text = _ANSI.sub("", text)
    text = strip_invisible(text)
    return _CONTROL.sub("", text)


def clean_paste(text: str) -> str:
    """A terminal paste before any field shows it: the terminal's CR line ends as newlines,
    then cleaned like stored text (a copied log or chat can carry ESC/OSC sequences)."""
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize_name(name: str) -> str:
    name = clean_text(unicodedata.normalize("NFC", name)).strip()
    name = re.sub(rf"\s*[{re.escape(_NAME_DOTS)}]\s*", "·", name)
    return re.sub(r"\s+", " ", name)


@dataclass(frozen=True)
class Phone:
    number: str  # digits only, extension after '#': 13800138000, 02112345678#801
    kind: str  # "mobile" or "landline"

    @property
    def display(self) -> str:
        if self.kind == "mobile":
            return self.number
        m = LANDLINE.match(self.number)
        assert m
        area, local, ext = m.groups()
        return f"{area}-{local}" + (f" ext {ext}" if ext else "")


class PhoneError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _digits_form(raw: str) -> str:
    text = unicodedata.normalize("NFKC", strip_invisible(raw)).strip()
    # Extensions: 转801, ext 801, x801, #801
    text = re.sub(r"\s*(?:转|ext\.?|x|#)\s*(\d+)\s*$", r"#\1", text, flags=re.IGNORECASE)
    text = re.sub(r"[\s\-()（）.]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def parse_phone(raw: str) -> Phone:
    """A validated phone, or PhoneError with an i18n key saying what is wrong."""
    text = _digits_form(raw)
    if not text:
        raise PhoneError("phone.empty")
    if not re.fullmatch(r"\d+(#\d+)?", text):
        raise PhoneError("phone.bad_chars")
    if MOBILE.match(text):
        return Phone(text, "mobile")
    if text.startswith("1"):
        raise PhoneError("phone.bad_mobile")
    if LANDLINE.match(text):
        return Phone(text, "landline")
    raise PhoneError("phone.bad_landline")


def dialled_digits(raw: str) -> str:
    """A number as a phone system sends it, in the form the desk stores phones: no spaces,
    dashes or brackets, no +86, an extension after '#'. Not validated (an extension, a
    service number and a foreign number are all numbers a PBX reports)."""
    return _digits_form(raw)


def search_digits(raw: str) -> str:
    """The digits of a partial number typed into a search box."""
    return re.sub(r"\D", "", _digits_form(raw).split("#")[0])


def mask_phone(number: str) -> str:
    """138****8000: enough to confirm with the caller, not enough to misuse."""
    digits = number.split("#")[0]
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 4) + digits[-4:]


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name: 张三 → ("zs", "zhangsan")."""
    han = [c for c in name if not c.isspace() and c != "·"]
    if not han:
        return "", ""
    # Characters pypinyin does not know (rare ones like 𠮷) have no sound to type.
    sounds = lazy_pinyin(han, style=Style.NORMAL, errors="ignore")
    full = [p.lower() for p in sounds if p and p.isascii()]
    return "".join(p[0] for p in full), "".join(full)


def cjk_wrap(text: str) -> str:
    """Chinese has no spaces between words, and the wrapper breaks only at spaces: a space
    before a run of Hanzi would push the whole run to the next line. Such spaces go
    ("1. 请…" → "1.请…", "断电 30 秒" → "断电 30秒"), and long runs fold at the edge."""
    return re.sub(r"(?<=\S)[ \u00a0]+(?=[\u3000-\u9fff\uff00-\uffef])", "", text)
