"""The desk's top line: who is on the seat, which standard applies, how long the shift is."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from agentdesk.i18n import t


def format_elapsed(seconds: int) -> str:
    seconds = max(0, seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class StatusBar(Horizontal):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusBar > Static {
        width: auto;
        padding: 0 2 0 1;
    }
    StatusBar > #status-shift {
        dock: right;
    }
    StatusBar > #status-link.-offline {
        background: $error;
        color: $text;
    }
    """

    elapsed: reactive[int] = reactive(0)

    def __init__(self, agent_label: str, policy: str, shift_start: datetime) -> None:
        super().__init__()
        self._agent_label = agent_label
        self._policy = policy
        self._shift_start = shift_start

    def compose(self) -> ComposeResult:
        # Agent names are user data: built as Content, never parsed as markup.
        yield Static(Content(f"{t('desk.agent')} ") + Content(self._agent_label), id="status-agent")
        yield Static(Content(t("desk.policy") + t("ui.colon")) + Content(self._policy), id="status-policy")
        yield Static(id="status-link")
        yield Static(id="status-shift")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1, self.tick)

    def tick(self) -> None:
        from agentdesk import clock

        self.elapsed = int((clock.now() - self._shift_start).total_seconds())
        link = getattr(self.app, "link_text", None)
        state = (link, getattr(self.app, "link_offline", False))
        if state != getattr(self, "_link", None):
            self._link = state
            widget = self.query_one("#status-link", Static)
            widget.update(Content(link or ""))
            widget.display = bool(link)
            widget.set_class(bool(getattr(self.app, "link_offline", False)), "-offline")

    def watch_elapsed(self, value: int) -> None:
        self.query_one("#status-shift", Static).update(Content(f"{t('desk.shift')} {format_elapsed(value)}"))
