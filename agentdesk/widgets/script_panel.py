"""The script panel: the lines the agent reads aloud, newest last."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agentdesk.ui.text import safe


class ScriptPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    ScriptPanel {
        height: auto;
        max-height: 9;
        border: round $accent;
        padding: 0 1;
    }
    ScriptPanel > .script-line {
        color: $text-muted;
    }
    ScriptPanel > .script-line.-current {
        color: $foreground;
        text-style: bold;
    }
    """

    def say(self, *lines: str) -> None:
        """Show the next script lines; the latest ones are the ones to read now."""
        for old in self.query(".script-line.-current"):
            old.remove_class("-current")
        for line in lines:
            # Script text carries customer names and notes: Content, never markup.
            self.mount(Static(Content("▶ ") + safe(line), classes="script-line -current"))
        self.call_after_refresh(self.scroll_end, animate=False)

    def clear(self) -> None:
        self.remove_children()
