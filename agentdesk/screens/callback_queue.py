"""The callback queue (回访): due first; take the next one, atomically, and make the call."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import catalog, get_language, t
from agentdesk.services.accounts import LoginResult
from agentdesk.ui.columns import fit_widths
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, safe
from agentdesk.ui.worker_errors import error_text

PAGE_SIZE = 50
VIEWS = ("pending", "claimed", "done", "unreachable")
COLUMNS = ("due", "kind", "customer", "phone", "attempts", "order", "claimed", "reason")
# 11-23 09:00, a name, 138****1234, a count, GD20261121-000123, an agent number
FIXED_WIDTHS = {"due": 11, "customer": 12, "phone": 12, "attempts": 3, "order": 17, "claimed": 4}


def column_widths() -> dict[str, int]:
    """Widths for the current language: the kind fits every callback kind; the reason gets the rest."""
    kinds = [Content(text) for key, text in catalog(get_language()).items() if key.startswith("callback_kind.")]
    return fit_widths({key: t("callbacks.col_" + key) for key in COLUMNS}, FIXED_WIDTHS, {"kind": kinds},
                      free=("reason",))


class CallbackQueueScreen(LocalizedBindings, Screen[None]):
    AUTO_FOCUS = "#callbacks"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="callbacks.back"),
        Binding("t", "take_next", "binding.take_next", id="callbacks.take"),
        Binding("n", "next_page", "binding.next_page", id="callbacks.next"),
        Binding("p", "previous_page", "binding.previous_page", id="callbacks.previous"),
        Binding("r", "reload", "binding.refresh", id="callbacks.refresh"),
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.cursors: list[tuple | None] = [None]
        self.next_cursor: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(t("callbacks.title")), classes="screen-title")
        yield Select([(Content(t("callback_status." + v)), v) for v in VIEWS], value="pending", id="view",
                     allow_blank=False)
        yield DataTable(id="callbacks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="callbacks-page", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#callbacks", DataTable)
        widths = column_widths()
        for key in COLUMNS:
            table.add_column(t("callbacks.col_" + key), key=key, width=widths[key])
        self.reload()

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    def reload(self, cursor: tuple | None = None) -> None:
        view = self.query_one("#view", Select).value
        self.load_page(view if isinstance(view, str) else "pending", cursor)

    def action_reload(self) -> None:
        self.cursors = [None]
        self.reload()

    @on(Select.Changed, "#view")
    def _view_changed(self) -> None:
        self.action_reload()

    def action_next_page(self) -> None:
        if self.next_cursor is not None:
            self.cursors.append(self.next_cursor)
            self.reload(self.next_cursor)

    def action_previous_page(self) -> None:
        if len(self.cursors) > 1:
            self.cursors.pop()
            self.reload(self.cursors[-1])

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def load_page(self, status: str, cursor: tuple | None):  # type: ignore[no-untyped-def]
        from agentdesk.services.callbacks import queue

        with self._db().read() as session:
            return queue(session, status=(status,), page_size=PAGE_SIZE, cursor=cursor)

    def show_page(self, page) -> None:  # type: ignore[no-untyped-def]
        self.next_cursor = page.next_cursor
        table = self.query_one("#callbacks", DataTable)
        table.clear()
        for row in page.rows:
            table.add_row(Content(fmt_time(row.due_at)), Content(t_kind(row.kind)), safe(row.customer_name),
                          safe(row.phone_masked), Content(str(row.attempts)), safe(row.order_number or "—"),
                          safe(row.claimed_by or ""), safe(row.reason), key=str(row.id))
        self.query_one("#callbacks-page", Static).update(Content(t(
            "orders.page", page=len(self.cursors), count=len(page.rows),
            more=t("orders.more") if page.next_cursor else "")))

    def action_take_next(self) -> None:
        self.take_next()

    @work(thread=True, exclusive=True, group="take", exit_on_error=False)
    def take_next(self):  # type: ignore[no-untyped-def]
        from agentdesk.services.callbacks import take_next

        return take_next(self._db(), actor=self.login.agent)

    @on(DataTable.RowSelected, "#callbacks")
    def _open(self, event: DataTable.RowSelected) -> None:
        # Resume a callback this agent already holds (e.g. after an unreachable retry).
        if event.row_key.value is not None and self.query_one("#view", Select).value == "claimed":
            self.open_claimed(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_claimed(self, callback_id: int):  # type: ignore[no-untyped-def]
        from agentdesk.services.callbacks import get_callback

        with self._db().read() as session:
            return get_callback(session, callback_id)

    def _call(self, row) -> None:  # type: ignore[no-untyped-def]
        from agentdesk.screens.callback_call import CallbackCallScreen

        self.app.push_screen(CallbackCallScreen(self.login, row), lambda _: self.action_reload())

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            text = error_text(error)
            self.notify(text, severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS:
            if worker.group == "page":
                self.show_page(worker.result)
            elif worker.group == "take":
                if worker.result is None:
                    self.notify(t("callbacks.empty"), markup=False)
                else:
                    self._call(worker.result)
            elif worker.group == "open":
                self._call(worker.result)


def t_kind(kind: str) -> str:
    key = "callback_kind." + kind
    text = t(key)
    return kind if text == key else text
