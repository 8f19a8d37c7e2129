"""A short modal asking for a reason or a note (urging, escalation, pause, delay decisions)."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t


class ReasonPromptScreen(FormScreen[str | None]):
    AUTO_FOCUS = "#reason"

    def __init__(self, title: str, *, required: bool = True, label: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.required = required
        self.label = label or t("prompt.reason")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.label), classes="field-label")
            yield Input(id="reason")
            yield Static("", id="reason-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def action_save(self) -> None:
        value = self.query_one("#reason", Input).value.strip()
        if self.required and not value:
            self.field_error("reason", t("field.required"))
            return
        self.dismiss(value)


class DelayRequestScreen(FormScreen[tuple[str, datetime] | None]):
    """延时申请: a reason and the proposed new deadline."""

    AUTO_FOCUS = "#reason"

    def __init__(self, current: datetime | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        suggestion = self.current.strftime("%Y-%m-%d %H:%M") if self.current else ""
        with Vertical(classes="dialog"):
            yield Static(Content(t("delay.title")), classes="dialog-title")
            yield Static(Content(t("delay.current", deadline=suggestion or "—")), classes="step-hint")
            yield Static(Content(t("prompt.reason")), classes="field-label")
            yield Input(id="reason")
            yield Static("", id="reason-error", classes="field-error", markup=False)
            yield Static(Content(t("delay.proposed")), classes="field-label")
            yield Input(suggestion, id="deadline", placeholder="2026-11-25 18:00")
            yield Static("", id="deadline-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def action_save(self) -> None:
        self.clear_errors()
        reason = self.query_one("#reason", Input).value.strip()
        raw = self.query_one("#deadline", Input).value.strip()
        try:
            deadline = datetime.fromisoformat(raw.replace("T", " "))
        except ValueError:
            self.field_error("deadline", t("delay.bad_time"), keep=not reason)
            if not reason:
                self.field_error("reason", t("field.required"), keep=True)
            return
        if not reason:
            self.field_error("reason", t("field.required"))
            return
        self.dismiss((reason, deadline.replace(second=0, microsecond=0, tzinfo=None)))
