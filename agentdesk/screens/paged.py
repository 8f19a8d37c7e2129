"""What the paged lists (work orders, callbacks) share: one PagedTable, its pages read by a
worker through the facade, and the actions of their next/previous/refresh keys.

A list says what to ask for (:meth:`page_query`, on the UI thread: its filters), how to ask
(:meth:`read_page`, in the worker) and how a row looks (:meth:`page_rows`); it binds the
keys itself, so each keeps binding ids of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from textual import on, work
from textual.content import Content
from textual.message import Message

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.ui.base import ScreenBase
from agentdesk.widgets.paged_table import Cursor, PagedTable

if TYPE_CHECKING:
    from agentdesk.services.workorders import Page

Q = TypeVar("Q")
PAGE_SIZE = 50


class PagedScreen(ScreenBase[None], Generic[Q]):
    @dataclass
    class PageLoaded(Message):
        page: Page

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login

    def paged_table(self, *, table_id: str, page_id: str) -> PagedTable:
        return PagedTable(self._load, table_id=table_id, page_id=page_id)

    @property
    def pages(self) -> PagedTable:
        return self.query_one(PagedTable)

    def add_columns(self, columns: Sequence[str], widths: dict[str, int], header_prefix: str) -> None:
        table = self.pages.table
        for key in columns:
            table.add_column(t(header_prefix + key), key=key, width=widths[key])

    def page_query(self) -> Q:
        """What the next page is read with (the list's filters), read on the UI thread."""
        raise NotImplementedError

    def read_page(self, query: Q, cursor: Cursor) -> Page:
        """One page through the facade; in the worker."""
        raise NotImplementedError

    def page_rows(self, page: Page) -> Iterable[tuple[Sequence[Content], str]]:
        """Each row's cells and key."""
        raise NotImplementedError

    def _load(self, cursor: Cursor) -> None:
        self.load_page(self.page_query(), cursor)

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def load_page(self, query: Q, cursor: Cursor) -> PageLoaded:
        return self.PageLoaded(self.read_page(query, cursor))

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        self.pages.show(event.page, self.page_rows(event.page))

    def action_reload(self) -> None:
        self.pages.first_page()

    def reload(self) -> None:
        self.pages.this_page()

    def action_next_page(self) -> None:
        self.pages.next_page()

    def action_previous_page(self) -> None:
        self.pages.previous_page()
