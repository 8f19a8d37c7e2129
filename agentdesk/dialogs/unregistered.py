"""An unregistered caller: name, address and contact number, each checked."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t
from agentdesk.services.calls import CallerInfo


class UnregisteredScreen(FormScreen[CallerInfo | None]):
    draft_form = "caller"
    draft_fields = ("name", "address", "phone")
    AUTO_FOCUS = "#name"

    def __init__(self, call_id: int) -> None:
        super().__init__()
        self.call_id = call_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("unregistered.title")), classes="dialog-title")
            for field in ("name", "address", "phone"):
                yield Static(Content(t("unregistered." + field)), classes="field-label")
                yield Input(id=field, placeholder=t("unregistered." + field + "_placeholder"))
                yield Static("", id=f"{field}-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def action_save(self) -> None:
        self.clear_errors()
        name, address, phone = (self.query_one(f"#{f}", Input).value for f in ("name", "address", "phone"))
        self.save(name, address, phone)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save(self, name: str, address: str, phone: str) -> FormScreen.Saved:
        return self.Saved(self.desk.register_unregistered(self.call_id, name=name, address=address, phone=phone))
