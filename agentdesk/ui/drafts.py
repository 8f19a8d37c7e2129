"""Keeps a form's input as a draft while the agent types (debounced), and restores it.

A screen mixes this in, names its form and key, and lists the widgets whose values make
the draft. Every change restarts a short timer; when it fires, a worker writes the draft.
"""

from __future__ import annotations

from textual import work
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Select, TextArea

DEBOUNCE_SECONDS = 0.8


class DraftKeeper:
    draft_form: str = ""
    draft_fields: tuple[str, ...] = ()  # widget ids (Input, TextArea inside a PhraseArea, Select, Checkbox)
    _draft_timer: Timer | None = None
    _draft_restoring: bool = False

    def draft_key(self) -> str | None:  # pragma: no cover - overridden
        return None

    def draft_agent_id(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _field_widget(self, field: str):  # type: ignore[no-untyped-def]
        widget = self.query_one(f"#{field}")  # type: ignore[attr-defined]
        inner = widget.query(TextArea)
        return inner.first() if inner and not isinstance(widget, TextArea) else widget

    def draft_values(self) -> dict:
        values = {}
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
        self._draft_timer = self.set_timer(DEBOUNCE_SECONDS, self.flush_draft)  # type: ignore[attr-defined]

    def flush_draft(self) -> None:
        key = self.draft_key()
        if key is not None:
            self._write_draft(self.draft_agent_id(), self.draft_form, key, self.draft_values())

    @work(thread=True, exclusive=True, group="draft", exit_on_error=False)
    def _write_draft(self, agent_id: int, form: str, key: str, values: dict) -> None:
        from agentdesk.services.drafts import save_draft

        with self.app.database().write() as session:  # type: ignore[attr-defined]
            save_draft(session, agent_id, form, key, values)

    @work(thread=True, exclusive=True, group="draft-load", exit_on_error=False)
    def load_draft(self):  # type: ignore[no-untyped-def]
        from agentdesk.services.drafts import load_draft

        key = self.draft_key()
        if key is None:
            return None
        with self.app.database().read() as session:  # type: ignore[attr-defined]
            return load_draft(session, self.draft_agent_id(), self.draft_form, key)

    def flush_draft_now(self) -> None:
        """Blocking write, for shutdown on SIGTERM/SIGHUP (the UI is going away anyway)."""
        from agentdesk.services.drafts import save_draft

        key = self.draft_key()
        if key is None:
            return
        with self.app.database().write() as session:  # type: ignore[attr-defined]
            save_draft(session, self.draft_agent_id(), self.draft_form, key, self.draft_values())
