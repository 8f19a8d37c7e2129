"""The team lead's supervision board: open work, what is late, what waits for a decision."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Sparkline, Static

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.board import BoardData
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.text import fmt_time, safe
from agentdesk.widgets.outage_banner import OutageBanner

REFRESH_SECONDS = 5
# The board's cells, in reading order: each table and its heading (none: one with counts in it).
BOARD_CELLS = (("board-overdue", "board.overdue"), ("board-warning", "board.warning"), ("board-delays", "board.delays"),
               ("board-open", "board.open_orders"), ("board-callbacks", ""), ("board-agents", "board.on_shift"))


class LeadBoardScreen(ScreenBase[None]):
    RELOAD_ON = ("order", "referral", "callback", "agent", "outage")
    AUTO_FOCUS = "#board-overdue"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="board.back"),
        Binding("f9", "outages", "binding.outages", id="board.outages"),
        Binding("u", "urge", "binding.urge", id="board.urge"),
        Binding("a", "decide(True)", "binding.approve_delay", id="board.approve"),
        Binding("x", "decide(False)", "binding.reject_delay", id="board.reject"),
        Binding("r", "refresh", "binding.refresh", id="board.refresh"),
    ]

    @dataclass
    class Loaded(Message):
        data: BoardData

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.data: BoardData | None = None

    def compose(self) -> ComposeResult:
        yield OutageBanner()
        yield Static(Content(t("board.title")), classes="screen-title")
        with Grid(id="board"):
            for table_id, head in BOARD_CELLS:
                with Vertical(classes="board-cell"):
                    if head:
                        yield Static(Content(t(head)), classes="board-head")
                    else:  # counted when the board is read
                        yield Static("", id=f"{table_id}-head", classes="board-head", markup=False)
                    yield DataTable(id=table_id, cursor_type="row")
        yield Static("", id="board-calls-head", classes="board-head", markup=False)
        yield Sparkline([0], id="board-calls")
        yield Footer()

    def on_mount(self) -> None:
        columns = {
            # Cells of 3:3:4 of the width (agentdesk.tcss): at 120 columns, 33 and 45 cells of
            # table. Order numbers (GD20261123-000031) are shown whole; the table's title says
            # overdue or due soon, so no badge column.
            "#board-overdue": (("number", 17), ("due", 11)),
            "#board-warning": (("number", 17), ("due", 11)),
            "#board-delays": (("number", 17), ("to", 11), ("reason", 11)),
            "#board-open": (("department", 12), ("status", 8), ("count", 5)),
            "#board-callbacks": (("due", 11), ("customer", 8), ("reason", 8)),
            "#board-agents": (("agent", 14), ("team", 6), ("since", 11), ("busy", 6)),
        }
        for selector, cols in columns.items():
            table = self.query_one(selector, DataTable)
            for key, width in cols:
                table.add_column(t("board.col_" + key), key=key, width=width)
        self.refresh_board()
        self.set_interval(REFRESH_SECONDS, self.refresh_board)

    def reload(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.refresh_board()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def refresh_board(self) -> Loaded:
        return self.Loaded(self.desk.board())

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.data = data = event.data

        def fill(selector: str, rows: list[tuple], keys: list[str]) -> None:
            table = self.query_one(selector, DataTable)
            cursor = table.cursor_row
            table.clear()
            for row, key in zip(rows, keys, strict=True):
                table.add_row(*row, key=key)
            if table.row_count:
                table.move_cursor(row=min(cursor, table.row_count - 1))

        def order_rows(orders: tuple) -> tuple[list[tuple], list[str]]:
            return ([(safe(o.number), Content(fmt_time(o.resolve_by))) for o in orders],
                    [str(o.id) for o in orders])

        fill("#board-overdue", *order_rows(data.overdue))
        fill("#board-warning", *order_rows(data.warning))
        fill("#board-delays", [(safe(d.order_number), Content(fmt_time(d.proposed_deadline)), safe(d.reason))
                               for d in data.delays], [str(d.id) for d in data.delays])
        fill("#board-open", [(safe(dept), Content(t("status." + status)), Content(str(n)))
                             for dept, status, n in data.by_status_department],
             [f"{i}" for i in range(len(data.by_status_department))])
        fill("#board-callbacks", [(Content(fmt_time(c.due_at)), safe(c.customer_name), safe(c.reason))
                                  for c in data.callbacks_overdue], [str(c.id) for c in data.callbacks_overdue])
        fill("#board-agents", [(safe(f"{a.number} {a.name}"), safe(a.team or ""), Content(fmt_time(a.since)),
                                Content(t("board.in_call") if a.open_call else ""))
                               for a in data.on_shift], [a.number for a in data.on_shift])
        self.query_one("#board-callbacks-head", Static).update(Content(t(
            "board.callbacks", today=data.callbacks_due_today, overdue=len(data.callbacks_overdue))))
        counts = [n for _, n in data.calls_per_hour]
        hours = " ".join(t("board.hour_count", hour=f"{h:02d}", count=n) for h, n in data.calls_per_hour[-8:])
        self.query_one("#board-calls-head", Static).update(Content(t("board.calls", total=sum(counts), hours=hours)))
        self.query_one("#board-calls", Sparkline).data = counts or [0]

    # ---- one-key actions on the highlighted row ----------------------------------------------

    def _highlighted(self, selector: str) -> int | None:
        table = self.query_one(selector, DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def action_urge(self) -> None:
        focused = self.focused
        selector = "#board-warning" if focused is self.query_one("#board-warning") else "#board-overdue"
        order_id = self._highlighted(selector)
        if order_id is not None:
            self.act("urge", lambda desk: desk.urge(order_id, note=""))

    def action_decide(self, approve: bool) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        request_id = self._highlighted("#board-delays")
        if request_id is None:
            self.notify(t("board.no_delays"), markup=False)
            return
        title = t("board.approve_title" if approve else "board.reject_title")

        def decided(note: str | None) -> None:
            if note is not None:
                self.act("decide", lambda desk: desk.decide_delay(request_id, approve=approve, note=note))

        self.app.push_screen(ReasonPromptScreen(title, required=not approve, label=t("prompt.note")), decided)

    @on(ScreenBase.Acted)
    def _acted(self, event: ScreenBase.Acted) -> None:
        self.notify(t("order.done_" + event.what), markup=False)
        self.refresh_board()

    def action_outages(self) -> None:
        from agentdesk.screens.outages import OutagesScreen

        self.app.push_screen(OutagesScreen(self.login))

    @on(DataTable.RowSelected)
    def _open_order(self, event: DataTable.RowSelected) -> None:
        from agentdesk.screens.work_order_detail import WorkOrderDetailScreen

        if event.data_table.id in ("board-overdue", "board-warning") and event.row_key.value is not None:
            self.app.push_screen(WorkOrderDetailScreen(self.login, int(event.row_key.value)), self._refresh)

    def _refresh(self, _: object = None) -> None:
        self.refresh_board()
