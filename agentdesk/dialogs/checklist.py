"""首问负责: the first-contact checklist that must be complete before an unsolved call ends."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import get_language, t
from agentdesk.services.calls import CHECKLIST_ITEMS
from agentdesk.ui.key_names import KeyNames


class ChecklistScreen(FormScreen[dict[str, bool] | None]):
    AUTO_FOCUS = "#checklist"

    def compose(self) -> ComposeResult:
        from agentdesk.scripts import load_scripts

        book = load_scripts(get_language())
        with Vertical(classes="dialog"):
            yield Static(Content(t("checklist.title")), classes="dialog-title")
            yield Static(Content(book.text("checklist.intro")), classes="step-hint")
            yield SelectionList[str](
                *[Selection(Content(book.text("checklist." + item)), item) for item in CHECKLIST_ITEMS],
                id="checklist",
            )
            yield Static("", id="form-error", classes="field-error", markup=False)
            yield Static(Content(t("checklist.hint", key=KeyNames(self))), classes="step-hint")
        yield Footer()

    def action_save(self) -> None:
        ticked = set(self.query_one("#checklist", SelectionList).selected)
        if ticked != set(CHECKLIST_ITEMS):
            self.field_error("form", t("call.checklist_incomplete"))
            return
        self.dismiss({item: True for item in CHECKLIST_ITEMS})
