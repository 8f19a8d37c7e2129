"""Move a work order along its life cycle (or reopen it), with a reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t
from agentdesk.vocab import NEXT_ORDER_STATUSES, is_reopening


class StatusChangeScreen(FormScreen[tuple[str, str] | None]):
    AUTO_FOCUS = "#new-status"

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        choices = NEXT_ORDER_STATUSES.get(self.current, ())
        with Vertical(classes="dialog"):
            yield Static(Content(t("orders.change_status", status=t("status." + self.current))),
                         classes="dialog-title")
            yield Select([(Content(t("orders.to_" + s if is_reopening(self.current, s) else "status." + s)), s)
                          for s in choices], id="new-status", allow_blank=False,
                         value=choices[0] if choices else Select.NULL)
            yield Static(Content(t("prompt.reason")), classes="field-label")
            yield Input(id="reason")
            yield Static("", id="reason-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def action_save(self) -> None:
        status = self.query_one("#new-status", Select).value
        reason = self.query_one("#reason", Input).value.strip()
        if not isinstance(status, str):
            return
        reopening = is_reopening(self.current, status)
        if reopening and not reason:
            self.field_error("reason", t("field.required"))
            return
        self.dismiss((status, reason))
