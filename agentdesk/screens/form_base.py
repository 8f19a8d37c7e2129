"""What every modal form on a call shares: save/cancel keys, field errors, a worker result."""

from __future__ import annotations

from typing import Any, TypeVar

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.widgets.localized import LocalizedBindings

R = TypeVar("R")


class FormScreen(LocalizedBindings, ModalScreen[R]):
    """A modal form. Subclasses run their save in a worker of group ``save``."""

    BINDINGS = [
        Binding("ctrl+s", "save", "binding.save", id="form.save", priority=True),
        Binding("escape", "cancel", "binding.cancel", id="form.cancel"),
    ]

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def field_error(self, field: str, text: str, *, keep: bool = False) -> None:
        if not keep:
            self.clear_errors()
        target = self.query(f"#{field}-error")
        widget = target.first(Static) if target else self.query_one("#form-error", Static)
        widget.update(Content(text))
        widget.add_class("-shown")

    def clear_errors(self) -> None:
        for widget in self.query(".field-error"):
            widget.update("")  # type: ignore[attr-defined]
            widget.remove_class("-shown")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter in a one-line field moves on, as on the login screen; Ctrl+S saves.
        event.stop()
        self.focus_next()

    def on_saved(self, result: Any) -> None:
        self.dismiss(result)

    def on_loaded(self, group: str, result: Any) -> None:
        """Results of other workers (lists to choose from, previews)."""

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        from agentdesk.services.errors import InvalidFields, InvalidInput, ServiceError

        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            if isinstance(error, InvalidFields):
                self.clear_errors()
                for field, problem in error.errors.items():
                    self.field_error(field, problem.message(), keep=True)
            elif isinstance(error, InvalidInput) and error.field:
                self.field_error(error.field, error.message())
            elif isinstance(error, ServiceError):
                self.field_error("form", error.message())
            else:
                self.field_error("form", t("error.unexpected", error=f"{type(error).__name__}: {error}"))
        elif event.state == WorkerState.SUCCESS:
            if worker.group == "save":
                self.on_saved(worker.result)
            else:
                self.on_loaded(worker.group, worker.result)
