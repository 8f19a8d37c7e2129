"""One work order: its clocks, badge, delays and full history; the actions on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from agentdesk.i18n import t
from agentdesk.services.accounts import LoginResult
from agentdesk.services.workorders import DelayInfo, OrderDetail, describe_event
from agentdesk.ui.base import ScreenBase
from agentdesk.ui.labels import label_or_code
from agentdesk.ui.text import fmt_time, plain, safe
from agentdesk.vocab import OPEN_ORDER_STATUSES
from agentdesk.widgets.deadline_badge import badge

CLOCKS = ("respond_by", "contact_by", "reply_by", "resolve_by", "callback_by")


if TYPE_CHECKING:
    from agentdesk.services.changes import Change

class WorkOrderDetailScreen(ScreenBase[None]):
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

    @dataclass
    class Loaded(Message):
        detail: OrderDetail

    def __init__(self, login: LoginResult, order_id: int) -> None:
        super().__init__()
        self.login = login
        self.order_id = order_id
        self.detail: OrderDetail | None = None

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

    @property
    def is_lead(self) -> bool:
        return self.login.agent.is_lead

    def _pending_delay(self) -> DelayInfo | None:
        if self.detail is None:
            return None
        return next((d for d in self.detail.delays if d.status == "pending"), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.detail is None:
            return action == "app.pop_screen" or None
        row = self.detail.row
        is_open = row.status in OPEN_ORDER_STATUSES
        if action == "pause_toggle":
            return is_open
        if action == "request_delay":
            return is_open and self._pending_delay() is None
        if action == "decide_delay":
            return self.is_lead and self._pending_delay() is not None
        if action in ("urge", "escalate"):
            return self.is_lead and is_open
        return True

    RELOAD_ON = ("order",)
    RELOAD_EVERY = 0.5  # one order: its own changes show at once

    def concerns(self, change: Change) -> bool:
        return change.ref_id == self.order_id

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> Loaded:
        return self.Loaded(self.desk.get_order(self.order_id))

    @on(Loaded)
    def _loaded(self, loaded: Loaded) -> None:
        self.detail = detail = loaded.detail
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
            table.add_row(Content(fmt_time(event.at)), safe(who), Content(t_event(event.kind)),
                          safe(describe_event(event, when=fmt_time)))
        self.refresh_bindings()

    # ---- actions ------------------------------------------------------------------------

    def action_change_status(self) -> None:
        from agentdesk.dialogs.status_change import StatusChangeScreen

        if self.detail:
            self.app.push_screen(StatusChangeScreen(self.detail.row.status), self._status_chosen)

    def _status_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice and self.detail:
            status, reason, version = choice[0], choice[1], self.detail.version
            self.act("status", lambda desk: desk.change_status(self.order_id, status, reason=reason,
                                                               expected_version=version))

    def action_pause_toggle(self) -> None:
        """Customer unreachable / not at home stops the clock; the same key starts it again."""
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        if self.detail and self.detail.row.badge == "paused":
            self.act("resume", lambda desk: desk.resume_order(self.order_id))
        else:
            self.app.push_screen(ReasonPromptScreen(t("order.pause_title")), self._pause)

    def _pause(self, reason: str | None) -> None:
        if reason:
            self.act("pause", lambda desk: desk.pause_order(self.order_id, reason=reason))

    def action_request_delay(self) -> None:
        from agentdesk.dialogs.reason_prompt import DelayRequestScreen

        self.app.push_screen(DelayRequestScreen(self.detail.deadlines.get("resolve_by") if self.detail else None),
                             self._delay_requested)

    def _delay_requested(self, request: tuple[str, datetime] | None) -> None:
        if request:
            reason, deadline = request
            self.act("delay", lambda desk: desk.request_delay(self.order_id, reason=reason, deadline=deadline))

    def action_decide_delay(self, approve: bool) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        pending = self._pending_delay()
        if pending is None:
            return
        deadline = fmt_time(pending.proposed_deadline)
        title = t("order.approve_title" if approve else "order.reject_title", deadline=deadline)
        request_id = pending.id

        def decided(note: str | None) -> None:
            if note is not None:
                self.act("decide", lambda desk: desk.decide_delay(request_id, approve=approve, note=note))

        self.app.push_screen(ReasonPromptScreen(title, required=not approve, label=t("prompt.note")), decided)

    def action_urge(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        def urged(note: str | None) -> None:
            if note is not None:
                self.act("urge", lambda desk: desk.urge(self.order_id, note=note))

        self.app.push_screen(ReasonPromptScreen(t("order.urge_title"), required=False, label=t("prompt.note")), urged)

    def action_escalate(self) -> None:
        from agentdesk.dialogs.reason_prompt import ReasonPromptScreen

        self.app.push_screen(ReasonPromptScreen(t("order.escalate_title")), self._escalate)

    def _escalate(self, reason: str | None) -> None:
        if reason:
            self.act("escalate", lambda desk: desk.escalate(self.order_id, reason=reason))

    @on(ScreenBase.Acted)
    def _acted(self, event: ScreenBase.Acted) -> None:
        self.notify(t("order.done_" + event.what), markup=False)
        self.load()

    def _reload(self, _: object = None) -> None:
        self.load()

    def worker_failed(self, group: str, error: BaseException | None) -> None:
        from agentdesk.services.workorders import Conflict

        if isinstance(error, Conflict):
            from agentdesk.dialogs.conflict import ConflictScreen
            from agentdesk.ui.worker_errors import error_text

            # Never overwrite another desk's change: show it, then let the agent decide again.
            self.app.push_screen(ConflictScreen(error_text(error)), self._reload)
            return
        super().worker_failed(group, error)
        if group == "act":
            self.load()


def t_event(kind: str) -> str:
    """History kinds are WorkOrderEvent kinds or audit actions; unknown ones show as recorded."""
    return label_or_code("event." + kind.replace(".", "_"), kind)
