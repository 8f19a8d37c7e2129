"""Work orders: open ones by nearest deadline, filtered, one page at a time."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.policy.names import KINDS
from agentdesk.services.accounts import LoginResult
from agentdesk.services.calls import DepartmentInfo
from agentdesk.services.workorders import BADGES, ESCALATION_LEVELS, STATUSES
from agentdesk.ui.columns import fit_widths
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, safe
from agentdesk.ui.worker_errors import error_text
from agentdesk.widgets.deadline_badge import badge

PAGE_SIZE = 50
STATUS_FILTERS = ("open", "new", "dispatched", "in_progress", "resolved", "callback", "closed")
KIND_FILTERS = ("repair", "restore", "install", "business", "complaint", "consult")
COLUMNS = ("number", "badge", "due", "status", "kind", "department", "customer", "phone", "level")
FIXED_WIDTHS = {"number": 17, "due": 11, "phone": 12}  # GD20261121-000123, 11-23 09:00, 138****1234


def _label(prefix: str) -> Callable[[str], Content]:
    return lambda value: Content(t(prefix + value))


status_cell, kind_cell, level_cell = _label("status."), _label("kind_short."), _label("escalation_short.")
# The cell of each enumerated column, and every value it can show.
LABEL_CELLS: dict[str, tuple[Callable[[str], Content], tuple[str, ...]]] = {
    "badge": (badge, BADGES),
    "status": (status_cell, STATUSES),
    "kind": (kind_cell, KINDS),
    "level": (level_cell, ESCALATION_LEVELS),
}


def column_widths() -> dict[str, int]:
    """Widths for the current language; the department and customer columns share what is left."""
    return fit_widths({key: t("orders.col_" + key) for key in COLUMNS}, FIXED_WIDTHS,
                      {key: [cell(v) for v in values] for key, (cell, values) in LABEL_CELLS.items()},
                      free=("department", "customer"))


class WorkOrdersScreen(LocalizedBindings, Screen[None]):
    AUTO_FOCUS = "#orders"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="orders.back"),
        Binding("o", "toggle('overdue')", "binding.only_overdue", id="orders.overdue"),
        Binding("w", "toggle('warning')", "binding.only_warning", id="orders.warning"),
        Binding("m", "toggle('mine')", "binding.only_mine", id="orders.mine"),
        Binding("n", "next_page", "binding.next_page", id="orders.next"),
        Binding("p", "previous_page", "binding.previous_page", id="orders.previous"),
        Binding("r", "reload", "binding.refresh", id="orders.refresh"),
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.flags = {"overdue": False, "warning": False, "mine": False}
        self.cursors: list[tuple | None] = [None]  # the cursor of each page shown so far
        self.next_cursor: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(t("orders.title")), classes="screen-title")
        with Horizontal(id="order-filters"):
            yield Select([(Content(t("orders.status_" + s)), s) for s in STATUS_FILTERS], value="open",
                         id="filter-status", allow_blank=False)
            yield Select([(Content(t("kind." + k)), k) for k in KIND_FILTERS], id="filter-kind",
                         prompt=t("orders.all_kinds"))
            yield Select([], id="filter-department", prompt=t("orders.all_departments"))
        yield Static("", id="order-flags", markup=False)
        yield DataTable(id="orders", cursor_type="row", zebra_stripes=True)
        yield Static("", id="order-page", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#orders", DataTable)
        widths = column_widths()
        for key in COLUMNS:
            table.add_column(t("orders.col_" + key), key=key, width=widths[key])
        self.load_departments()
        self.reload()

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="departments", exit_on_error=False)
    def load_departments(self) -> list[DepartmentInfo]:
        from agentdesk.services.calls import list_departments

        with self._db().read() as session:
            return list_departments(session)

    def _filters(self) -> dict:
        status = self.query_one("#filter-status", Select).value
        kind = self.query_one("#filter-kind", Select).value
        department = self.query_one("#filter-department", Select).value
        return {
            "status": None if status in ("open", Select.NULL) else status,
            "kind": None if kind is Select.NULL else kind,
            "department_id": None if department is Select.NULL else department,
            "overdue": self.flags["overdue"],
            "warning": self.flags["warning"],
            "owner_id": self.login.agent.id if self.flags["mine"] else None,
        }

    def reload(self, cursor: tuple | None = None) -> None:
        flags = [t("orders.flag_" + name) for name, on_ in self.flags.items() if on_]
        self.query_one("#order-flags", Static).update(Content(" · ".join(flags)))
        self.load_page(self._filters(), cursor)

    def action_reload(self) -> None:
        self.cursors = [None]
        self.reload()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.action_reload()

    def action_toggle(self, name: str) -> None:
        self.flags[name] = not self.flags[name]
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
    def load_page(self, filters: dict, cursor: tuple | None):  # type: ignore[no-untyped-def]
        from agentdesk.services.workorders import list_orders

        with self._db().read() as session:
            return list_orders(session, page_size=PAGE_SIZE, cursor=cursor, **filters)

    def show_page(self, page) -> None:  # type: ignore[no-untyped-def]
        self.next_cursor = page.next_cursor
        table = self.query_one("#orders", DataTable)
        table.clear()
        for row in page.rows:
            table.add_row(
                safe(row.number), badge(row.badge), Content(fmt_time(row.resolve_by)),
                status_cell(row.status), kind_cell(row.kind), safe(row.department),
                safe(row.customer_name), safe(row.phone_masked), level_cell(row.escalation_level),
                key=str(row.id),
            )
        self.query_one("#order-page", Static).update(Content(t(
            "orders.page", page=len(self.cursors), count=len(page.rows),
            more=t("orders.more") if page.next_cursor else "")))

    @on(DataTable.RowSelected, "#orders")
    def _open(self, event: DataTable.RowSelected) -> None:
        from agentdesk.screens.work_order_detail import WorkOrderDetailScreen

        if event.row_key.value is not None:
            self.app.push_screen(WorkOrderDetailScreen(self.login, int(event.row_key.value)),
                                 lambda _: self.reload(self.cursors[-1]))

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
            elif worker.group == "departments":
                self.query_one("#filter-department", Select).set_options(
                    [(Content(d.name), d.id) for d in worker.result])  # type: ignore[union-attr]
