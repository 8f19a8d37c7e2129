"""Declare an outage, or update one: areas (completed from the customer records), services,
cause, expected restoration and the message for agents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Checkbox, Footer, Input, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import t
from agentdesk.normalize import clean_text

if TYPE_CHECKING:
    from agentdesk.services.outages import OutageInfo

AREA_SEPARATORS = r"[,，、;；]"
SERVICES = ("tv", "broadband", "phone")


def split_areas(text: str) -> list[str]:
    # Cleaned first, as the service does: an escape sequence's ';' splits nothing.
    return [a.strip() for a in re.split(AREA_SEPARATORS, clean_text(text)) if a.strip()]


class AreaSuggester(Suggester):
    """Completes the area being typed (after the last 、 or comma) from the customer records.

    The names are loaded once by a worker; suggesting is an in-memory prefix match, so
    typing never waits for the database.
    """

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        parts = re.split(f"({AREA_SEPARATORS})", value)
        current = parts[-1].lstrip()
        if not current:
            return None
        for name in self.names:
            if name.startswith(current) and name != current:
                return value[: len(value) - len(current)] + name
        return None


class OutageFormScreen(FormScreen[dict | None]):
    """Declare an outage, or update one (given its current values)."""

    AUTO_FOCUS = "#areas"

    @dataclass
    class AreasLoaded(Message):
        areas: list[str]

    def __init__(self, outage: OutageInfo | None = None) -> None:
        super().__init__()
        self.outage = outage
        self.suggester = AreaSuggester()

    def compose(self) -> ComposeResult:
        o = self.outage
        with Vertical(classes="dialog wide"):
            title = t("outage_ui.update_title" if o else "outage_ui.declare_title")
            yield Static(Content(title), classes="dialog-title")
            yield Static(Content(t("outage_ui.areas")), classes="field-label")
            yield Input("、".join(o.areas) if o else "", id="areas", suggester=self.suggester,
                        placeholder=t("outage_ui.areas_placeholder"))
            yield Static("", id="areas-error", classes="field-error", markup=False)
            yield Static(Content(t("outage_ui.services")), classes="field-label")
            with Horizontal(classes="form-row"):
                for service in SERVICES:
                    yield Checkbox(t("service." + service), value=bool(o and service in o.services),
                                   id=f"service-{service}")
            yield Static("", id="services-error", classes="field-error", markup=False)
            yield Static(Content(t("outage_ui.cause")), classes="field-label")
            yield Input(o.cause if o else "", id="cause")
            yield Static("", id="cause-error", classes="field-error", markup=False)
            yield Static(Content(t("outage_ui.eta")), classes="field-label")
            yield Input(o.eta.strftime("%Y-%m-%d %H:%M") if o and o.eta else "", id="eta",
                        placeholder="2026-11-23 18:00")
            yield Static("", id="eta-error", classes="field-error", markup=False)
            yield Static(Content(t("outage_ui.message")), classes="field-label")
            yield Input(o.message if o else "", id="message")
            yield Static("", id="message-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load_areas()

    @work(thread=True, exclusive=True, group="areas", exit_on_error=False)
    def load_areas(self) -> AreasLoaded:
        return self.AreasLoaded(self.desk.known_areas())

    @on(AreasLoaded)
    def _areas_loaded(self, event: AreasLoaded) -> None:
        self.suggester.names = event.areas

    def action_save(self) -> None:
        self.clear_errors()
        raw_eta = self.query_one("#eta", Input).value.strip()
        eta = None
        if raw_eta:
            try:
                eta = datetime.fromisoformat(raw_eta.replace("T", " ")).replace(second=0, microsecond=0)
            except ValueError:
                self.field_error("eta", t("delay.bad_time"))
                return
        values = {
            "areas": split_areas(self.query_one("#areas", Input).value),
            "services": [s for s in SERVICES if self.query_one(f"#service-{s}", Checkbox).value],
            "cause": self.query_one("#cause", Input).value,
            "eta": eta,
            "message": self.query_one("#message", Input).value,
        }
        self.dismiss(values)
