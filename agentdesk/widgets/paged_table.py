"""A table read one page at a time by keyset cursors, with the page line under it.

The services page by cursor (the last row's sort key), never by offset, so the next page
costs the same at row one million. The table keeps the cursor of every page shown so far
to go back; the screen says how to load a page and turns each row into cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from agentdesk.i18n import t

Cursor = tuple | None


class KeysetPage(Protocol):
    @property
    def next_cursor(self) -> Cursor: ...


class PagedTable(Vertical):
    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
    }
    """

    def __init__(self, load: Callable[[Cursor], None], *, table_id: str, page_id: str) -> None:
        super().__init__()
        self._load = load
        self._table_id = table_id
        self._page_id = page_id
        self.cursors: list[Cursor] = [None]  # the cursor of each page shown so far
        self.next_cursor: Cursor = None

    def compose(self) -> ComposeResult:
        yield DataTable(id=self._table_id, cursor_type="row", zebra_stripes=True)
        yield Static("", id=self._page_id, markup=False)

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def first_page(self) -> None:
        self.cursors = [None]
        self._load(None)

    def this_page(self) -> None:
        """Read the page shown again (after a change made elsewhere): the highlighted row stays."""
        self._keep_row = True
        self._load(self.cursors[-1])

    def next_page(self) -> None:
        if self.next_cursor is not None:
            self.cursors.append(self.next_cursor)
            self._load(self.next_cursor)

    def previous_page(self) -> None:
        if len(self.cursors) > 1:
            self.cursors.pop()
            self._load(self.cursors[-1])

    def show(self, page: KeysetPage, rows: Iterable[tuple[Sequence[Content], str]]) -> None:
        """Fill the table with ``(cells, key)`` rows; the page line says where we are."""
        self.next_cursor = page.next_cursor
        table = self.table
        keep = table.cursor_row if getattr(self, "_keep_row", False) else None
        self._keep_row = False
        table.clear()
        count = 0
        for cells, key in rows:
            table.add_row(*cells, key=key)
            count += 1
        if keep is not None and count:
            table.move_cursor(row=min(keep, count - 1), animate=False)
        self.query_one(f"#{self._page_id}", Static).update(Content(t(
            "orders.page", page=len(self.cursors), count=count, more=t("orders.more") if page.next_cursor else "")))
