"""One work order: its clocks, badge, delays and full history; the actions on it."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.ui.localized import LocalizedBindings
from agentdesk.ui.text import fmt_time, plain, safe
from agentdesk.ui.worker_errors import error_text
from agentdesk.widgets.deadline_badge import badge

CLOCKS = ("respond_by", "contact_by", "reply_by", "resolve_by", "callback_by")
OPEN = ("new", "dispatched", "in_progress")


class WorkOrderDetailScreen(LocalizedBindings, Screen[None]):
    AUTO_FOCUS = "#history"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "binding.back", id="order.back"),
        Binding("s", "change_status", "binding.change_status", id="order.status"),
        Binding("z", "pause_toggle", "binding.pause_toggle", id="order.pause"),
        Binding("d", "request_delay", "binding.request_delay", id="order.delay"),
        Binding("a", "decide_delay(True)", "binding.approve_delay", id="order.approve"),
        Binding("x", "decide_delay(False)", "binding.reject_delay", id="order.reject"),
        Binding("u", "urge", "binding.urge", id="order.urge"),
        Binding("e", "escalate", "binding.escalate", id="order.escalate"),
    ]

    def __init__(self, login: LoginResult, order_id: int) -> None:
        super().__init__()
        self.login = login
        self.order_id = order_id
        self.detail: Any = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="order-top"):
            yield Static("", id="order-head", markup=False)
            with Horizontal(id="order-body"):
                yield Static("", id="order-info", markup=False)
                yield Static("", id="order-clocks", markup=False)
            yield Static("", id="order-delays", markup=False)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for key, width in (("at", 12), ("who", 14), ("what", 18), ("detail", 70)):
            table.add_column(t("order.col_" + key), key=key, width=width)
        self.load()

    def _db(self):  # type: ignore[no-untyped-def]
        return self.app.database()  # type: ignore[attr-defined]

    @property
    def is_lead(self) -> bool:
        return self.login.agent.is_lead

    def _pending_delay(self):  # type: ignore[no-untyped-def]
        if self.detail is None:
            return None
        return next((d for d in self.detail.delays if d.status == "pending"), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.detail is None:
            return action == "app.pop_screen" or None
        row = self.detail.row
        is_open = row.status in OPEN
        if action == "pause_toggle":
            return is_open
        if action == "request_delay":
            return is_open and self._pending_delay() is None
        if action == "decide_delay":
            return self.is_lead and self._pending_delay() is not None
        if action in ("urge", "escalate"):
            return self.is_lead and is_open
        return True

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self):  # type: ignore[no-untyped-def]
        from agentdesk.services.workorders import get_order

        with self._db().read() as session:
            return get_order(session, self.order_id)

    def show(self, detail: Any) -> None:
        self.detail = detail
        row = detail.row
        head = Content.assemble((plain(row.number), "bold"), "  ", badge(row.badge), "  ",
                                t("status." + row.status), "  ·  ", t("kind." + row.kind), "  ·  ",
                                t("severity." + row.severity), "  ·  ", t("escalation." + row.escalation_level))
        self.query_one("#order-head", Static).update(head)
        colon = t("ui.colon")
        info = [
            (t("orders.col_customer"), row.customer_name), (t("orders.col_phone"), row.phone_masked),
            (t("orders.col_department"), row.department), (t("card.area"), t("area." + detail.area_class)),
            (t("order.tier"), t("tier." + detail.tier)), (t("order.description"), detail.description),
        ]
        self.query_one("#order-info", Static).update(
            Content("\n").join(Content.assemble((label + colon, "bold"), plain(value)) for label, value in info))
        clocks = [Content.assemble((t("clock." + c) + colon, "bold"), fmt_time(detail.deadlines.get(c)))
                  for c in CLOCKS if detail.deadlines.get(c)]
        self.query_one("#order-clocks", Static).update(Content("\n").join(clocks))
        delays = [
            t("order.delay_line", status=t("delay.status_" + d.status), deadline=fmt_time(d.proposed_deadline),
              by=d.requested_by, reason=plain(d.reason))
            for d in detail.delays
        ]
        self.query_one("#order-delays", Static).update(Content("\n".join(delays)))
        table = self.query_one("#history", DataTable)
        table.clear()
        for event in detail.events:
            who = f"{event.agent_number or ''} {event.agent_name or ''}".strip() or "—"
            table.add_row(Content(fmt_time(event.at)), safe(who), Content(t_event(event.kind)), safe(event.detail))
        self.refresh_bindings()

    # ---- actions ------------------------------------------------------------------------

    def action_change_status(self) -> None:
        from agentdesk.dialogs.status_change import StatusChangeScreen

        if self.detail:
            self.app.push_screen(StatusChangeScreen(self.detail.row.status), self._status_chosen)

    def _status_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice:
            self.act("status", status=choice[0], reason=choice[1], version=self.detail.version)

    def action_pause_toggle(self) -> None:
        """Customer unreachable / not at home stops the clock; the same key starts it again."""
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        if self.detail and self.detail.row.badge == "paused":
            self.act("resume")
        else:
            self.app.push_screen(ReasonPromptScreen(t("order.pause_title")),
                                 lambda r: r and self.act("pause", reason=r))

    def action_request_delay(self) -> None:
        from agentdesk.dialogs.reason_prompt import DelayRequestScreen

        self.app.push_screen(DelayRequestScreen(self.detail.deadlines.get("resolve_by") if self.detail else None),
                             lambda r: r and self.act("delay", reason=r[0], deadline=r[1]))

    def action_decide_delay(self, approve: bool) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        pending = self._pending_delay()
        if pending is None:
            return
        title = t("order.approve_title" if approve else "order.reject_title", deadline=fmt_time(pending.proposed_deadline))
        self.app.push_screen(ReasonPromptScreen(title, required=not approve, label=t("prompt.note")),
                             lambda note: note is not None and self.act("decide", request_id=pending.id,
                                                                      approve=approve, note=note))

    def action_urge(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        self.app.push_screen(ReasonPromptScreen(t("order.urge_title"), required=False, label=t("prompt.note")),
                             lambda note: note is not None and self.act("urge", note=note))

    def action_escalate(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        self.app.push_screen(ReasonPromptScreen(t("order.escalate_title")),
                             lambda r: r and self.act("escalate", reason=r))

    @work(thread=True, exclusive=True, group="act", exit_on_error=False)
    def act(self, what: str, **args: Any) -> str:
        """Every change in one worker: one unit of work, the rules checked in the services."""
        from agentdesk.services import workorders as wo

        actor, policy = self.login.agent, self.app.settings.policy  # type: ignore[attr-defined]
        with self._db().write() as session:
            if what == "status":
                wo.change_status(session, self.order_id, args["status"], actor=actor, reason=args["reason"],
                                 policy=policy, expected_version=args["version"])
            elif what == "pause":
                wo.pause(session, self.order_id, actor=actor, reason=args["reason"], policy=policy)
            elif what == "resume":
                wo.resume(session, self.order_id, actor=actor, policy=policy)
            elif what == "delay":
                wo.request_delay(session, self.order_id, actor=actor, reason=args["reason"],
                                 proposed_deadline=args["deadline"])
            elif what == "decide":
                wo.decide_delay(session, args["request_id"], actor=actor, approve=args["approve"],
                                note=args["note"], policy=policy)
            elif what == "urge":
                wo.urge(session, self.order_id, actor=actor, note=args["note"])
            elif what == "escalate":
                wo.escalate(session, self.order_id, actor=actor, reason=args["reason"])
        return what

    @on(Worker.StateChanged)
    def _done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            from agentdesk.services.workorders import Conflict

            error = worker.error
            text = error_text(error)
            if isinstance(error, Conflict):
                from agentdesk.dialogs.conflict import ConflictScreen

                # Never overwrite another desk's change: show it, then let the agent decide again.
                self.app.push_screen(ConflictScreen(text), lambda _: self.load())
                return
            self.notify(text, severity="error", markup=False)
            if worker.group == "act":
                self.load()
        elif event.state == WorkerState.SUCCESS:
            if worker.group == "load":
                self.show(worker.result)
            elif worker.group == "act":
                self.notify(t("order.done_" + str(worker.result)), markup=False)
                self.load()


def t_event(kind: str) -> str:
    """History kinds are WorkOrderEvent kinds or audit actions; unknown ones show as recorded."""
    key = "event." + kind.replace(".", "_")
    text = t(key)
    return kind if text == key else text
