"""User text on screen: never markup, never a terminal escape sequence.

Services clean what agents type before storing it, but imported or legacy rows may still
carry ESC/OSC sequences or control characters; they are stripped again at display time.
"""

from __future__ import annotations

from textual.content import Content

from agentdesk.normalize import clean_text


def safe(value: object) -> Content:
    return Content(clean_text(str(value)))


def plain(value: object) -> str:
    return clean_text(str(value))
