"""The agent's own PIN, changed at the desk: the current one first, the new one twice.

No draft is kept: a PIN is never written anywhere but as its hash.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t


class ChangePinScreen(FormScreen[bool | None]):
    AUTO_FOCUS = "#old"

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("pin_ui.title", number=self.number)), classes="dialog-title")
            for field, label in (("old", "agent.old_pin_prompt"), ("new", "agent.new_pin_prompt"),
                                 ("again", "agent.new_pin_again")):
                yield Static(Content(t(label)), classes="field-label")
                yield Input(id=field, password=True, max_length=12)
                yield Static("", id=f"{field}-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def action_save(self) -> None:
        self.clear_errors()
        old, new, again = (self.query_one(f"#{f}", Input).value.strip() for f in ("old", "new", "again"))
        if not old:
            self.field_error("old", t("field.required"))
        elif not new:
            self.field_error("new", t("field.required"))
        elif new != again:
            self.field_error("again", t("agent.pin_mismatch"))
        else:
            self.change(old, new)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def change(self, old: str, new: str) -> FormScreen.Saved:
        self.desk.change_pin(self.number, new_pin=new, old_pin=old)
        return self.Saved(True)

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.errors import InvalidInput, LoginFailed

        if isinstance(error, LoginFailed):
            self.query_one("#old", Input).value = ""
            self.field_error("old", error.message())
        elif isinstance(error, InvalidInput) and error.field == "pin":
            self.field_error("new", error.message())
        else:
            super().worker_failed(group, error)

    def on_saved(self, result: object) -> None:
        self.app.notify(t("agent.pin_changed", number=self.number), markup=False)
        self.dismiss(True)
