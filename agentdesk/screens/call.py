"""One call, step by step: greeting, identify the caller, outage check, the request, closing.

The screen keeps the call's state in plain data; every change goes through the desk's
facade in a worker, which replies with a message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Footer, Input, Static

from agentdesk.client.desk import Identified, ResumedCall
from agentdesk.i18n import get_language, t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.calls import CallerInfo, CallInfo
from agentdesk.services.customers import CustomerCard, CustomerHit
from agentdesk.services.outages import OutageInfo
from agentdesk.services.requests import REQUESTS
from agentdesk.ui.base import Quit, ScreenBase
from agentdesk.ui.drafts import DraftKeeper
from agentdesk.ui.key_names import KeyNames
from agentdesk.ui.text import fmt_time, safe
from agentdesk.widgets.customer_card import CustomerCardView
from agentdesk.widgets.outage_alert import OutageAlert
from agentdesk.widgets.outage_banner import OutageBanner
from agentdesk.widgets.phrase_area import PhraseArea
from agentdesk.widgets.script_panel import ScriptPanel
from agentdesk.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from agentdesk.dialogs.request_form import RequestOutcome
    from agentdesk.scripts import ScriptBook

STEP_IDENTIFY, STEP_CARD, STEP_CLOSING = "step-identify", "step-card", "step-closing"
#: A second Ctrl+Q within this many seconds ends the desk during a call.
QUIT_CONFIRM_SECONDS = 3


@dataclass(frozen=True)
class CallEnded:
    """What the desk shows after the call: its id and whether the summary was flagged."""

    call_id: int
    phrase_flag: bool


class CallScreen(DraftKeeper, ScreenBase[CallEnded | None]):
    # Focus is placed by step (see go()); a default would send keys to a hidden field.
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("ctrl+n", "unregistered", "binding.unregistered", id="call.unregistered"),
        Binding("down", "focus_results", "binding.results", id="call.results", show=False),
        # One key per request type, from the table of request types.
        *(Binding(r.key, f"request('{r.code}')", "binding." + r.code, id="call." + r.code) for r in REQUESTS),
        Binding("o", "link_outage", "binding.link_outage", id="call.link_outage"),
        Binding("ctrl+f", "reidentify", "binding.reidentify", id="call.reidentify"),
        Binding("ctrl+e", "closing", "binding.closing", id="call.closing", priority=True),
        Binding("escape", "back_to_requests", "binding.more_requests", id="call.more"),
        Binding("ctrl+s", "finish", "binding.finish", id="call.finish", priority=True),
    ]

    draft_form = "call"
    draft_fields = ("summary",)

    @dataclass
    class Started(Message):
        call: CallInfo

    @dataclass
    class Resumed(Message):
        resumed: ResumedCall

    @dataclass
    class HitsFound(Message):
        query: str
        hits: list[CustomerHit]

    @dataclass
    class CallerIdentified(Message):
        identified: Identified

    @dataclass
    class OutageLinked(Message):
        pass

    @dataclass
    class Closed(Message):
        ended: CallEnded

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
        self._quit_armed_at = -1e9

    # ---- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        agent = self.login.agent
        yield StatusBar(f"{agent.number} · {agent.name} · {t('role.' + agent.role)}",
                        self.host.policy_label, self.login.shift.started_at)
        yield OutageBanner()
        yield ScriptPanel(id="script")
        with ContentSwitcher(initial=STEP_IDENTIFY, id="steps"):
            with Vertical(id=STEP_IDENTIFY):
                yield Static(Content(t("call.identify_title")), classes="step-title")
                yield Input(id="caller-search", placeholder=t("call.search_placeholder"))
                yield DataTable(id="caller-results", cursor_type="row", zebra_stripes=True)
                yield Static(Content(t("call.identify_hint", key=KeyNames(self))), classes="step-hint")
            with VerticalScroll(id=STEP_CARD):
                yield Vertical(id="card-holder")
                yield Static(Content(t("call.request_hint", key=KeyNames(self))), classes="step-hint",
                             id="request-hint")
            with Vertical(id=STEP_CLOSING):
                yield Static(Content(t("call.closing_title")), classes="step-title")
                yield Static(Content(t("call.summary_label")), classes="field-label")
                yield PhraseArea(id="summary", placeholder=t("call.summary_placeholder"))
                yield Static("", id="closing-error", classes="field-error", markup=False)
                yield Static(Content(t("call.closing_hint", key=KeyNames(self))), classes="step-hint")
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

    @on(PhraseArea.Checked, "#summary")
    def _summary_edited(self) -> None:
        self.draft_changed()

    @work(thread=True, exclusive=True, group="resume", exit_on_error=False)
    def resume(self, call_id: int) -> Resumed:
        return self.Resumed(self.desk.resume_call(call_id))

    @on(Resumed)
    def _resumed(self, event: Resumed) -> None:
        resumed = event.resumed
        self.call = resumed.call
        self.unsolved = resumed.owed
        self.script(t("draft.call_resumed", id=resumed.call.id))
        if resumed.identified is None:
            self.go(STEP_IDENTIFY)
        else:
            self.show_caller(resumed.identified)
        if resumed.draft is not None:
            self.restore_values(resumed.draft.values)
            if resumed.draft.values.get("summary"):
                self.action_closing()

    @property
    def scripts(self) -> ScriptBook:
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

    def quit_requested(self) -> Quit:
        """During a call, only when asked twice, so a stray Ctrl+Q loses nothing."""
        now = time.monotonic()
        if now - self._quit_armed_at > QUIT_CONFIRM_SECONDS:
            self._quit_armed_at = now
            self.notify(t("app.quit_in_call", key=KeyNames(self)), severity="warning", markup=False)
            return Quit.HANDLED
        return Quit.EXIT

    # ---- workers: each a unit of work through the facade ---------------------------------

    @work(thread=True, exclusive=True, group="call-start", exit_on_error=False)
    def start(self) -> Started:
        return self.Started(self.desk.start_call())

    @on(Started)
    def _started(self, event: Started) -> None:
        self.call = event.call

    @on(Input.Changed, "#caller-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search(self, query: str) -> HitsFound:
        return self.HitsFound(query, self.desk.search_customers(query))

    @on(HitsFound)
    def _hits_found(self, event: HitsFound) -> None:
        if event.query != self.query_one("#caller-search", Input).value:
            return  # typed on since: a newer search is on its way
        self._hits = event.hits
        table = self.query_one("#caller-results", DataTable)
        table.clear()
        for hit in event.hits:
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
    def identify(self, customer_id: int) -> CallerIdentified:
        call = self._wait_call()
        return self.CallerIdentified(self.desk.identify(call.id, customer_id))

    def _wait_call(self) -> CallInfo:
        # The call row is written as the screen opens; an agent this quick waits a moment.
        for _ in range(200):
            if self.call is not None:
                return self.call
            time.sleep(0.05)
        raise RuntimeError("call not started")

    @on(CallerIdentified)
    def _identified(self, event: CallerIdentified) -> None:
        self.show_caller(event.identified)

    def show_caller(self, identified: Identified) -> None:
        caller, card, outage = identified.caller, identified.card, identified.outage
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
        self.app.push_screen(UnregisteredScreen(call.id), self._unregistered_done)

    def _unregistered_done(self, caller: CallerInfo | None) -> None:
        if caller is not None:
            self.show_caller(Identified(caller, None, None))

    def action_reidentify(self) -> None:
        self.caller = self.card = self.outage = None
        self.go(STEP_IDENTIFY)

    def action_request(self, code: str) -> None:
        """Open the form of a request type (the table in ``agentdesk/services/requests.py``)."""
        from agentdesk.dialogs.requests import request_form

        call, caller = self.call, self.caller
        if call is None or caller is None:
            return
        form = request_form(code, call.id, caller)
        if form.intro:
            self.script(self.scripts.text(form.intro))
        self.app.push_screen(form, self._request_done)

    def _request_done(self, outcome: RequestOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.owed:
            self.unsolved = True
        self.script(outcome.line)
        self.action_closing()

    def action_link_outage(self) -> None:
        if self.call and self.outage:
            self.link_outage(self.call.id, self.outage.id)

    @work(thread=True, exclusive=True, group="outage-link", exit_on_error=False)
    def link_outage(self, call_id: int, outage_id: int) -> OutageLinked:
        self.desk.link_outage(call_id, outage_id)
        return self.OutageLinked()

    @on(OutageLinked)
    def _outage_linked(self) -> None:
        self.script(self.scripts.text("outage.archived"))
        self.notify(t("call.outage_linked"), markup=False)
        self.outage = None
        self.action_closing()

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
    def close_call(self, call_id: int, summary: str, ticks: dict[str, bool] | None) -> Closed:
        flagged = self.desk.close_call(call_id, summary=summary, checklist=ticks)
        return self.Closed(CallEnded(call_id, flagged))

    @on(Closed)
    def _call_closed(self, event: Closed) -> None:
        self.script(self.scripts.text("closing.goodbye"))
        self.discard_drafts(str(event.ended.call_id))
        self.dismiss(event.ended)

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.errors import Unauthenticated

        if group != "close" or isinstance(error, Unauthenticated):
            super().worker_failed(group, error)
            return
        from agentdesk.ui.worker_errors import error_text

        closing_error = self.query_one("#closing-error", Static)
        closing_error.update(Content(error_text(error)))
        closing_error.add_class("-shown")
