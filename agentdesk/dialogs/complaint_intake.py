"""Complaint intake: apologise, listen, restate, tell when — with the contact details it needs."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, Select, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.dialogs.request_form import RequestForm, RequestOutcome
from agentdesk.i18n import get_language, t
from agentdesk.services.complaints import ComplaintInfo
from agentdesk.ui.text import excerpt, fmt_time
from agentdesk.widgets.phrase_area import PhraseArea


class ComplaintIntakeScreen(RequestForm):
    draft_form = "complaint"
    draft_fields = ("name", "phone", "target", "content", "fee-dispute")
    AUTO_FOCUS = "#target"
    BINDINGS = [
        Binding("ctrl+r", "refuse", "binding.refuse", id="complaint.refuse", priority=True),
    ]

    intro = "complaint.route"  # the routing line is read as the form opens

    def compose(self) -> ComposeResult:
        lang = get_language()
        cats = self.desk.complaint_categories()
        first = next(iter(cats.values()))
        with Vertical(classes="dialog wide"):
            yield Static(Content(t("complaint.title")), classes="dialog-title")
            opening = self.scripts.text("complaint.apologise") + " " + self.scripts.text("complaint.listen")
            yield Static(Content(opening), classes="script-preview")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Static(Content(t("complaint.name")), classes="field-label")
                    yield Input(self.caller.name, id="name")
                    yield Static("", id="name-error", classes="field-error", markup=False)
                with Vertical():
                    yield Static(Content(t("complaint.phone")), classes="field-label")
                    yield Input(self.caller.phone, id="phone")
                    yield Static("", id="phone-error", classes="field-error", markup=False)
            yield Static(Content(t("complaint.target")), classes="field-label")
            yield Input(id="target", placeholder=t("complaint.target_placeholder"))
            yield Static("", id="target-error", classes="field-error", markup=False)
            yield Static(Content(t("complaint.content")), classes="field-label")
            yield PhraseArea(id="content", placeholder=t("complaint.content_placeholder"))
            yield Static("", id="content-error", classes="field-error", markup=False)
            yield Static("", id="restate", classes="script-preview", markup=False)
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Static(Content(t("complaint.category")), classes="field-label")
                    yield Select([(Content(c.label(lang)), cid) for cid, c in cats.items()], value=first.id,
                                 id="category", allow_blank=False)
                    yield Static("", id="category-error", classes="field-error", markup=False)
                with Vertical():
                    yield Static(Content(t("complaint.subcategory")), classes="field-label")
                    yield Select([(Content(first.sub_label(s[0], lang)), s[0]) for s in first.subs],
                                 value=first.subs[0][0], id="subcategory", allow_blank=False)
                with Vertical():
                    yield Static(Content(t("workorder.department")), classes="field-label")
                    yield Select([], id="department", prompt=t("workorder.department_prompt"))
                    yield Static("", id="department-error", classes="field-error", markup=False)
            yield Checkbox(t("complaint.fee_dispute"), id="fee-dispute")
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#content", PhraseArea).query_one("TextArea").styles.height = 4
        self.load_departments()

    @on(Select.Changed, "#category")
    def _category_changed(self, event: Select.Changed) -> None:
        category = self.desk.complaint_categories().get(str(event.value))
        if category is None:
            return
        lang = get_language()
        sub = self.query_one("#subcategory", Select)
        sub.set_options([(Content(category.sub_label(s[0], lang)), s[0]) for s in category.subs])
        sub.value = category.subs[0][0]

    @on(PhraseArea.Checked, "#content")
    def _restate(self) -> None:
        text = excerpt(self.query_one("#content", PhraseArea).text)
        line = self.scripts.text("complaint.restate", content=text) if text else ""
        self.query_one("#restate", Static).update(Content(line))

    @on(FormScreen.DepartmentsLoaded)
    def _departments_loaded(self, event: FormScreen.DepartmentsLoaded) -> None:
        self.show_departments(event.departments, "CS")

    def _value(self, selector: str) -> object:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else value

    def action_save(self) -> None:
        self.clear_errors()
        subcategory, department = self._value("#subcategory"), self._value("#department")
        self.accept(
            name=self.query_one("#name", Input).value, phone=self.query_one("#phone", Input).value,
            target=self.query_one("#target", Input).value, content=self.query_one("#content", PhraseArea).text,
            category=str(self._value("#category") or ""),
            subcategory=subcategory if isinstance(subcategory, str) else None,
            fee_dispute=self.query_one("#fee-dispute", Checkbox).value,
            department_id=department if isinstance(department, int) else None,
        )

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def accept(self, *, name: str, phone: str, target: str, content: str, category: str, subcategory: str | None,
               fee_dispute: bool, department_id: int | None) -> FormScreen.Saved:
        return self.Saved(self.desk.accept_complaint(
            self.call_id, name=name, phone=phone, target=target, content=content, category=category,
            subcategory=subcategory, fee_dispute=fee_dispute, department_id=department_id))

    def action_refuse(self) -> None:
        self.clear_errors()
        self.refuse(self.query_one("#name", Input).value, self.query_one("#phone", Input).value)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def refuse(self, name: str, phone: str) -> FormScreen.Saved:
        return self.Saved(self.desk.refuse_complaint(self.call_id, name=name, phone=phone))

    def on_saved(self, result: object) -> None:
        if isinstance(result, ComplaintInfo):
            line = self.scripts.text("complaint.accepted", order_number=result.order_number,
                                  reply_by=fmt_time(result.reply_by or result.resolve_by))
            self.dismiss(RequestOutcome(line, owed=True))  # a work order now owes the caller a reply
        else:
            self.dismiss(RequestOutcome(self.scripts.text("complaint.refuse_no_contact"), owed=False))
