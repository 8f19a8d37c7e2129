"""The agent's desk: status line, the idle state ready for a call, the footer."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.widgets.localized import LocalizedBindings
from agentdesk.widgets.status_bar import StatusBar


class DeskScreen(LocalizedBindings, Screen[None]):
    BINDINGS = [
        Binding("f2", "new_call", "binding.new_call", id="desk.new_call"),
        Binding("f4", "work_orders", "binding.work_orders", id="desk.work_orders"),
        Binding("f5", "callbacks", "binding.callback_queue", id="desk.callbacks"),
        Binding("f10", "logout", "binding.logout", id="desk.logout"),
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login

    @property
    def agent_label(self) -> str:
        agent = self.login.agent
        return f"{agent.number} · {agent.name} · {t('role.' + agent.role)}"

    def compose(self) -> ComposeResult:
        yield StatusBar(self.agent_label, self.app.policy_label, self.login.shift.started_at)  # type: ignore[attr-defined]
        with Vertical(id="desk-main"):
            with Vertical(id="idle-panel"):
                yield Static(Content(t("desk.idle_title")), id="idle-title")
                yield Static(Content(t("desk.idle_hint")), id="idle-hint")
        yield Footer()

    def action_new_call(self) -> None:
        from agentdesk.screens.call import CallScreen

        self.app.push_screen(CallScreen(self.login), self._call_ended)

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
            self.app.notify(t(key, id=ended.call_id), markup=False, severity="warning" if ended.phrase_flag else "information")

    def action_logout(self) -> None:
        self.end_shift()

    @work(thread=True, exclusive=True, group="logout", exit_on_error=False)
    def end_shift(self, then_exit: bool = False) -> bool:
        from agentdesk.services.accounts import end_shift

        db = self.app.database()  # type: ignore[attr-defined]
        with db.write() as session:
            end_shift(session, self.login.shift.id, actor=self.login.agent)
        return then_exit

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "logout":
            return
        if event.worker.state == WorkerState.SUCCESS:
            from agentdesk.screens.login import LoginScreen

            if event.worker.result:
                self.app.exit()
                return
            self.app.notify(t("desk.logged_out"), markup=False)
            self.app.switch_screen(LoginScreen())
        elif event.worker.state == WorkerState.ERROR:
            self.app.notify(t("error.unexpected", error=str(event.worker.error)), severity="error", markup=False)
