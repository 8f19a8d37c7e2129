"""What every modal form shares: save/cancel keys, field errors, drafts, the saved result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on, work
from textual.actions import SkipAction
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from agentdesk.i18n import t
from agentdesk.ui.base import DialogBase
from agentdesk.ui.drafts import DraftKeeper
from agentdesk.widgets.phrase_area import PhraseArea

if TYPE_CHECKING:
    from agentdesk.services.calls import DepartmentInfo

R = TypeVar("R")


class FormScreen(DraftKeeper, DialogBase[R]):
    """A modal form. A save runs in a worker of group ``save`` that replies :class:`Saved`.

    A form that names ``draft_form`` and ``draft_fields`` keeps a draft as the agent types
    and gets it back when reopened for the same call (after a crash, for instance).
    """

    # Both are priority bindings, run as the App takes the key, so they keep their place among
    # keys typed in one burst: Enter moves on before the next keys are handed out (they land in
    # the next field), and Ctrl+S saves only once the field has taken the keys before it.
    BINDINGS = [
        Binding("ctrl+s", "save_after_typing", "binding.save", id="form.save", priority=True),
        Binding("escape", "cancel", "binding.cancel", id="form.cancel"),
        Binding("enter", "next_field", "binding.next_field", id="form.next", priority=True, show=False),
    ]
    #: One-line fields whose Enter means something of their own (a search), not "next field".
    SUBMIT_FIELDS: tuple[str, ...] = ()

    @dataclass
    class DepartmentsLoaded(Message):
        departments: list[DepartmentInfo]

    @dataclass
    class Saved(Message):
        """The save went through: its result, for :meth:`on_saved`."""

        result: Any

    def on_mount(self) -> None:
        if self.draft_form:
            self.load_draft()

    @work(thread=True, exclusive=True, group="departments", exit_on_error=False)
    def load_departments(self) -> DepartmentsLoaded:
        return self.DepartmentsLoaded(self.desk.departments())

    def show_departments(self, departments: list[DepartmentInfo], default_code: str | None) -> None:
        """The ``#department`` choice, set to the department with ``default_code`` when there is one."""
        select = self.query_one("#department", Select)
        select.set_options([(Content(d.name), d.id) for d in departments])
        default = next((d.id for d in departments if d.code == default_code), None)
        if default is not None:
            select.value = default

    def draft_key(self) -> str | None:
        call_id = getattr(self, "call_id", None)  # forms on a call keep drafts for that call
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
        if key:
            self.discard_drafts(key, (self.draft_form,))

    def action_save_after_typing(self) -> None:
        focused = self.focused
        if focused is None:
            self.action_save()
        else:
            focused.call_later(self.action_save)  # after the keys already queued at that field

    def action_save(self) -> None:
        """The form's save (each form has its own)."""

    def action_next_field(self) -> None:
        focused = self.focused
        if not isinstance(focused, Input) or focused.id in self.SUBMIT_FIELDS:
            raise SkipAction()  # Enter is the widget's own: a new line, a choice, a search
        self.focus_next()

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
        for widget in self.query(".field-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter in a one-line field moves on, as on the login screen; Ctrl+S saves.
        event.stop()
        self.focus_next()

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self._discard_draft()
        self.on_saved(event.result)

    def on_saved(self, result: Any) -> None:
        self.dismiss(result)

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        """Errors under the field they are about; the rest at the foot of the form."""
        from agentdesk.services.errors import InvalidFields, InvalidInput, ServiceError, Unauthenticated

        if isinstance(error, Unauthenticated):
            super().worker_failed(group, error)
        elif isinstance(error, InvalidFields):
            self.clear_errors()
            for field, problem in error.errors.items():
                self.field_error(field, problem.message(), keep=True)
        elif isinstance(error, InvalidInput) and error.field:
            self.field_error(error.field, error.message())
        elif isinstance(error, ServiceError):
            self.field_error("form", error.message())
        else:
            self.field_error("form", t("error.unexpected", error=f"{type(error).__name__}: {error}"))


def _visible(widget: Widget) -> bool:
    """Whether an error line would be seen once shown: no hidden panel around it (the line
    itself stays hidden until it has something to say)."""
    node: DOMNode | None = widget.parent
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display:
            return False
        node = node.parent
    return True
