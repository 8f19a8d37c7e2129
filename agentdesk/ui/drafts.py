"""Screens that keep their input as a draft while the agent types (debounced), and restore it.

A screen names its form and key, and lists the widgets whose values make the draft. Every
change restarts a short timer; when it fires, a worker writes the draft through the facade
(as the logged-in agent).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from agentdesk.i18n import t

if TYPE_CHECKING:
    from agentdesk.services.drafts import DraftInfo
    from agentdesk.ui.base import ScreenBase

    # A mixin for ScreenBase screens; at run time a plain class, so a dialog's CSS still
    # comes from ModalScreen (Textual follows a class's first base for it).
    _Screen = ScreenBase
else:
    _Screen = object

DEBOUNCE_SECONDS = 0.8


class DraftKeeper(_Screen):
    draft_form: str = ""
    draft_fields: tuple[str, ...] = ()  # widget ids (Input, TextArea inside a PhraseArea, Select, Checkbox)
    _draft_timer: Timer | None = None
    _draft_restoring: bool = False

    @dataclass
    class DraftLoaded(Message):
        draft: DraftInfo | None

    def draft_key(self) -> str | None:
        return None

    def _field_widget(self, field: str) -> Widget:
        widget = self.query_one(f"#{field}")
        inner = widget.query(TextArea)
        return inner.first() if inner and not isinstance(widget, TextArea) else widget

    def draft_values(self) -> dict:
        values: dict[str, object] = {}
        for field in self.draft_fields:
            widget = self._field_widget(field)
            if isinstance(widget, TextArea):
                values[field] = widget.text
            elif isinstance(widget, (Input, Checkbox)):
                values[field] = widget.value
            elif isinstance(widget, Select):
                values[field] = None if widget.value is Select.NULL else widget.value
        return values

    def restore_values(self, values: dict) -> None:
        self._draft_restoring = True
        try:
            for field, value in values.items():
                if field not in self.draft_fields or value is None:
                    continue
                widget = self._field_widget(field)
                if isinstance(widget, TextArea):
                    widget.text = str(value)
                elif isinstance(widget, Input):
                    widget.value = str(value)
                elif isinstance(widget, Checkbox):
                    widget.value = bool(value)
                elif isinstance(widget, Select):
                    try:
                        widget.value = value
                    except Exception:  # an option that no longer exists: keep the default
                        pass
        finally:
            self._draft_restoring = False

    def draft_changed(self) -> None:
        """Call on every edit: the draft is written once typing pauses."""
        if self._draft_restoring or self.draft_key() is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DEBOUNCE_SECONDS, self.flush_draft)

    def flush_draft(self) -> None:
        key = self.draft_key()
        if key is not None:
            self._write_draft(self.draft_form, key, self.draft_values())

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def _write_draft(self, form: str, key: str, values: dict) -> None:
        self.desk.save_draft(form, key, values)

    @work(thread=True, exclusive=True, group="draft-load", exit_on_error=False)
    def load_draft(self) -> DraftLoaded | None:
        key = self.draft_key()
        return self.DraftLoaded(self.desk.load_draft(self.draft_form, key)) if key is not None else None

    def on_draft_keeper_draft_loaded(self, event: DraftLoaded) -> None:
        if event.draft is not None:
            self.restore_values(event.draft.values)
            self.notify(t("draft.restored"), markup=False)

    def flush_draft_now(self) -> None:
        """Blocking write, for shutdown on SIGTERM/SIGHUP (the UI is going away anyway)."""
        key = self.draft_key()
        if key is not None:
            self.desk.save_draft(self.draft_form, key, self.draft_values())

    def discard_drafts(self, key: str, forms: tuple[str, ...] | None = None) -> None:
        """The drafts are done with (saved, cancelled): stop the pending write, delete them."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
        # On the app, not this screen: the screen is about to go away.
        self.app.run_worker(partial(self._delete_drafts, key, forms), thread=True, group="draft-discard",
                            exit_on_error=False)

    def _delete_drafts(self, key: str, forms: tuple[str, ...] | None) -> None:
        self.desk.delete_drafts(key, forms)
