"""The callback queue (回访): due first; take the next one, atomically, and make the call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Select, Static

from agentdesk.i18n import catalog, get_language, t
from agentdesk.screens.paged import PAGE_SIZE, PagedScreen
from agentdesk.services.callbacks import CallbackRow
from agentdesk.services.workorders import Page
from agentdesk.ui.columns import fit_widths
from agentdesk.ui.labels import callback_kind
from agentdesk.ui.text import fmt_time, safe
from agentdesk.vocab import CallbackStatus
from agentdesk.widgets.paged_table import Cursor

VIEWS = (CallbackStatus.PENDING, CallbackStatus.CLAIMED, CallbackStatus.DONE, CallbackStatus.UNREACHABLE)
COLUMNS = ("due", "kind", "customer", "phone", "attempts", "order", "claimed", "reason")
# 11-23 09:00, a name, 138****1234, a count, GD20261121-000123, an agent number
FIXED_WIDTHS = {"due": 11, "customer": 12, "phone": 12, "attempts": 3, "order": 17, "claimed": 4}


def column_widths() -> dict[str, int]:
    """Widths for the current language: the kind fits every callback kind; the reason gets the rest."""
    kinds = [Content(text) for key, text in catalog(get_language()).items() if key.startswith("callback_kind.")]
    return fit_widths({key: t("callbacks.col_" + key) for key in COLUMNS}, FIXED_WIDTHS, {"kind": kinds},
                      free=("reason",))


def callback_cells(row: CallbackRow) -> tuple[Content, ...]:
    return (Content(fmt_time(row.due_at)), Content(callback_kind(row.kind)), safe(row.customer_name),
            safe(row.phone_masked), Content(str(row.attempts)), safe(row.order_number or "—"),
            safe(row.claimed_by or ""), safe(row.reason))


class CallbackQueueScreen(PagedScreen[str]):
    RELOAD_ON = ("callback",)
    AUTO_FOCUS = "#callbacks"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="callbacks.back"),
        Binding("t", "take_next", "binding.take_next", id="callbacks.take"),
        Binding("n", "next_page", "binding.next_page", id="callbacks.next"),
        Binding("p", "previous_page", "binding.previous_page", id="callbacks.previous"),
        Binding("r", "reload", "binding.refresh", id="callbacks.refresh"),
    ]

    @dataclass
    class Taken(Message):
        """The callback to call now; None when nothing is due."""

        row: CallbackRow | None

    def compose(self) -> ComposeResult:
        yield Static(Content(t("callbacks.title")), classes="screen-title")
        yield Select([(Content(t("callback_status." + v)), v) for v in VIEWS], value="pending", id="view",
                     allow_blank=False)
        yield self.paged_table(table_id="callbacks", page_id="callbacks-page")
        yield Footer()

    def on_mount(self) -> None:
        self.add_columns(COLUMNS, column_widths(), "callbacks.col_")
        self.pages.first_page()

    def page_query(self) -> str:
        view = self.query_one("#view", Select).value
        return view if isinstance(view, str) else "pending"

    def read_page(self, query: str, cursor: Cursor) -> Page:
        return self.desk.callback_queue(query, page_size=PAGE_SIZE, cursor=cursor)

    def page_rows(self, page: Page) -> Iterable[tuple[Sequence[Content], str]]:
        return ((callback_cells(row), str(row.id)) for row in page.rows)

    @on(Select.Changed, "#view")
    def _view_changed(self) -> None:
        self.action_reload()

    def action_take_next(self) -> None:
        self.take_next()

    @work(thread=True, exclusive=True, group="take", exit_on_error=False)
    def take_next(self) -> Taken:
        return self.Taken(self.desk.take_next_callback())

    @on(DataTable.RowSelected, "#callbacks")
    def _open(self, event: DataTable.RowSelected) -> None:
        # Resume a callback this agent already holds (e.g. after an unreachable retry).
        if event.row_key.value is not None and self.query_one("#view", Select).value == "claimed":
            self.open_claimed(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_claimed(self, callback_id: int) -> Taken:
        return self.Taken(self.desk.get_callback(callback_id))

    @on(Taken)
    def _taken(self, event: Taken) -> None:
        if event.row is None:
            self.notify(t("callbacks.empty"), markup=False)
            return
        from agentdesk.screens.callback_call import CallbackCallScreen

        self.app.push_screen(CallbackCallScreen(self.login, event.row), lambda _: self.action_reload())
