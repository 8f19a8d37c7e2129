"""Login: the previous shift's handover notes to read and acknowledge."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.services.accounts import AgentInfo
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, plain
from agentdesk.ui.worker_errors import error_text


def note_text(note: Any) -> Content:
    """A note as read on screen: who, when, the open items, the counts, the free text."""
    lines = [Content.styled(t("handover_ui.note_head", agent=f"{note.agent_number} {plain(note.agent_name)}",
                                team=plain(note.team or "—"), at=fmt_time(note.confirmed_at or note.compiled_at)),
                            "bold $accent")]
    for item in note.items:
        lines.append(Content("  · " + t("handover_ui.kind_" + item.kind) + "  " + plain(item.ref) + "  "
                             + fmt_time(item.due_at) + "  " + plain(item.title)))
    lines.append(Content(t("handover_ui.counts", calls=note.counts.total_calls)))
    if note.notes:
        lines.append(Content.assemble((t("handover_ui.notes_label") + t("ui.colon"), "bold"), plain(note.notes)))
    return Content("\n").join(lines)


class HandoverAckScreen(LocalizedBindings, ModalScreen[None]):
    BINDINGS = [
        Binding("ctrl+s", "acknowledge", "binding.acknowledge", id="ack.all", priority=True),
        Binding("escape", "later", "binding.later", id="ack.later"),
    ]

    def __init__(self, agent: AgentInfo, notes: list) -> None:
        super().__init__()
        self.agent = agent
        self.notes = notes

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="ack-dialog"):
            yield Static(Content(t("handover_ui.ack_title", count=len(self.notes))), classes="dialog-title")
            for note in self.notes:
                yield Static(note_text(note), classes="handover-note")
            yield Static(Content(t("handover_ui.ack_hint")), classes="step-hint")
        yield Footer()

    def action_later(self) -> None:
        self.notify(t("handover_ui.ack_later"), severity="warning", markup=False)
        self.dismiss(None)

    def action_acknowledge(self) -> None:
        self.acknowledge([n.id for n in self.notes])

    @work(thread=True, exclusive=True, group="ack", exit_on_error=False)
    def acknowledge(self, note_ids: list[int]) -> int:
        from agentdesk.services.handover import acknowledge

        db = self.app.database()  # type: ignore[attr-defined]
        with db.write() as session:
            for note_id in note_ids:
                acknowledge(session, note_id, actor=self.agent)
        return len(note_ids)

    @on(Worker.StateChanged)
    def _done(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            text = error_text(error)
            self.notify(text, severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS:
            self.notify(t("handover_ui.acked", count=event.worker.result), markup=False)
            self.dismiss(None)
