"""Work orders: open ones by nearest deadline, filtered, one page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Select, Static

from agentdesk.client.desk import OrderFilters
from agentdesk.i18n import t
from agentdesk.policy.names import KINDS
from agentdesk.screens.paged import PAGE_SIZE, PagedScreen
from agentdesk.services.accounts import LoginResult
from agentdesk.services.calls import DepartmentInfo
from agentdesk.services.workorders import BADGES, ESCALATION_LEVELS, STATUSES, OrderRow, Page
from agentdesk.ui.columns import fit_widths
from agentdesk.ui.text import fmt_time, safe
from agentdesk.vocab import WorkOrderStatus
from agentdesk.widgets.deadline_badge import badge
from agentdesk.widgets.paged_table import Cursor

STATUS_FILTERS = ("open", *WorkOrderStatus)
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


def order_cells(row: OrderRow) -> tuple[Content, ...]:
    return (safe(row.number), badge(row.badge), Content(fmt_time(row.resolve_by)), status_cell(row.status),
            kind_cell(row.kind), safe(row.department), safe(row.customer_name), safe(row.phone_masked),
            level_cell(row.escalation_level))


class WorkOrdersScreen(PagedScreen[OrderFilters]):
    RELOAD_ON = ("order",)
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

    @dataclass
    class DepartmentsLoaded(Message):
        departments: list[DepartmentInfo]

    def __init__(self, login: LoginResult) -> None:
        super().__init__(login)
        self.flags = {"overdue": False, "warning": False, "mine": False}

    def compose(self) -> ComposeResult:
        yield Static(Content(t("orders.title")), classes="screen-title")
        with Horizontal(id="order-filters"):
            yield Select([(Content(t("orders.status_" + s)), s) for s in STATUS_FILTERS], value="open",
                         id="filter-status", allow_blank=False)
            yield Select([(Content(t("kind." + k)), k) for k in KIND_FILTERS], id="filter-kind",
                         prompt=t("orders.all_kinds"))
            yield Select([], id="filter-department", prompt=t("orders.all_departments"))
        yield Static("", id="order-flags", markup=False)
        yield self.paged_table(table_id="orders", page_id="order-page")
        yield Footer()

    def on_mount(self) -> None:
        self.add_columns(COLUMNS, column_widths(), "orders.col_")
        self.load_departments()
        self.pages.first_page()

    @work(thread=True, exclusive=True, group="departments", exit_on_error=False)
    def load_departments(self) -> DepartmentsLoaded:
        return self.DepartmentsLoaded(self.desk.departments())

    @on(DepartmentsLoaded)
    def _departments_loaded(self, event: DepartmentsLoaded) -> None:
        self.query_one("#filter-department", Select).set_options([(Content(d.name), d.id) for d in event.departments])

    def page_query(self) -> OrderFilters:
        # The flags line says what the page is read with.
        flags = [t("orders.flag_" + name) for name, on_ in self.flags.items() if on_]
        self.query_one("#order-flags", Static).update(Content(" · ".join(flags)))
        status = self.query_one("#filter-status", Select).value
        kind = self.query_one("#filter-kind", Select).value
        department = self.query_one("#filter-department", Select).value
        return OrderFilters(
            status=status if isinstance(status, str) and status != "open" else None,
            kind=kind if isinstance(kind, str) else None,
            department_id=department if isinstance(department, int) else None,
            overdue=self.flags["overdue"], warning=self.flags["warning"], mine=self.flags["mine"],
        )

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.action_reload()

    async def action_toggle(self, name: str) -> None:  # one of the flags, not Textual's attribute toggle
        self.flags[name] = not self.flags[name]
        self.action_reload()

    def read_page(self, query: OrderFilters, cursor: Cursor) -> Page:
        return self.desk.list_orders(query, page_size=PAGE_SIZE, cursor=cursor)

    def page_rows(self, page: Page) -> Iterable[tuple[Sequence[Content], str]]:
        return ((order_cells(row), str(row.id)) for row in page.rows)

    @on(DataTable.RowSelected, "#orders")
    def _open(self, event: DataTable.RowSelected) -> None:
        from agentdesk.screens.work_order_detail import WorkOrderDetailScreen

        if event.row_key.value is not None:
            self.app.push_screen(WorkOrderDetailScreen(self.login, int(event.row_key.value)),
                                 lambda _: self.pages.this_page())
