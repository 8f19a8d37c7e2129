"""Login: the previous shift's handover notes to read and acknowledge."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from agentdesk.i18n import t
from agentdesk.services.handover import HandoverNoteInfo
from agentdesk.services.messages import stored_text
from agentdesk.ui.base import DialogBase
from agentdesk.ui.key_names import KeyNames
from agentdesk.ui.text import fmt_time, plain


def note_text(note: HandoverNoteInfo) -> Content:
    """A note as read on screen: who, when, the open items, the counts, the free text."""
    lines = [Content.styled(t("handover_ui.note_head", agent=f"{note.agent_number} {plain(note.agent_name)}",
                                team=plain(note.team or "—"), at=fmt_time(note.confirmed_at or note.compiled_at)),
                            "bold $accent")]
    for item in note.items:
        lines.append(Content("  · " + t("handover_ui.kind_" + item.kind) + "  " + plain(item.ref) + "  "
                             + fmt_time(item.due_at) + "  " + plain(stored_text(item.title_message, item.title))))
    lines.append(Content(t("handover_ui.counts", calls=note.counts.total_calls)))
    if note.notes:
        lines.append(Content.assemble((t("handover_ui.notes_label") + t("ui.colon"), "bold"), plain(note.notes)))
    return Content("\n").join(lines)


class HandoverAckScreen(DialogBase[None]):
    BINDINGS = [
        Binding("ctrl+s", "acknowledge", "binding.acknowledge", id="ack.all", priority=True),
        Binding("escape", "later", "binding.later", id="ack.later"),
    ]

    @dataclass
    class Acknowledged(Message):
        count: int

    def __init__(self, notes: list[HandoverNoteInfo]) -> None:
        super().__init__()
        self.notes = notes

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="ack-dialog"):
            yield Static(Content(t("handover_ui.ack_title", count=len(self.notes))), classes="dialog-title")
            for note in self.notes:
                yield Static(note_text(note), classes="handover-note")
            yield Static(Content(t("handover_ui.ack_hint", key=KeyNames(self))), classes="step-hint")
        yield Footer()

    def action_later(self) -> None:
        self.notify(t("handover_ui.ack_later"), severity="warning", markup=False)
        self.dismiss(None)

    def action_acknowledge(self) -> None:
        self.acknowledge([n.id for n in self.notes])

    @work(thread=True, exclusive=True, group="ack", exit_on_error=False)
    def acknowledge(self, note_ids: list[int]) -> Acknowledged:
        return self.Acknowledged(self.desk.acknowledge_handovers(note_ids))

    @on(Acknowledged)
    def _acknowledged(self, event: Acknowledged) -> None:
        self.notify(t("handover_ui.acked", count=event.count), markup=False)
        self.dismiss(None)
