"""Export handover notes from the desk: Markdown, CSV, JSON or Excel, phones masked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import get_language, t
from agentdesk.services.accounts import LoginResult

FORMATS = ("md", "csv", "json", "xlsx")
SCOPES = ("mine_latest", "today")


class HandoverExportScreen(FormScreen[Path | None]):
    AUTO_FOCUS = "#format"

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login

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
    def write_export(self, scope: str, fmt: str, path: Path, overwrite: bool) -> Path:
        from agentdesk import clock
        from agentdesk.services import handover
        from agentdesk.services.errors import InvalidInput
        from agentdesk.services.handover_export import export
        from agentdesk.services.private_file import write_private

        path = path.resolve()
        if path.exists() and not overwrite:
            raise InvalidInput("handover_ui.export_exists", field="path", path=str(path))
        with self._db().write() as session:
            if scope == "today":
                notes = handover.find_notes(session, date=date.fromordinal(clock.now().toordinal()))
            else:
                notes = handover.find_notes(session, agent_number=self.login.agent.number, shift="latest")
            if not notes:
                raise InvalidInput("handover_ui.export_none", field="form")
            data = export(notes, fmt, lang=get_language())  # type: ignore[arg-type]
            # Audited with the notes read, before the file exists: as the CLI does.
            handover.record_export(session, notes, fmt=fmt, actor=self.login.agent, destination=str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private(path, data, overwrite=overwrite)
        except FileExistsError:
            raise InvalidInput("handover_ui.export_exists", field="path", path=str(path)) from None
        except OSError as exc:
            raise InvalidInput("handover.cli.write_failed", field="path", path=str(path),
                               error=exc.strerror or str(exc)) from None
        return path

    def on_saved(self, result: object) -> None:
        self.app.notify(t("handover_ui.exported", path=str(result)), markup=False)
        self.dismiss(result)  # type: ignore[arg-type]
