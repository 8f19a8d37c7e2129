"""What every modal form on a call shares: save/cancel keys, field errors, a worker result."""

from __future__ import annotations

from typing import Any, TypeVar

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.ui.drafts import DraftKeeper
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.widgets.phrase_area import PhraseArea

R = TypeVar("R")


class FormScreen(DraftKeeper, LocalizedBindings, ModalScreen[R]):
    """A modal form. Subclasses run their save in a worker of group ``save``.

    A form that names ``draft_form`` and ``draft_fields`` keeps a draft as the agent types
    and gets it back when reopened for the same call (after a crash, for instance).
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "binding.save", id="form.save", priority=True),
        Binding("escape", "cancel", "binding.cancel", id="form.cancel"),
    ]

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        if self.draft_form:
            self.load_draft()

    def draft_agent_id(self) -> int:
        return self.agent.id  # type: ignore[attr-defined]

    def draft_key(self) -> str | None:
        call_id = getattr(self, "call_id", None)
        return str(call_id) if self.draft_form and call_id is not None else None

    @on(Input.Changed)
    @on(PhraseArea.Checked)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _edited(self) -> None:
        if self.draft_form:
            self.draft_changed()

    def _discard_draft(self) -> None:
        key = self.draft_key()
        if not key:
            return
        from functools import partial

        from agentdesk.services.drafts import delete_drafts

        def discard(agent_id: int, form: str, draft_key: str) -> None:
            with self.app.database().write() as session:  # type: ignore[attr-defined]
                delete_drafts(session, agent_id, key=draft_key, forms=(form,))

        if self._draft_timer is not None:
            self._draft_timer.stop()
        # On the app, not this screen: the screen is about to go away.
        self.app.run_worker(partial(discard, self.draft_agent_id(), self.draft_form, key), thread=True,
                            group="draft-discard", exit_on_error=False)

    def action_cancel(self) -> None:
        self._discard_draft()
        self.dismiss(None)

    def field_error(self, field: str, text: str, *, keep: bool = False) -> None:
        if not keep:
            self.clear_errors()
        target = self.query(f"#{field}-error")
        widget = target.first(Static) if target else None
        if widget is None or not _visible(widget):  # a hidden panel's error line would say nothing
            widget = self.query_one("#form-error", Static)
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
                self._discard_draft()
                self.on_saved(worker.result)
            elif worker.group == "draft-load":
                if worker.result is not None:
                    self.restore_values(worker.result.values)  # type: ignore[union-attr]
                    self.notify(t("draft.restored"), markup=False)
            elif worker.group != "draft":
                self.on_loaded(worker.group, worker.result)


def _visible(widget: Widget) -> bool:
    """Whether an error line would be seen once shown: no hidden panel around it (the line
    itself stays hidden until it has something to say)."""
    node: DOMNode | None = widget.parent
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display:
            return False
        node = node.parent
    return True
