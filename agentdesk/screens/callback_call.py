"""A callback (回访) call: the script, the number to dial, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Select, Static

from agentdesk.i18n import get_language, t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.callbacks import CallbackRow
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.key_names import KeyNames
from agentdesk.ui.labels import callback_kind
from agentdesk.ui.text import fmt_time, plain, safe
from agentdesk.widgets.script_panel import ScriptPanel

if TYPE_CHECKING:
    from agentdesk.scripts import ScriptBook


class CallbackCallScreen(ScreenBase[dict | None]):
    AUTO_FOCUS = "#note"
    BINDINGS = [
        Binding("f6", "reveal", "binding.reveal_phone", id="callback.reveal"),
        Binding("ctrl+y", "outcome('satisfied')", "binding.satisfied", id="callback.satisfied", priority=True),
        Binding("ctrl+n", "outcome('unsatisfied')", "binding.unsatisfied", id="callback.unsatisfied", priority=True),
        Binding("ctrl+u", "outcome('unreachable')", "binding.unreachable", id="callback.unreachable", priority=True),
        Binding("ctrl+r", "release", "binding.release", id="callback.release", priority=True),
    ]

    @dataclass
    class PhoneRevealed(Message):
        phone: str

    @dataclass
    class Recorded(Message):
        result: dict

    @dataclass
    class Released(Message):
        pass

    def __init__(self, login: LoginResult, row: CallbackRow) -> None:
        super().__init__()
        self.login = login
        self.row = row

    @property
    def book(self) -> ScriptBook:
        from agentdesk.scripts import load_scripts

        return load_scripts(get_language())

    def compose(self) -> ComposeResult:
        row = self.row
        yield ScriptPanel(id="script")
        with Vertical(id="callback-body"):
            yield Static(Content.assemble((plain(row.customer_name), "bold"), "  ", callback_kind(row.kind), "  ·  ",
                                          t("callbacks.col_due") + t("ui.colon") + fmt_time(row.due_at), "  ·  ",
                                          t("callbacks.col_attempts") + t("ui.colon") + str(row.attempts)))
            yield Static(Content.assemble((t("card.phone") + t("ui.colon"), "bold"), plain(row.phone_masked)),
                         id="callback-phone")
            yield Static(Content.assemble((t("callbacks.col_reason") + t("ui.colon"), "bold"), plain(row.reason)))
            if row.order_number:
                yield Static(Content.assemble((t("callbacks.col_order") + t("ui.colon"), "bold"),
                                              plain(row.order_number)))
            yield Static(Content(t("callbacks.satisfaction")), classes="field-label")
            yield Select([(Content(t("callbacks.score_" + str(n))), n) for n in (5, 4, 3, 2, 1)], value=5,
                         id="satisfaction", allow_blank=False)
            yield Static(Content(t("callbacks.note")), classes="field-label")
            yield Input(id="note", placeholder=t("callbacks.note_placeholder"))
            yield Static("", id="note-error", classes="field-error", markup=False)
            yield Static(Content(t("callbacks.hint", key=KeyNames(self))), classes="step-hint")
        yield Footer()

    def on_mount(self) -> None:
        panel = self.query_one(ScriptPanel)
        panel.say(self.book.text("callback.greeting", agent_number=self.login.agent.number, reason=self.row.reason))
        panel.say(self.book.text("callback.ask_result"))

    def action_reveal(self) -> None:
        self.reveal()

    @work(thread=True, exclusive=True, group="reveal", exit_on_error=False)
    def reveal(self) -> PhoneRevealed:
        return self.PhoneRevealed(self.desk.reveal_callback_phone(self.row.id))

    @on(PhoneRevealed)
    def _revealed(self, event: PhoneRevealed) -> None:
        self.query_one("#callback-phone", Static).update(
            Content.assemble((t("card.phone") + t("ui.colon"), "bold"), safe(event.phone)))

    def action_outcome(self, outcome: str) -> None:
        note = self.query_one("#note", Input).value
        if outcome == "unsatisfied" and not note.strip():
            # What was wrong goes to the reopened (or new) order: it cannot be empty.
            error = self.query_one("#note-error", Static)
            error.update(Content(t("callbacks.note_required")))
            error.add_class("-shown")
            self.query_one("#note", Input).focus()
            return
        score = self.query_one("#satisfaction", Select).value
        self.record(outcome, score if outcome == "satisfied" and isinstance(score, int) else None, note)

    @work(thread=True, exclusive=True, group="record", exit_on_error=False)
    def record(self, outcome: str, satisfaction: int | None, note: str) -> Recorded:
        return self.Recorded(self.desk.record_callback_outcome(self.row.id, outcome=outcome,
                                                                   satisfaction=satisfaction, note=note))

    @on(Recorded)
    def _recorded(self, event: Recorded) -> None:
        result = event.result
        ending = {"satisfied": "callback.satisfied_end", "unsatisfied": "callback.unsatisfied_end",
                  "unreachable": "callback.unreachable"}[result["outcome"]]
        self.query_one(ScriptPanel).say(self.book.text(ending, agent_number=self.login.agent.number))
        self.notify(outcome_message(result), markup=False)
        self.dismiss(result)

    def action_release(self) -> None:
        self.release()

    @work(thread=True, exclusive=True, group="release", exit_on_error=False)
    def release(self) -> Released:
        self.desk.release_callback(self.row.id)
        return self.Released()

    @on(Released)
    def _released(self) -> None:
        self.dismiss(None)


def outcome_message(result: dict) -> str:
    if result.get("new_order_number"):
        return t("callbacks.done_new_order", number=result["new_order_number"])
    if result.get("reopened"):
        return t("callbacks.done_reopened", number=result.get("order_number") or "")
    if result.get("next_due"):
        return t("callbacks.done_retry", due=fmt_time(result["next_due"]))
    return t("callbacks.done_" + str(result.get("status", "done")))
