"""User-visible texts of the policy layer and its CLI, in Chinese and English.

The texts live in the app-wide i18n catalogs (``agentdesk/i18n/<lang>/policy.toml``,
section ``policy_msg``); this module picks the language the way the rest of the product
does — ``AGENTDESK_LANG``, then ``LC_ALL``, then ``LANG`` (``zh…`` is Chinese) — and
formats them.
"""

from __future__ import annotations

import os

ZH = "zh_CN"
EN = "en"

_override: str | None = None


def set_language(lang: str | None) -> None:
    """Force a language (``zh_CN`` / ``en``; anything starting with ``zh`` is Chinese), e.g.
    from the CLI's ``--lang``; ``None`` goes back to the environment."""
    global _override
    _override = None if lang is None else (ZH if lang.lower().startswith("zh") else EN)


def language() -> str:
    """The forced language, else ``zh_CN`` when AGENTDESK_LANG (else LC_ALL, else LANG)
    starts with ``zh``, otherwise ``en`` — the same order as the app's settings."""
    if _override is not None:
        return _override
    env = os.environ
    value = env.get("AGENTDESK_LANG") or env.get("LC_ALL") or env.get("LANG") or ""
    return ZH if value.lower().startswith("zh") else EN


def _text(key: str, lang: str | None, /, **kwargs: object) -> str | None:
    from agentdesk.i18n import t

    full = f"policy_msg.{key}"
    text = t(full, lang=lang or language(), **kwargs)
    return None if text == full else text


def msg(key: str, /, lang: str | None = None, **kwargs: object) -> str:
    """The text for ``key`` in ``lang`` (default: :func:`language`), formatted with ``kwargs``.

    Falls back to English, then to the key itself, so a missing text never crashes the CLI.
    """
    return _text(key, lang, **kwargs) or key


def label(group: str, name: str, lang: str | None = None) -> str:
    """A display label for a name of a group (``clock``, ``kind``, …); the name itself if unknown."""
    return _text(f"{group}.{name}", lang) or name


def type_name(kind: str, lang: str | None = None) -> str:
    """How an expected TOML type is called in an error message."""
    return _text(f"type.{kind}", lang) or kind
