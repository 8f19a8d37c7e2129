"""Export handover notes from the desk: Markdown, CSV, JSON or Excel, phones masked."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t

FORMATS = ("md", "csv", "json", "xlsx")
SCOPES = ("mine_latest", "today")


class HandoverExportScreen(FormScreen[Path | None]):
    AUTO_FOCUS = "#format"

    def compose(self) -> ComposeResult:
        from agentdesk import clock

        default = Path.home() / f"agentdesk-handover-{clock.now():%Y%m%d}.md"
        with Vertical(classes="dialog"):
            yield Static(Content(t("handover_ui.export_title")), classes="dialog-title")
            yield Static(Content(t("handover_ui.export_scope")), classes="field-label")
            yield Select([(Content(t("handover_ui.scope_" + s)), s) for s in SCOPES], value="mine_latest", id="scope",
                         allow_blank=False)
            yield Static(Content(t("handover_ui.export_format")), classes="field-label")
            yield Select([(Content(f), f) for f in FORMATS], value="md", id="format", allow_blank=False)
            yield Static(Content(t("handover_ui.export_path")), classes="field-label")
            yield Input(str(default), id="path")
            yield Static("", id="path-error", classes="field-error", markup=False)
            yield Checkbox(t("handover_ui.export_overwrite"), id="overwrite")
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "format" and isinstance(event.value, str):
            path = self.query_one("#path", Input)
            path.value = str(Path(path.value).with_suffix("." + event.value))

    def action_save(self) -> None:
        self.clear_errors()
        scope = self.query_one("#scope", Select).value
        fmt = self.query_one("#format", Select).value
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.field_error("path", t("field.required"))
            return
        self.write_export(str(scope), str(fmt), Path(raw).expanduser(), self.query_one("#overwrite", Checkbox).value)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def write_export(self, scope: str, fmt: str, path: Path, overwrite: bool) -> FormScreen.Saved:
        return self.Saved(self.desk.export_handovers(scope=scope, fmt=fmt, path=path, overwrite=overwrite))

    def on_saved(self, result: object) -> None:
        self.app.notify(t("handover_ui.exported", path=str(result)), markup=False)
        self.dismiss(result if isinstance(result, Path) else None)
