"""Consultation: search the knowledge base, read the answer, or owe the caller a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Static

from agentdesk.dialogs.form import FormScreen
from agentdesk.dialogs.request_form import RequestForm, RequestOutcome
from agentdesk.i18n import t
from agentdesk.normalize import cjk_wrap
from agentdesk.services.calls import CallerInfo, FollowUpInfo
from agentdesk.services.kb import KbArticleView, KbHit
from agentdesk.ui.key_names import KeyNames
from agentdesk.ui.text import fmt_time, plain, safe


class ConsultScreen(RequestForm):
    AUTO_FOCUS = "#kb-query"
    SUBMIT_FIELDS = ("kb-query",)  # Enter opens the first result
    BINDINGS = [
        Binding("down", "focus_results", "binding.results", id="consult.results", show=False),
        Binding("ctrl+a", "answered", "binding.answered", id="consult.answered", priority=True),
        Binding("ctrl+n", "follow_up", "binding.cant_answer", id="consult.follow_up", priority=True),
    ]

    @dataclass
    class HitsFound(Message):
        query: str
        hits: list[KbHit]
        refused: str  # why the search was refused, said where the results would be

    @dataclass
    class ArticleLoaded(Message):
        article: KbArticleView

    @dataclass
    class DueFound(Message):
        due: datetime

    def __init__(self, call_id: int, caller: CallerInfo) -> None:
        super().__init__(call_id, caller)
        self.article: KbArticleView | None = None
        self.follow_up_open = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Content(t("consult.title")), classes="dialog-title")
            yield Input(id="kb-query", placeholder=t("consult.search_placeholder"))
            with Horizontal(id="kb-body"):
                yield DataTable(id="kb-results", cursor_type="row")
                with VerticalScroll(id="kb-article"):
                    yield Static(Content(t("consult.no_article")), id="kb-article-text")
            with Vertical(id="follow-up"):
                yield Static(Content(t("consult.question")), classes="field-label")
                yield Input(id="question", placeholder=t("consult.question_placeholder"))
                yield Static("", id="question-error", classes="field-error", markup=False)
                yield Static(Content(t("consult.contact_phone")), classes="field-label")
                yield Input(self.caller.phone, id="phone")
                yield Static("", id="phone-error", classes="field-error", markup=False)
                yield Static("", id="due-preview", classes="deadline-preview", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#kb-results", DataTable)
        table.add_column(t("consult.col_title"), key="title", width=30)
        table.add_column(t("consult.col_category"), key="category", width=10)
        self.query_one("#follow-up").display = False
        self.search("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "save_after_typing"):
            return self.follow_up_open
        if action == "follow_up":
            return not self.follow_up_open
        return True

    @on(Input.Changed, "#kb-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="kb-search", exit_on_error=False)
    def search(self, query: str) -> HitsFound:
        from agentdesk.services.errors import InvalidInput

        try:
            return self.HitsFound(query, self.desk.kb_search(query), "")
        except InvalidInput as exc:  # said where the results would be, gone with the next search
            return self.HitsFound(query, [], exc.message())

    def action_focus_results(self) -> None:
        if self.focused is self.query_one("#kb-query"):
            self.query_one("#kb-results", DataTable).focus()

    @on(Input.Submitted, "#kb-query")
    def _query_submitted(self) -> None:
        table = self.query_one("#kb-results", DataTable)
        if table.row_count:
            table.focus()
            table.action_select_cursor()

    @on(DataTable.RowHighlighted, "#kb-results")
    @on(DataTable.RowSelected, "#kb-results")
    def _open(self, event: DataTable.RowHighlighted | DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.load_article(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="kb-article", exit_on_error=False)
    def load_article(self, article_id: int) -> ArticleLoaded:
        return self.ArticleLoaded(self.desk.kb_article(article_id))

    @on(HitsFound)
    def _hits_found(self, event: HitsFound) -> None:
        if event.query != self.query_one("#kb-query", Input).value:
            return
        table = self.query_one("#kb-results", DataTable)
        table.clear()
        for hit in event.hits:
            table.add_row(safe(hit.title), safe(hit.category), key=str(hit.id))
        if not event.hits:
            self.article = None
            empty = event.refused or t("consult.no_results", key=KeyNames(self))
            self.query_one("#kb-article-text", Static).update(Content(empty))

    @on(ArticleLoaded)
    def _article_loaded(self, event: ArticleLoaded) -> None:
        article = self.article = event.article
        self.query_one("#kb-article-text", Static).update(
            Content.assemble((plain(article.title), "bold"), "\n\n", cjk_wrap(plain(article.body)))
        )

    @on(DueFound)
    def _due_found(self, event: DueFound) -> None:
        self.query_one("#due-preview", Static).update(Content(t("consult.due_preview", due=fmt_time(event.due))))

    def action_answered(self) -> None:
        question = self.query_one("#kb-query", Input).value
        self.answered(self.article.id if self.article else None, self.article.title if self.article else question)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def answered(self, article_id: int | None, question: str) -> FormScreen.Saved:
        self.desk.consult_answered(self.call_id, article_id=article_id, question=question)
        return self.Saved(None)

    def action_follow_up(self) -> None:
        self.follow_up_open = True
        self.query_one("#follow-up").display = True
        self.query_one("#kb-body").styles.height = 6  # room for the follow-up and its deadline
        question = self.query_one("#question", Input)
        if not question.value:
            question.value = self.query_one("#kb-query", Input).value
        question.focus()
        self.refresh_bindings()
        self.due_preview()

    @work(thread=True, exclusive=True, group="due", exit_on_error=False)
    def due_preview(self) -> DueFound:
        return self.DueFound(self.desk.follow_up_due(self.call_id))

    def action_save(self) -> None:
        self.clear_errors()
        self.save_follow_up(self.query_one("#question", Input).value, self.query_one("#phone", Input).value)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_follow_up(self, question: str, phone: str) -> FormScreen.Saved:
        return self.Saved(self.desk.consult_follow_up(self.call_id, question=question, contact_phone=phone))

    def on_saved(self, result: object) -> None:
        if isinstance(result, FollowUpInfo):
            line = self.scripts.text("consult.cant_answer", reply_by=fmt_time(result.due_at),
                                     contact_phone=self.caller.phone)
            self.dismiss(RequestOutcome(line, owed=True))
        else:
            self.dismiss(RequestOutcome(self.scripts.text("consult.answer"), owed=False))
