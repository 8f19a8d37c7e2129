"""The first screen: agent number and PIN. Opens a shift on success; the app then shows the desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Static

from agentdesk.i18n import t
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.localized import LocalizedBindings

if TYPE_CHECKING:
    from agentdesk.services.accounts import LoginResult


class NumberInput(LocalizedBindings, Input):
    """The agent-number field; its Enter is the screen's (see ``LoginScreen.action_next_field``)."""


class PinInput(LocalizedBindings, Input):
    """The PIN field: Enter logs in.

    Enter is the field's own binding rather than a priority one on the screen, so keys
    typed in a burst (a paste, a slow link) reach the field before Enter does.
    """

    BINDINGS = [Binding("enter", "submit", "binding.login", id="login.submit")]


class LoginScreen(ScreenBase[None]):
    AUTO_FOCUS = "#number"
    # A priority binding runs when the App takes the key, before the keys after it are handed
    # out, so the PIN typed in the same burst as "number, Enter" reaches the PIN field; the
    # field's own Enter would come too late (the following keys already queued at the number).
    BINDINGS = [Binding("enter", "next_field", "binding.next_field", id="login.next", priority=True)]

    @dataclass
    class AgentsCounted(Message):
        count: int

    @dataclass
    class LoggedIn(Message):
        """Handled by the app, which opens the desk."""

        result: LoginResult

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="login-box"):
                yield Static(Content(t("app.title")), id="login-title")
                yield Static(Content(t("login.subtitle")), id="login-subtitle")
                yield Static(Content(t("login.number")), classes="field-label")
                yield NumberInput(id="number", restrict=r"[0-9０-９]*", max_length=8, placeholder=t("login.number"))
                yield Static(Content(t("login.pin")), classes="field-label")
                yield PinInput(id="pin", password=True, restrict=r"[0-9０-９]*", max_length=12,
                               placeholder=t("login.pin"))
                yield Static("", id="login-message", markup=False)
                yield Static("", id="login-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.check_agents()

    def show_message(self, text: str, *, error: bool = True) -> None:
        message = self.query_one("#login-message", Static)
        message.update(Content(text))
        message.set_class(error, "error")

    @work(thread=True, exclusive=True, group="login-check", exit_on_error=False)
    def check_agents(self) -> AgentsCounted:
        return self.AgentsCounted(self.desk.agent_count())

    @on(AgentsCounted)
    def _counted(self, event: AgentsCounted) -> None:
        hint = self.query_one("#login-hint", Static)
        hint.update(Content(t("app.no_agents")) if event.count == 0 else Content(""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            return isinstance(self.focused, NumberInput)
        return True

    def action_next_field(self) -> None:
        pin = self.query_one("#pin", Input)
        if not isinstance(self.focused, NumberInput) or pin.value:
            # In the PIN field, or a PIN already typed: the field's own Enter (after the keys
            # queued before it) submits, as below.
            raise SkipAction()
        self.set_focus(pin)

    @on(Input.Submitted, "#number")
    def _number_done(self) -> None:
        if self.query_one("#pin", Input).value:
            self.action_login()
        else:
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_done(self) -> None:
        self.action_login()

    def action_login(self) -> None:
        number = self.query_one("#number", Input).value
        pin = self.query_one("#pin", Input).value
        if not number or not pin:
            self.show_message(t("login.empty"))
            self.query_one("#number" if not number else "#pin", Input).focus()
            return
        self.show_message(t("login.checking"), error=False)
        self.attempt_login(number, pin)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def attempt_login(self, number: str, pin: str) -> LoggedIn:
        return self.LoggedIn(self.desk.login(number, pin))

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.errors import ServiceError

        if isinstance(error, ServiceError):
            self.show_message(error.message())
            pin = self.query_one("#pin", Input)
            pin.value = ""
            pin.focus()
        else:
            self.show_message(t("app.db_failed", error=f"{type(error).__name__}: {error}"))
