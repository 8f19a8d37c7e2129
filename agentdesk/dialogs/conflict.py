"""Someone else saved first: say so, and show the order as it is now instead of overwriting it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from agentdesk.i18n import t
from agentdesk.ui.base import DialogBase


class ConflictScreen(DialogBase[None]):
    BINDINGS = [
        Binding("enter", "dismiss", "binding.reload", id="conflict.reload", priority=True),
        Binding("escape", "dismiss", "binding.reload", id="conflict.close", show=False),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("conflict.title")), classes="dialog-title")
            yield Static(Content(self.message))
            yield Static(Content(t("conflict.hint")), classes="step-hint")
        yield Footer()

    async def action_dismiss(self, result: object = None) -> None:
        self.dismiss(None)
