"""Outages for the team lead: declare, update, clear, and each one's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from agentdesk.dialogs.outage_form import OutageFormScreen
from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.outages import OutageInfo, TimelineEntry
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.labels import label_or_code
from agentdesk.ui.text import fmt_time, safe
from agentdesk.widgets.outage_banner import OutageBanner


class OutagesScreen(ScreenBase[None]):
    RELOAD_ON = ("outage",)
    RELOAD_EVERY = 1.0

    def reload(self) -> None:
        self.load()

    AUTO_FOCUS = "#outages"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="outages.back"),
        Binding("n", "declare", "binding.declare_outage", id="outages.declare"),
        Binding("e", "update", "binding.update_outage", id="outages.update"),
        Binding("c", "clear", "binding.clear_outage", id="outages.clear"),
    ]

    @dataclass
    class Loaded(Message):
        outages: list[OutageInfo]

    @dataclass
    class TimelineLoaded(Message):
        entries: list[tuple[TimelineEntry, str]]  # each entry with its description

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.outages: list[OutageInfo] = []

    def compose(self) -> ComposeResult:
        yield OutageBanner()
        yield Static(Content(t("outage_ui.title")), classes="screen-title")
        yield DataTable(id="outages", cursor_type="row", zebra_stripes=True)
        yield Static(Content(t("outage_ui.timeline")), classes="board-head")
        yield DataTable(id="timeline", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#outages", DataTable)
        for key, width in (("id", 4), ("status", 8), ("areas", 34), ("services", 16), ("eta", 11), ("linked", 6),
                           ("cause", 24)):
            table.add_column(t("outage_ui.col_" + key), key=key, width=width)
        timeline = self.query_one("#timeline", DataTable)
        for key, width in (("at", 12), ("who", 14), ("what", 12), ("detail", 70)):
            timeline.add_column(t("order.col_" + key), key=key, width=width)
        self.load()

    def _selected(self) -> OutageInfo | None:
        table = self.query_one("#outages", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((o for o in self.outages if str(o.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("update", "clear"):
            selected = self._selected()
            return selected is not None and selected.status == "active"
        return True

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> Loaded:
        return self.Loaded(self.desk.list_outages())

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.outages = event.outages
        table = self.query_one("#outages", DataTable)
        table.clear()
        for o in self.outages:
            services = "、".join(t("service." + s) for s in o.services)
            table.add_row(Content(str(o.id)), Content(t("outage_ui.status_" + o.status)),
                          safe("、".join(o.areas)), Content(services), Content(fmt_time(o.eta)),
                          Content(str(o.linked_calls)), safe(o.cause), key=str(o.id))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#outages")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()
        if event.row_key.value is not None:
            self.load_timeline(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def load_timeline(self, outage_id: int) -> TimelineLoaded:
        return self.TimelineLoaded(self.desk.outage_timeline(outage_id))

    @on(TimelineLoaded)
    def _timeline_loaded(self, event: TimelineLoaded) -> None:
        table = self.query_one("#timeline", DataTable)
        table.clear()
        for entry, text in event.entries:
            who = f"{entry.agent_number or ''} {entry.agent_name or ''}".strip() or "—"
            table.add_row(Content(fmt_time(entry.at)), safe(who), Content(t_action(entry.action)), safe(text))

    def action_declare(self) -> None:
        def declared(values: dict[str, Any] | None) -> None:
            if values:
                self.act("declared", lambda desk: desk.declare_outage(**values))

        self.app.push_screen(OutageFormScreen(), declared)

    def action_update(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        outage_id = selected.id

        def updated(values: dict[str, Any] | None) -> None:
            if values:
                self.act("updated", lambda desk: desk.update_outage(outage_id, **values))

        self.app.push_screen(OutageFormScreen(selected), updated)

    def action_clear(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        selected = self._selected()
        if selected is None:
            return
        outage_id = selected.id

        def cleared(note: str | None) -> None:
            if note is not None:
                self.act("cleared", lambda desk: desk.clear_outage(outage_id))

        self.app.push_screen(ReasonPromptScreen(t("outage_ui.clear_title", areas="、".join(selected.areas)),
                                                required=False, label=t("prompt.note")), cleared)

    @on(ScreenBase.Acted)
    def _acted(self, event: ScreenBase.Acted) -> None:
        # Clearing says how many restoration callbacks it queued.
        self.notify(t("outage_ui." + event.what, callbacks=event.result), markup=False)
        self.load()
        self.host.refresh_outages()


def t_action(action: str) -> str:
    return label_or_code("outage_ui.action_" + action.replace("outage.", ""), action)
