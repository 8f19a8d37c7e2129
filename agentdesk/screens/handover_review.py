"""Logout: the shift's handover note, compiled, reviewed, edited and confirmed."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Footer, Static

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.handover import HandoverDraft, HandoverNoteInfo
from agentdesk.services.messages import stored_text
from agentdesk.ui.base import Quit, ScreenBase
from agentdesk.ui.labels import label_or_code, request_label
from agentdesk.ui.text import fmt_time, safe
from agentdesk.ui.worker_errors import error_text
from agentdesk.widgets.phrase_area import PhraseArea


class HandoverReviewScreen(ScreenBase[bool]):
    """Dismisses True once the note is confirmed (and the shift ended), False if cancelled."""

    AUTO_FOCUS = "#handover-notes TextArea"
    BINDINGS = [
        Binding("ctrl+s", "confirm", "binding.confirm_handover", id="handover_ui.confirm", priority=True),
        Binding("escape", "cancel", "binding.cancel", id="handover_ui.cancel"),
        Binding("f7", "export", "binding.export", id="handover_ui.export"),
    ]

    @dataclass
    class Compiled(Message):
        draft: HandoverDraft

    @dataclass
    class Confirmed(Message):
        note: HandoverNoteInfo

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.draft: HandoverDraft | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(t("handover_ui.review_title")), classes="screen-title")
        yield Static("", id="handover-summary", markup=False)
        yield DataTable(id="handover-items", cursor_type="row", zebra_stripes=True)
        with Vertical(id="handover-bottom"):
            yield Static("", id="handover-open-calls", classes="field-error", markup=False)
            yield Checkbox(t("handover_ui.hand_over_open_calls"), id="hand-over-open")
            yield Static(Content(t("handover_ui.notes_label")), classes="field-label")
            yield PhraseArea(id="handover-notes", placeholder=t("handover_ui.notes_placeholder"))
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hand-over-open").display = False
        table = self.query_one("#handover-items", DataTable)
        for key, width in (("kind", 10), ("ref", 18), ("due", 11), ("status", 12), ("customer", 12),
                           ("phone", 12), ("title", 38)):
            table.add_column(t("handover_ui.col_" + key), key=key, width=width)
        self.compile()

    @work(thread=True, exclusive=True, group="compile", exit_on_error=False)
    def compile(self) -> Compiled:
        return self.Compiled(self.desk.compile_handover())

    @on(Compiled)
    def _compiled(self, event: Compiled) -> None:
        self.draft = draft = event.draft
        counts = draft.counts
        by_type = "、".join(f"{request_label(k)} {n}" for k, n in sorted(counts.calls_by_type.items(),
                                                                           key=lambda kv: str(kv[0])))
        self.query_one("#handover-summary", Static).update(Content(t(
            "handover_ui.summary", agent=f"{draft.agent_number} {draft.agent_name}", start=fmt_time(draft.started_at),
            calls=counts.total_calls, by_type=by_type or "—", items=len(draft.items))))
        table = self.query_one("#handover-items", DataTable)
        table.clear()
        for item in draft.items:
            table.add_row(Content(t("handover_ui.kind_" + item.kind)), safe(item.ref), Content(fmt_time(item.due_at)),
                          Content(status_label(item.kind, item.status)), safe(item.customer_name),
                          safe(item.phone_masked), safe(stored_text(item.title_message, item.title)))
        open_calls = self.query_one("#handover-open-calls", Static)
        if draft.open_call_ids:
            open_calls.update(Content(t("handover_ui.open_calls_warning", count=len(draft.open_call_ids))))
            open_calls.add_class("-shown")
            self.query_one("#hand-over-open").display = True
        notes = self.query_one("#handover-notes", PhraseArea)
        if draft.notes and not notes.text:
            notes.text = draft.notes

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        if self.draft is None:
            return
        self.confirm(self.query_one("#handover-notes", PhraseArea).text,
                     self.query_one("#hand-over-open", Checkbox).value)

    @work(thread=True, exclusive=True, group="confirm", exit_on_error=False)
    def confirm(self, notes: str, hand_over_open_calls: bool) -> Confirmed:
        return self.Confirmed(self.desk.confirm_handover(notes=notes, hand_over_open_calls=hand_over_open_calls))

    @on(Confirmed)
    def _confirmed(self, event: Confirmed) -> None:
        key = "handover_ui.confirmed_flagged" if event.note.phrase_flag else "handover_ui.confirmed"
        self.app.notify(t(key), markup=False)
        self.dismiss(True)

    def action_export(self) -> None:
        from agentdesk.dialogs.handover_export import HandoverExportScreen

        self.app.push_screen(HandoverExportScreen())

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.errors import Unauthenticated

        if isinstance(error, Unauthenticated):
            super().worker_failed(group, error)
            return
        form_error = self.query_one("#form-error", Static)
        form_error.update(Content(error_text(error)))
        form_error.add_class("-shown")

    def quit_requested(self) -> Quit:
        return Quit.EXIT  # this is the handover already: quitting here leaves the shift open


def status_label(kind: str, status: str) -> str:
    """Work orders and callbacks have their own status words; anything else shows as stored."""
    return label_or_code(("status." if kind == "work_order" else "callback_status.") + str(status), str(status))
