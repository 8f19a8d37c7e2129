"""Business acceptance (业务受理): the materials checklist, every missing item told at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from agentdesk.dialogs.form import FormScreen
from agentdesk.dialogs.request_form import RequestForm, RequestOutcome
from agentdesk.i18n import get_language, t
from agentdesk.services.calls import CallerInfo, DepartmentInfo, WorkOrderInfo

if TYPE_CHECKING:
    from agentdesk.business import BusinessType
from agentdesk.widgets.phrase_area import PhraseArea


@dataclass(frozen=True)
class MaterialsMissing:
    """Nothing accepted yet: the caller was told every missing item in one line."""

    line: str


class BusinessFormScreen(RequestForm):
    draft_form = "business"
    draft_fields = ("description",)
    AUTO_FOCUS = "#business-type"

    def __init__(self, call_id: int, caller: CallerInfo) -> None:
        from agentdesk.business import load_business_types

        super().__init__(call_id, caller)
        self.types = load_business_types()
        self.departments: list[DepartmentInfo] = []

    def compose(self) -> ComposeResult:
        from agentdesk.business import CUSTOMER_KINDS, load_situations

        lang = get_language()
        with Vertical(classes="dialog wide"):
            yield Static(Content(t("bizform.title")), classes="dialog-title")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Static(Content(t("bizform.type")), classes="field-label")
                    yield Select([(Content(bt.name(lang)), key) for key, bt in self.types.items()],
                                 value=next(iter(self.types)), id="business-type", allow_blank=False)
                with Vertical():
                    yield Static(Content(t("bizform.customer_kind")), classes="field-label")
                    yield Select([(Content(t("bizform.kind_" + k)), k) for k in CUSTOMER_KINDS],
                                 value=CUSTOMER_KINDS[0], id="customer-kind", allow_blank=False)
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Static(Content(t("bizform.materials")), classes="field-label")
                    yield SelectionList[str](id="materials")
                with Vertical():
                    yield Static(Content(t("bizform.situations")), classes="field-label")
                    yield SelectionList[str](
                        *[Selection(Content(s.label(lang)), key) for key, s in load_situations().items()],
                        id="situations",
                    )
            yield Static("", id="missing-line", classes="script-preview", markup=False)
            yield Static(Content(t("bizform.notes")), classes="field-label")
            yield PhraseArea(id="description", placeholder=t("bizform.notes_placeholder"))
            yield Static("", id="description-error", classes="field-error", markup=False)
            yield Static(Content(t("workorder.department")), classes="field-label")
            yield Select([], id="department", prompt=t("workorder.department_prompt"))
            yield Static("", id="department-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#description", PhraseArea).query_one("TextArea").styles.height = 3
        self._rebuild_materials()
        self.load_departments()

    def _choice(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    @property
    def business(self) -> BusinessType:
        return self.types[self._choice("#business-type") or next(iter(self.types))]

    def _situations(self) -> list[str]:
        return list(self.query_one("#situations", SelectionList).selected)

    def _rebuild_materials(self) -> None:
        lang = get_language()
        materials = self.business.materials(self._choice("#customer-kind") or "individual", self._situations())
        listing = self.query_one("#materials", SelectionList)
        had = set(listing.selected)
        listing.clear_options()
        listing.add_options([Selection(Content(m.label(lang)), m.id, m.id in had) for m in materials])
        if materials:
            listing.highlighted = 0  # so Space ticks the first item at once
        self._update_missing()
        self._select_department()

    @on(Select.Changed, "#business-type")
    @on(Select.Changed, "#customer-kind")
    @on(SelectionList.SelectedChanged, "#situations")
    def _inputs_changed(self) -> None:
        self._rebuild_materials()

    @on(SelectionList.SelectedChanged, "#materials")
    def _materials_changed(self) -> None:
        self._update_missing()

    def _missing_line(self) -> str:
        from agentdesk.business import missing_line

        have = set(self.query_one("#materials", SelectionList).selected)
        return missing_line(self.business, have, self._choice("#customer-kind") or "individual", get_language(),
                            self._situations())

    def _update_missing(self) -> None:
        line = self._missing_line()
        self.query_one("#missing-line", Static).update(Content(line or t("bizform.all_present")))
        self.query_one("#missing-line").set_class(bool(line), "-missing")

    def _select_department(self) -> None:
        default = next((d.id for d in self.departments if d.code == self.business.department), None)
        if default is not None:
            self.query_one("#department", Select).value = default

    @on(FormScreen.DepartmentsLoaded)
    def _departments_loaded(self, event: FormScreen.DepartmentsLoaded) -> None:
        self.departments = event.departments
        self.show_departments(self.departments, self.business.department)

    def on_saved(self, result: object) -> None:
        if isinstance(result, WorkOrderInfo):
            from agentdesk.business import complete_line
            from agentdesk.ui.text import fmt_time

            line = complete_line(self.business, result.number, fmt_time(result.resolve_by), get_language())
            self.dismiss(RequestOutcome(line, owed=True))
        elif isinstance(result, MaterialsMissing):  # every missing material told at once; nothing owed yet
            self.dismiss(RequestOutcome(result.line, owed=False))

    def action_save(self) -> None:
        self.clear_errors()
        line = self._missing_line()
        lang = get_language()
        business = self.business
        if line:
            have = set(self.query_one("#materials", SelectionList).selected)
            from agentdesk.business import missing

            gaps = [m.id for m in missing(business, have, self._choice("#customer-kind") or "individual",
                                          self._situations())]
            self.save_missing(business.id, gaps, line)
            return
        department = self.query_one("#department", Select).value
        notes = self.query_one("#description", PhraseArea).text.strip()
        description = business.name(lang) + (f": {notes}" if notes else "")
        self.save_order(business.work_order_kind, business.id, description,
                        department if isinstance(department, int) else -1)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_missing(self, business: str, gaps: list[str], line: str) -> FormScreen.Saved:
        self.desk.record_materials_missing(self.call_id, business=business, missing=gaps)
        return self.Saved(MaterialsMissing(line))

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_order(self, kind: str, business: str, description: str, department_id: int) -> FormScreen.Saved:
        return self.Saved(self.desk.create_work_order(
            self.call_id, kind=kind, severity="general", description=description, department_id=department_id,
            request_type="business", detail={"business": business}))
