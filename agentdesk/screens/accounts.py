"""Accounts, for a team lead or an admin: who works here, in which role and team, who may log
in; a new account, an account's changes, a PIN reset. The services decide whom each may change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from agentdesk.dialogs.account_form import AccountFormScreen
from agentdesk.i18n import t
from agentdesk.services.accounts import AgentInfo, LoginResult
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.text import safe


class AccountsScreen(ScreenBase[None]):
    RELOAD_ON = ("agent",)
    RELOAD_EVERY = 1.0
    AUTO_FOCUS = "#accounts"
    # Priority (no text field here to type into): the form they open is there before the
    # keys typed after them in one burst are handed out.
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="accounts.back"),
        Binding("n", "new", "binding.new_account", id="accounts.new", priority=True),
        Binding("e", "edit", "binding.edit_account", id="accounts.edit", priority=True),
        Binding("p", "reset_pin", "binding.reset_pin", id="accounts.reset_pin", priority=True),
    ]

    @dataclass
    class Loaded(Message):
        accounts: list[AgentInfo]

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.accounts: list[AgentInfo] = []

    def reload(self) -> None:
        self.load()

    def compose(self) -> ComposeResult:
        yield Static(Content(t("accounts_ui.title")), classes="screen-title")
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static(Content(t("accounts_ui.hint")), classes="step-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#accounts", DataTable)
        for key, label, width in (("number", "agent.col_number", 8), ("name", "agent.col_name", 20),
                                  ("role", "agent.col_role", 10), ("team", "agent.col_team", 14),
                                  ("status", "accounts_ui.col_status", 8)):
            table.add_column(t(label), key=key, width=width)
        self.load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> Loaded:
        return self.Loaded(self.desk.list_agents())

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        table = self.query_one("#accounts", DataTable)
        keep = self._selected()
        self.accounts = event.accounts
        table.clear()
        for a in self.accounts:
            status = t("accounts_ui.status_active" if a.active else "accounts_ui.status_disabled")
            table.add_row(Content(a.number), safe(a.name), Content(t("role." + a.role)), safe(a.team or ""),
                          Content(status), key=a.number)
        if keep is not None and any(a.number == keep.number for a in self.accounts):
            table.move_cursor(row=table.get_row_index(keep.number))
        self.refresh_bindings()

    def _selected(self) -> AgentInfo | None:
        table = self.query_one("#accounts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((a for a in self.accounts if a.number == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "reset_pin"):
            return self._selected() is not None
        return True

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def _done(self, what: str) -> Callable[[AgentInfo | None], None]:
        def done(result: AgentInfo | None) -> None:
            if result is not None:
                self.notify(t("accounts_ui." + what, number=result.number, name=result.name), markup=False)
                self.load()

        return done

    def action_new(self) -> None:
        self.app.push_screen(AccountFormScreen(), self._done("added"))

    def action_edit(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.app.push_screen(AccountFormScreen(selected), self._done("changed"))

    def action_reset_pin(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.app.push_screen(AccountFormScreen(selected, reset_pin=True),
                                 self._done("pin_reset"))
