"""One call, step by step: greeting, identify the caller, outage check, the request, closing.

The screen keeps the call's state in plain data; every change goes through
``agentdesk.services`` in a worker, one Session per unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import get_language, t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.calls import CallerInfo, CallInfo, FollowUpInfo, WorkOrderInfo
from agentdesk.services.customers import CustomerCard, CustomerHit
from agentdesk.services.outages import OutageInfo
from agentdesk.ui.drafts import DraftKeeper
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, safe
from agentdesk.ui.worker_errors import error_text
from agentdesk.widgets.customer_card import CustomerCardView
from agentdesk.widgets.outage_alert import OutageAlert
from agentdesk.widgets.outage_banner import OutageBanner
from agentdesk.widgets.phrase_area import PhraseArea
from agentdesk.widgets.script_panel import ScriptPanel
from agentdesk.widgets.status_bar import StatusBar

STEP_IDENTIFY, STEP_CARD, STEP_CLOSING = "step-identify", "step-card", "step-closing"


@dataclass(frozen=True)
class CallEnded:
    """What the desk shows after the call: its id and whether the summary was flagged."""

    call_id: int
    phrase_flag: bool


class CallScreen(DraftKeeper, LocalizedBindings, Screen[CallEnded | None]):
    # Focus is placed by step (see go()); a default would send keys to a hidden field.
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("ctrl+n", "unregistered", "binding.unregistered", id="call.unregistered"),
        Binding("down", "focus_results", "binding.results", id="call.results", show=False),
        Binding("1", "request('consult')", "binding.consult", id="call.consult"),
        Binding("2", "request('complaint')", "binding.complaint", id="call.complaint"),
        Binding("3", "request('repair')", "binding.repair", id="call.repair"),
        Binding("4", "request('business')", "binding.business", id="call.business"),
        Binding("5", "request('praise')", "binding.praise", id="call.praise"),
        Binding("o", "link_outage", "binding.link_outage", id="call.link_outage"),
        Binding("ctrl+f", "reidentify", "binding.reidentify", id="call.reidentify"),
        Binding("ctrl+e", "closing", "binding.closing", id="call.closing", priority=True),
        Binding("escape", "back_to_requests", "binding.more_requests", id="call.more"),
        Binding("ctrl+s", "finish", "binding.finish", id="call.finish", priority=True),
    ]

    draft_form = "call"
    draft_fields = ("summary",)

    def __init__(self, login: LoginResult, *, resume_call_id: int | None = None) -> None:
        super().__init__()
        self.login = login
        self.resume_call_id = resume_call_id
        self.call: CallInfo | None = None
        self.caller: CallerInfo | None = None
        self.card: CustomerCard | None = None
        self.outage: OutageInfo | None = None
        self.step = STEP_IDENTIFY
        self.unsolved = False
        self._hits: list[CustomerHit] = []

    # ---- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        agent = self.login.agent
        yield StatusBar(f"{agent.number} · {agent.name} · {t('role.' + agent.role)}",
                        self.app.policy_label, self.login.shift.started_at)  # type: ignore[attr-defined]
        yield OutageBanner()
        yield ScriptPanel(id="script")
        with ContentSwitcher(initial=STEP_IDENTIFY, id="steps"):
            with Vertical(id=STEP_IDENTIFY):
                yield Static(Content(t("call.identify_title")), classes="step-title")
                yield Input(id="caller-search", placeholder=t("call.search_placeholder"))
                yield DataTable(id="caller-results", cursor_type="row", zebra_stripes=True)
                yield Static(Content(t("call.identify_hint")), classes="step-hint")
            with VerticalScroll(id=STEP_CARD):
                yield Vertical(id="card-holder")
                yield Static(Content(t("call.request_hint")), classes="step-hint", id="request-hint")
            with Vertical(id=STEP_CLOSING):
                yield Static(Content(t("call.closing_title")), classes="step-title")
                yield Static(Content(t("call.summary_label")), classes="field-label")
                yield PhraseArea(id="summary", placeholder=t("call.summary_placeholder"))
                yield Static("", id="closing-error", classes="field-error", markup=False)
                yield Static(Content(t("call.closing_hint")), classes="step-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#caller-results", DataTable)
        # Fixed widths in terminal cells: CJK names and areas line up whatever the data.
        for key, width in (("col_name", 16), ("col_code", 14), ("col_phone", 14), ("col_area", 32), ("col_tier", 12)):
            table.add_column(t("call." + key), key=key, width=width)
        if self.resume_call_id is not None:
            self.resume(self.resume_call_id)
            return
        self.script(self.scripts.text("greeting", agent_number=self.login.agent.number))
        self.script(self.scripts.text("identify.ask"))
        self.query_one("#caller-search", Input).focus()
        self.start()

    def draft_key(self) -> str | None:
        return str(self.call.id) if self.call is not None else None

    def draft_agent_id(self) -> int:
        return self.login.agent.id

    @on(PhraseArea.Checked, "#summary")
    def _summary_edited(self) -> None:
        self.draft_changed()

    @work(thread=True, exclusive=True, group="resume", exit_on_error=False)
    def resume(self, call_id: int):  # type: ignore[no-untyped-def]
        from agentdesk import clock
        from agentdesk.services.calls import resume_call
        from agentdesk.services.customers import customer_card
        from agentdesk.services.drafts import load_draft
        from agentdesk.services.outages import active_outage_for_area

        with self._db().read() as session:
            call, caller, owed = resume_call(session, call_id, actor=self.login.agent)
            card = customer_card(session, caller.customer_id, clock.now()) if caller and caller.customer_id else None
            outage = active_outage_for_area(session, card.area_name) if card else None
            draft = load_draft(session, self.login.agent.id, "call", str(call_id))
        return call, caller, card, outage, owed, draft

    def show_resumed(self, call, caller, card, outage, owed, draft) -> None:  # type: ignore[no-untyped-def]
        self.call = call
        self.unsolved = owed
        self.script(t("draft.call_resumed", id=call.id))
        if caller is None:
            self.go(STEP_IDENTIFY)
        else:
            self.show_caller(caller, card, outage)
        if draft is not None:
            self.restore_values(draft.values)
            if draft.values.get("summary"):
                self.action_closing()

    @property
    def scripts(self):  # type: ignore[no-untyped-def]
        from agentdesk.scripts import load_scripts

        return load_scripts(get_language())

    def script(self, *lines: str) -> None:
        self.query_one(ScriptPanel).say(*lines)

    def go(self, step: str) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = step
        self.refresh_bindings()
        if step == STEP_IDENTIFY:
            self.query_one("#caller-search", Input).focus()
        elif step == STEP_CLOSING:
            self.query_one("#summary", PhraseArea).focus()
        else:
            # The card step's scroll area holds focus: digits reach the screen's
            # bindings, and a closing form gives focus back here.
            self.query_one(f"#{STEP_CARD}").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        identified = self.caller is not None
        if action in ("unregistered", "focus_results"):
            return self.step == STEP_IDENTIFY
        if action == "request":
            return self.step == STEP_CARD and identified
        if action == "link_outage":
            return self.step == STEP_CARD and self.outage is not None
        if action == "reidentify":
            return self.step == STEP_CARD
        if action == "closing":
            return self.step != STEP_CLOSING
        if action in ("finish", "back_to_requests"):
            return self.step == STEP_CLOSING
        return True

    # ---- workers: each a unit of work on its own Session --------------------------------

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="call-start", exit_on_error=False)
    def start(self) -> CallInfo:
        from agentdesk.services.calls import start_call

        with self._db().write() as session:
            return start_call(session, actor=self.login.agent, shift_id=self.login.shift.id)

    @on(Input.Changed, "#caller-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search(self, query: str) -> tuple[str, list[CustomerHit]]:
        from agentdesk.services.customers import search_customers

        with self._db().read() as session:
            return query, search_customers(session, query)

    def show_hits(self, query: str, hits: list[CustomerHit]) -> None:
        if query != self.query_one("#caller-search", Input).value:
            return  # typed on since: a newer search is on its way
        self._hits = hits
        table = self.query_one("#caller-results", DataTable)
        table.clear()
        for hit in hits:
            table.add_row(safe(hit.name), safe(hit.user_code), safe(hit.phone_masked),
                          safe(hit.area_name), Content(t("tier." + hit.tier)), key=str(hit.id))

    def action_focus_results(self) -> None:
        table = self.query_one("#caller-results", DataTable)
        if table.row_count:
            table.focus()

    @on(Input.Submitted, "#caller-search")
    def _search_submitted(self) -> None:
        # Enter in the box takes the best match (exact ones come first); ↓ to choose another.
        # Keys typed in a burst (↓ then Enter) land here before focus moves: same outcome.
        if self._hits:
            self.identify(self._hits[0].id)

    @on(DataTable.RowSelected, "#caller-results")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.identify(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="identify", exit_on_error=False)
    def identify(self, customer_id: int) -> tuple[CallerInfo, CustomerCard, OutageInfo | None]:
        from agentdesk import clock
        from agentdesk.services.calls import identify_customer
        from agentdesk.services.customers import customer_card
        from agentdesk.services.outages import active_outage_for_area

        call = self._wait_call()
        with self._db().write() as session:
            caller = identify_customer(session, call.id, customer_id, actor=self.login.agent)
            card = customer_card(session, customer_id, clock.now())
            outage = active_outage_for_area(session, card.area_name)
        return caller, card, outage

    def _wait_call(self) -> CallInfo:
        # The call row is written as the screen opens; an agent this quick waits a moment.
        import time

        for _ in range(200):
            if self.call is not None:
                return self.call
            time.sleep(0.05)
        raise RuntimeError("call not started")

    def show_caller(self, caller: CallerInfo, card: CustomerCard | None, outage: OutageInfo | None) -> None:
        self.caller, self.card, self.outage = caller, card, outage
        holder = self.query_one("#card-holder", Vertical)
        holder.remove_children()
        if outage is not None:
            holder.mount(OutageAlert(outage))
        holder.mount(CustomerCardView(card, caller))
        if card is not None:
            self.script(self.scripts.text("identify.confirm", customer_name=caller.name))
        if outage is not None:
            services = "、".join(t("service." + s) for s in outage.services) or "—"
            self.script(self.scripts.text("outage.notice", area=caller.area_name, services=services,
                                          cause=outage.cause, eta=fmt_time(outage.eta)))
        self.go(STEP_CARD)

    # ---- actions ------------------------------------------------------------------------

    def action_unregistered(self) -> None:
        from agentdesk.dialogs.unregistered import UnregisteredScreen

        self.script(self.scripts.text("identify.unregistered"))
        call = self.call
        if call is None:
            return
        self.app.push_screen(UnregisteredScreen(call.id, self.login.agent), self._unregistered_done)

    def _unregistered_done(self, caller: CallerInfo | None) -> None:
        if caller is not None:
            self.show_caller(caller, None, None)

    def action_reidentify(self) -> None:
        self.caller = self.card = self.outage = None
        self.go(STEP_IDENTIFY)

    def action_request(self, kind: str) -> None:
        call, caller = self.call, self.caller
        if call is None or caller is None:
            return
        if kind == "consult":
            from agentdesk.dialogs.consult import ConsultScreen

            self.app.push_screen(ConsultScreen(call.id, caller, self.login.agent), self._consult_done)
        elif kind == "repair":
            from agentdesk.dialogs.work_order_form import WorkOrderFormScreen

            self.app.push_screen(WorkOrderFormScreen(call.id, caller, self.login.agent), self._order_done)
        elif kind == "business":
            from agentdesk.dialogs.business_form import BusinessFormScreen

            self.app.push_screen(BusinessFormScreen(call.id, caller, self.login.agent), self._business_done)
        elif kind == "complaint":
            from agentdesk.dialogs.complaint_intake import ComplaintIntakeScreen

            self.script(self.scripts.text("complaint.route"))
            self.app.push_screen(ComplaintIntakeScreen(call.id, caller, self.login.agent), self._complaint_done)
        elif kind == "praise":
            from agentdesk.dialogs.praise import PraiseScreen

            self.app.push_screen(PraiseScreen(call.id, self.login.agent), self._praise_done)

    def _consult_done(self, result: Any) -> None:
        if result is None:
            return
        if isinstance(result, FollowUpInfo):
            self.unsolved = True
            phone = self.caller.phone if self.caller else ""
            self.script(self.scripts.text("consult.cant_answer", reply_by=fmt_time(result.due_at), contact_phone=phone))
        else:
            self.script(self.scripts.text("consult.answer"))
        self.action_closing()

    def _order_done(self, result: WorkOrderInfo | None) -> None:
        if result is None:
            return
        self.unsolved = True
        self.script(self.scripts.text("repair.confirm", order_number=result.number, department=result.department,
                                      respond_by=fmt_time(result.contact_by or result.respond_by),
                                      resolve_by=fmt_time(result.resolve_by)))
        self.action_closing()

    def _business_done(self, result: Any) -> None:
        if result is None:
            return
        if hasattr(result, "order"):
            self.unsolved = True
        # Either the acceptance line, or every missing material told at once.
        self.script(result.line)
        self.action_closing()

    def _complaint_done(self, result: Any) -> None:
        if result is None:
            return
        if hasattr(result, "info"):
            self.unsolved = True  # a work order now owes the caller a reply
        self.script(result.line)
        self.action_closing()

    def _praise_done(self, result: Any) -> None:
        if result is not None:
            self.script(self.scripts.text("praise.archived"))
            self.action_closing()

    def action_link_outage(self) -> None:
        if self.call and self.outage:
            self.link_outage(self.call.id, self.outage.id)

    @work(thread=True, exclusive=True, group="outage-link", exit_on_error=False)
    def link_outage(self, call_id: int, outage_id: int) -> None:
        from agentdesk.services.outages import link_call

        with self._db().write() as session:
            link_call(session, call_id, outage_id, actor=self.login.agent)

    def action_closing(self) -> None:
        self.script(self.scripts.text("closing.anything_else"))
        self.go(STEP_CLOSING)

    def action_back_to_requests(self) -> None:
        self.go(STEP_CARD if self.caller else STEP_IDENTIFY)

    def action_finish(self) -> None:
        if self.call is None:
            return
        if self.unsolved:
            from agentdesk.dialogs.checklist import ChecklistScreen

            self.app.push_screen(ChecklistScreen(), self._checklist_done)
        else:
            self.close_call(self.call.id, self.query_one("#summary", PhraseArea).text, None)

    def _checklist_done(self, ticks: dict[str, bool] | None) -> None:
        if ticks is not None and self.call is not None:
            self.close_call(self.call.id, self.query_one("#summary", PhraseArea).text, ticks)

    @work(thread=True, exclusive=True, group="close", exit_on_error=False)
    def close_call(self, call_id: int, summary: str, ticks: dict[str, bool] | None) -> CallEnded:
        from agentdesk.services.calls import close_call

        with self._db().write() as session:
            flagged = close_call(session, call_id, summary=summary, checklist=ticks, actor=self.login.agent)
        return CallEnded(call_id, flagged)

    def _discard_call_drafts(self, call_id: int) -> None:
        from functools import partial

        from agentdesk.services.drafts import delete_drafts

        def discard(agent_id: int, key: str) -> None:
            with self.app.database().write() as session:  # type: ignore[attr-defined]
                delete_drafts(session, agent_id, key=key)

        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.app.run_worker(partial(discard, self.login.agent.id, str(call_id)), thread=True,
                            group="draft-discard", exit_on_error=False)

    # ---- results from the workers -----------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if state == WorkerState.ERROR:
            error = worker.error
            text = error_text(error)
            if worker.group == "close":
                closing_error = self.query_one("#closing-error", Static)
                closing_error.update(Content(text))
                closing_error.add_class("-shown")
            else:
                self.notify(text, severity="error", markup=False)
            return
        if state != WorkerState.SUCCESS:
            return
        result = worker.result
        if worker.group == "call-start":
            self.call = result  # type: ignore[assignment]
        elif worker.group == "search":
            query, hits = result  # type: ignore[misc]
            self.show_hits(query, hits)
        elif worker.group == "identify":
            self.show_caller(*result)  # type: ignore[misc]
        elif worker.group == "outage-link":
            self.script(self.scripts.text("outage.archived"))
            self.notify(t("call.outage_linked"), markup=False)
            self.outage = None
            self.action_closing()
        elif worker.group == "resume":
            self.show_resumed(*result)  # type: ignore[misc]
        elif worker.group == "close":
            self.script(self.scripts.text("closing.goodbye"))
            self._discard_call_drafts(result.call_id)  # type: ignore[union-attr]
            self.dismiss(result)
