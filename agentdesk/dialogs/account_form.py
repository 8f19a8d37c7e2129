"""A lead's or an admin's account form: a new account (number, name, role, team, PIN twice),
an account's changes (name, role, team, may log in), or a PIN reset (twice).

The form saves itself, so a refusal (a number taken, a role the lead may not give, the last
manager) is shown under its field with everything typed kept. PINs are never kept in drafts.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t
from agentdesk.services.accounts import AgentInfo

ROLES = ("agent", "lead", "admin")


class AccountFormScreen(FormScreen[AgentInfo | None]):
    """``account`` None: a new one; else that account's changes (``reset_pin``: its PIN only)."""

    AUTO_FOCUS = "Input"  # the first field: the number, the name, or the new PIN

    def __init__(self, account: AgentInfo | None = None, *, reset_pin: bool = False) -> None:
        super().__init__()
        self.account = account
        self.reset_pin = reset_pin

    def compose(self) -> ComposeResult:
        a = self.account
        if a is None:
            title = t("accounts_ui.new_title")
        else:
            title = t("accounts_ui.pin_title" if self.reset_pin else "accounts_ui.edit_title", number=a.number,
                      name=a.name)
        with Vertical(classes="dialog"):
            yield Static(Content(title), classes="dialog-title")
            if not self.reset_pin:
                if a is None:
                    yield from _field("number", t("agent.col_number"), Input(id="number", max_length=8))
                yield from _field("name", t("agent.col_name"), Input(a.name if a else "", id="name", max_length=100))
                yield from _field("role", t("agent.col_role"), Select(
                    [(Content(t("role." + r)), r) for r in ROLES], value=a.role if a else "agent", id="role",
                    allow_blank=False))
                yield from _field("team", t("agent.col_team"), Input((a.team or "") if a else "", id="team",
                                                                     max_length=50))
                if a is not None:
                    yield Checkbox(t("accounts_ui.active"), a.active, id="active")
            if a is None or self.reset_pin:
                yield from _field("pin", t("agent.new_pin_prompt"), Input(id="pin", password=True, max_length=12))
                yield from _field("again", t("agent.new_pin_again"), Input(id="again", password=True,
                                                                          max_length=12))
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def action_save(self) -> None:
        self.clear_errors()
        if self.account is None or self.reset_pin:
            if not self._value("pin"):
                self.field_error("pin", t("field.required"))
                return
            if self._value("pin") != self._value("again"):
                self.field_error("again", t("agent.pin_mismatch"))
                return
        if self.reset_pin:
            self.save_pin(self._value("pin"))
            return
        role = str(self.query_one("#role", Select).value)
        if self.account is None:
            self.save_new(self._value("number"), self._value("name"), role, self._value("team"), self._value("pin"))
        else:
            self.save_changes(self._value("name"), role, self._value("team"), self.query_one("#active", Checkbox).value)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_new(self, number: str, name: str, role: str, team: str, pin: str) -> FormScreen.Saved:
        return self.Saved(self.desk.add_agent(number, name=name, role=role, pin=pin, team=team or None))

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_changes(self, name: str, role: str, team: str, active: bool) -> FormScreen.Saved:
        assert self.account is not None
        return self.Saved(self.desk.update_agent(self.account.number, name=name, role=role, team=team,
                                                 active=active))

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_pin(self, pin: str) -> FormScreen.Saved:
        assert self.account is not None
        self.desk.change_pin(self.account.number, new_pin=pin)
        return self.Saved(self.account)

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.errors import InvalidInput

        if isinstance(error, InvalidInput) and error.field == "active":
            self.field_error("form", error.message())
        else:
            super().worker_failed(group, error)


def _field(name: str, label: str, widget: Input | Select[str]) -> ComposeResult:
    yield Static(Content(label), classes="field-label")
    yield widget
    yield Static("", id=f"{name}-error", classes="field-error", markup=False)
