"""Praise or suggestion: record it, read it back, archive it, mark it for forwarding."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.dialogs.request_form import RequestForm, RequestOutcome
from agentdesk.i18n import t
from agentdesk.ui.text import excerpt
from agentdesk.widgets.phrase_area import PhraseArea


class PraiseScreen(RequestForm):
    draft_form = "praise"
    draft_fields = ("kind", "content", "forward")
    AUTO_FOCUS = "#content TextArea"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("praise.title")), classes="dialog-title")
            yield Select([(Content(t("praise.praise")), "praise"), (Content(t("praise.suggestion")), "suggestion")],
                         value="praise", id="kind", allow_blank=False)
            yield Static(Content(t("praise.content")), classes="field-label")
            yield PhraseArea(id="content", placeholder=t("praise.content_placeholder"))
            yield Static("", id="content-error", classes="field-error", markup=False)
            yield Checkbox(t("praise.forward"), value=True, id="forward")
            yield Static("", id="readback", classes="deadline-preview", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    @on(PhraseArea.Checked)
    def _readback(self) -> None:
        text = excerpt(self.query_one("#content", PhraseArea).text)
        line = self.scripts.text("praise.readback", content=text) if text else ""
        self.query_one("#readback", Static).update(Content(line))

    def action_save(self) -> None:
        self.clear_errors()
        kind = self.query_one("#kind", Select).value
        self.save(kind if isinstance(kind, str) else "praise", self.query_one("#content", PhraseArea).text,
                  self.query_one("#forward", Checkbox).value)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save(self, kind: str, content: str, forward: bool) -> FormScreen.Saved:
        self.desk.record_praise(self.call_id, kind=kind, content=content, forward=forward)
        return self.Saved(kind)

    def on_saved(self, result: object) -> None:
        self.dismiss(RequestOutcome(self.scripts.text("praise.archived"), owed=False))
