"""Text on screen: user text never as markup nor a terminal escape sequence; times as the desk shows them.

Services clean what agents type before storing it, but imported or legacy rows may still
carry ESC/OSC sequences or control characters; they are stripped again at display time.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from agentdesk.normalize import clean_text


def safe(value: object) -> Content:
    return Content(clean_text(str(value)))


def plain(value: object) -> str:
    return clean_text(str(value))


#: How much of a field a read-back line quotes: enough to confirm it, never a whole paste.
EXCERPT_CHARS = 160


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """User text quoted on one line: cleaned, line breaks as spaces, cut with … past ``limit``.

    Sliced before cleaning so a megabyte paste costs no more than a sentence; a sequence cut
    in half loses its ESC to the cleaning and shows as harmless text."""
    text = clean_text(str(value)[: limit * 4]).replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_time(value: datetime | None) -> str:
    """A time on a desk screen: month, day and minute (the year is the current one's)."""
    return value.strftime("%m-%d %H:%M") if value else "—"
