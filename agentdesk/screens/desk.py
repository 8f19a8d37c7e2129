"""The agent's desk: status line, the idle state ready for a call, the footer."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.drafts import UnfinishedCall
from agentdesk.services.handover import HandoverNoteInfo
from agentdesk.ui.base import Quit, ScreenBase
from agentdesk.ui.key_names import KeyNames
from agentdesk.widgets.outage_banner import OutageBanner
from agentdesk.widgets.status_bar import StatusBar


class DeskScreen(ScreenBase[None]):
    # Priority: the App runs these as it takes the key, so a screen they open is there before
    # the keys typed after it are handed out (F2 and the caller's number in one burst).
    BINDINGS = [
        Binding("f2", "new_call", "binding.new_call", id="desk.new_call", priority=True),
        Binding("f4", "work_orders", "binding.work_orders", id="desk.work_orders", priority=True),
        Binding("f5", "callbacks", "binding.callback_queue", id="desk.callbacks", priority=True),
        Binding("f6", "accounts", "binding.accounts", id="desk.accounts", priority=True),
        Binding("f7", "handover_export", "binding.handover_export", id="desk.handover_export", priority=True),
        Binding("f8", "lead_board", "binding.lead_board", id="desk.lead_board", priority=True),
        Binding("f9", "change_pin", "binding.change_pin", id="desk.change_pin", priority=True),
        Binding("f10", "logout", "binding.logout", id="desk.logout", priority=True),
    ]

    @dataclass
    class Unfinished(Message):
        calls: list[UnfinishedCall]

    @dataclass
    class HandoversPending(Message):
        notes: list[HandoverNoteInfo]

    @dataclass
    class ShiftEnded(Message):
        """The handover is confirmed: the app goes back to the login (or exits)."""

        then_exit: bool

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login

    @property
    def agent_label(self) -> str:
        agent = self.login.agent
        return f"{agent.number} · {agent.name} · {t('role.' + agent.role)}"

    def compose(self) -> ComposeResult:
        yield StatusBar(self.agent_label, self.host.policy_label, self.login.shift.started_at)
        yield OutageBanner()
        with Vertical(id="desk-main"):
            with Vertical(id="idle-panel"):
                yield Static(Content(t("desk.idle_title")), id="idle-title")
                yield Static(Content(t("desk.idle_hint", key=KeyNames(self))), id="idle-hint")
        yield Footer(compact=True)

    def action_new_call(self) -> None:
        from agentdesk.screens.call import CallScreen

        self.app.push_screen(CallScreen(self.login), self._call_ended)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lead_board":
            # Lead screens are not offered to agents; the services refuse them anyway.
            return self.login.agent.is_lead
        if action == "accounts":
            return self.login.agent.manages_accounts
        return True

    def action_lead_board(self) -> None:
        from agentdesk.screens.lead_board import LeadBoardScreen

        if self.login.agent.is_lead:
            self.app.push_screen(LeadBoardScreen(self.login))

    def action_work_orders(self) -> None:
        from agentdesk.screens.work_orders import WorkOrdersScreen

        self.app.push_screen(WorkOrdersScreen(self.login))

    def action_callbacks(self) -> None:
        from agentdesk.screens.callback_queue import CallbackQueueScreen

        self.app.push_screen(CallbackQueueScreen(self.login))

    def _call_ended(self, ended: object) -> None:
        from agentdesk.screens.call import CallEnded

        if isinstance(ended, CallEnded):
            key = "desk.call_saved_flagged" if ended.phrase_flag else "desk.call_saved"
            self.app.notify(t(key, id=ended.call_id), markup=False,
                            severity="warning" if ended.phrase_flag else "information")

    def on_mount(self) -> None:
        self.pending_handover()
        self.unfinished()

    @work(thread=True, exclusive=True, group="unfinished", exit_on_error=False)
    def unfinished(self) -> Unfinished:
        return self.Unfinished(self.desk.unfinished_calls())

    @on(Unfinished)
    def _offer_resume(self, event: Unfinished) -> None:
        if event.calls:
            from agentdesk.dialogs.resume_call import ResumeCallScreen

            self.app.push_screen(ResumeCallScreen(event.calls), self._resume)

    def _resume(self, call_id: int | None) -> None:
        if call_id is not None:
            from agentdesk.screens.call import CallScreen

            self.app.push_screen(CallScreen(self.login, resume_call_id=call_id), self._call_ended)

    @work(thread=True, exclusive=True, group="handover-pending", exit_on_error=False)
    def pending_handover(self) -> HandoversPending:
        return self.HandoversPending(self.desk.pending_handovers())

    @on(HandoversPending)
    def _offer_handovers(self, event: HandoversPending) -> None:
        if event.notes:
            from agentdesk.dialogs.handover_ack import HandoverAckScreen

            self.app.push_screen(HandoverAckScreen(event.notes))

    def action_handover_export(self) -> None:
        from agentdesk.dialogs.handover_export import HandoverExportScreen

        self.app.push_screen(HandoverExportScreen())

    def action_accounts(self) -> None:
        from agentdesk.screens.accounts import AccountsScreen

        if self.login.agent.manages_accounts:
            self.app.push_screen(AccountsScreen(self.login))

    def action_change_pin(self) -> None:
        from agentdesk.dialogs.change_pin import ChangePinScreen

        self.app.push_screen(ChangePinScreen(self.login.agent.number))

    def action_logout(self) -> None:
        self.hand_over()

    def quit_requested(self) -> Quit:
        self.hand_over(then_exit=True)  # quitting from the desk hands over like F10
        return Quit.HANDLED

    def hand_over(self, then_exit: bool = False) -> None:
        """Logout compiles the handover note; the shift ends when the agent confirms it."""
        from agentdesk.screens.handover_review import HandoverReviewScreen

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.post_message(self.ShiftEnded(then_exit))

        self.app.push_screen(HandoverReviewScreen(self.login), done)
