"""After a crash: the calls this agent left open, offered back with what was typed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from agentdesk.i18n import t
from agentdesk.ui.base import DialogBase
from agentdesk.ui.text import fmt_time, plain


class ResumeCallScreen(DialogBase[int | None]):
    """Dismisses with the call id to resume, or None to leave it for later (and the handover)."""

    BINDINGS = [
        Binding("enter", "resume", "binding.resume_call", id="resume.go", priority=True),
        Binding("escape", "later", "binding.later", id="resume.later"),
    ]

    def __init__(self, calls: list) -> None:
        super().__init__()
        self.calls = calls

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("draft.resume_title", count=len(self.calls))), classes="dialog-title")
            for call in self.calls:
                forms = "、".join(t("draft.form_" + f) for f in call.drafts) or t("draft.no_drafts")
                yield Static(Content(t("draft.resume_line", id=call.call_id, at=fmt_time(call.started_at),
                                       caller=plain(call.caller_name or "—"), drafts=forms)))
            yield Static(Content(t("draft.resume_hint")), classes="step-hint")
        yield Footer()

    def action_resume(self) -> None:
        self.dismiss(self.calls[-1].call_id)

    def action_later(self) -> None:
        self.dismiss(None)
