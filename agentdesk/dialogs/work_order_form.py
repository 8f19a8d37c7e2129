"""Repair (报修): a work order with the deadline the policy gives, shown before saving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.dialogs.request_form import RequestForm, RequestOutcome
from agentdesk.i18n import t
from agentdesk.services.calls import SEVERITIES, CallerInfo, WorkOrderInfo
from agentdesk.ui.text import fmt_time
from agentdesk.widgets.phrase_area import PhraseArea

REPAIR_KINDS = ("repair", "restore")
SHOWN_CLOCKS = ("respond_by", "contact_by", "reply_by", "resolve_by")


class WorkOrderFormScreen(RequestForm):
    @dataclass
    class Previewed(Message):
        clocks: dict[str, datetime | None]

    draft_form = "workorder"
    draft_fields = ("description", "kind", "severity")
    AUTO_FOCUS = "#description TextArea"

    def __init__(self, call_id: int, caller: CallerInfo, *, kinds: tuple[str, ...] = REPAIR_KINDS,
                 default_department: str = "NET") -> None:
        super().__init__(call_id, caller)
        self.kinds = kinds
        self.default_department = default_department

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("workorder.title")), classes="dialog-title")
            yield Static(Content(t("workorder.description")), classes="field-label")
            yield PhraseArea(id="description", placeholder=t("workorder.description_placeholder"))
            yield Static("", id="description-error", classes="field-error", markup=False)
            yield Static(Content(t("workorder.kind")), classes="field-label")
            yield Select([(Content(t("kind." + k)), k) for k in self.kinds], value=self.kinds[0], id="kind",
                         allow_blank=False)
            yield Static(Content(t("workorder.severity")), classes="field-label")
            yield Select([(Content(t("severity." + s)), s) for s in SEVERITIES], value="general", id="severity",
                         allow_blank=False)
            yield Static(Content(t("workorder.department")), classes="field-label")
            yield Select([], id="department", prompt=t("workorder.department_prompt"))
            yield Static("", id="department-error", classes="field-error", markup=False)
            yield Static("", id="deadline-preview", classes="deadline-preview", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load_departments()
        self.preview()

    @on(Select.Changed, "#kind")
    @on(Select.Changed, "#severity")
    def _changed(self) -> None:
        self.preview()

    def _value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def preview(self) -> Previewed:
        kind, severity = self._value("#kind") or self.kinds[0], self._value("#severity") or "general"
        return self.Previewed(self.desk.preview_deadlines(self.call_id, kind, severity))

    @on(FormScreen.DepartmentsLoaded)
    def _departments_loaded(self, event: FormScreen.DepartmentsLoaded) -> None:
        self.show_departments(event.departments, self.default_department)

    @on(Previewed)
    def _previewed(self, event: Previewed) -> None:
        clocks = event.clocks
        parts = [f"{t('clock.' + c)} {fmt_time(clocks[c])}" for c in SHOWN_CLOCKS if clocks.get(c)]
        self.query_one("#deadline-preview", Static).update(
            Content(t("workorder.deadline_preview", policy=self.host.policy_label, deadlines=" · ".join(parts) or "—"))
        )

    def action_save(self) -> None:
        self.clear_errors()
        department = self.query_one("#department", Select).value
        self.save(self._value("#kind"), self._value("#severity"), self.query_one("#description", PhraseArea).text,
                  department if isinstance(department, int) else -1)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save(self, kind: str, severity: str, description: str, department_id: int) -> FormScreen.Saved:
        return self.Saved(self.desk.create_work_order(self.call_id, kind=kind, severity=severity,
                                                          description=description, department_id=department_id))

    def on_saved(self, result: object) -> None:
        if isinstance(result, WorkOrderInfo):
            line = self.scripts.text("repair.confirm", order_number=result.number, department=result.department,
                                     respond_by=fmt_time(result.contact_by or result.respond_by),
                                     resolve_by=fmt_time(result.resolve_by))
            self.dismiss(RequestOutcome(line, owed=True))
