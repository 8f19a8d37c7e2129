"""Outages for the team lead: declare, update, clear, and each one's timeline."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from agentdesk.dialogs.outage_form import OutageFormScreen
from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, safe
from agentdesk.ui.worker_errors import error_text
from agentdesk.widgets.outage_banner import OutageBanner


class OutagesScreen(LocalizedBindings, Screen[None]):
    AUTO_FOCUS = "#outages"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="outages.back"),
        Binding("n", "declare", "binding.declare_outage", id="outages.declare"),
        Binding("e", "update", "binding.update_outage", id="outages.update"),
        Binding("c", "clear", "binding.clear_outage", id="outages.clear"),
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__()
        self.login = login
        self.outages: list = []

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

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    def _selected(self):  # type: ignore[no-untyped-def]
        table = self.query_one("#outages", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((o for o in self.outages if str(o.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("update", "clear"):
            selected = self._selected()
            return selected is not None and getattr(selected, "status", "active") == "active"
        return True

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> list:
        from agentdesk.services.outages import list_outages

        with self._db().read() as session:
            return list_outages(session, limit=100)

    @on(DataTable.RowHighlighted, "#outages")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()
        if event.row_key.value is not None:
            self.load_timeline(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def load_timeline(self, outage_id: int) -> list:
        from agentdesk.services.outages import timeline

        with self._db().read() as session:
            return timeline(session, outage_id)

    def action_declare(self) -> None:
        self.app.push_screen(OutageFormScreen(), lambda v: v and self.act("declare", **v))

    def action_update(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.app.push_screen(OutageFormScreen(selected),
                                 lambda v: v and self.act("update", outage_id=selected.id, **v))

    def action_clear(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        selected = self._selected()
        if selected is not None:
            self.app.push_screen(
                ReasonPromptScreen(t("outage_ui.clear_title", areas="、".join(selected.areas)), required=False,
                                   label=t("prompt.note")),
                lambda note: note is not None and self.act("clear", outage_id=selected.id))

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def act(self, what: str, **args: Any) -> str:
        from agentdesk.services import outages

        actor = self.login.agent
        with self._db().write() as session:
            if what == "declare":
                outages.declare(session, actor=actor, **args)
                return t("outage_ui.declared")
            if what == "update":
                outages.update(session, args.pop("outage_id"), actor=actor, **args)
                return t("outage_ui.updated")
            _, created = outages.clear(session, args["outage_id"], actor=actor)
            return t("outage_ui.cleared", callbacks=created)

    @on(Worker.StateChanged)
    def _done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            text = error_text(error)
            self.notify(text, severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS:
            if worker.group == "load":
                self.outages = worker.result  # type: ignore[assignment]
                table = self.query_one("#outages", DataTable)
                table.clear()
                for o in self.outages:
                    services = "、".join(t("service." + s) for s in o.services)
                    table.add_row(Content(str(o.id)), Content(t("outage_ui.status_" + getattr(o, "status", "active"))),
                                  safe("、".join(o.areas)), Content(services), Content(fmt_time(o.eta)),
                                  Content(str(o.linked_calls)), safe(o.cause), key=str(o.id))
                self.refresh_bindings()
            elif worker.group == "timeline":
                table = self.query_one("#timeline", DataTable)
                table.clear()
                from agentdesk.services.outages import describe

                for entry in worker.result:  # type: ignore[union-attr]
                    who = f"{entry.agent_number or ''} {entry.agent_name or ''}".strip() or "—"
                    table.add_row(Content(fmt_time(entry.at)), safe(who), Content(t_action(entry.action)),
                                  safe(describe(entry)))
            elif worker.group == "act":
                self.notify(str(worker.result), markup=False)
                self.load()
                self.app.poll_outages()  # type: ignore[attr-defined]


def t_action(action: str) -> str:
    key = "outage_ui.action_" + action.replace("outage.", "")
    text = t(key)
    return action if text == key else text
