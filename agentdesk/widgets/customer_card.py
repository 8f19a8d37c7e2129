"""The customer card: who is calling, where, and what is already open for them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from agentdesk.i18n import t
from agentdesk.services.calls import CallerInfo
from agentdesk.services.customers import CustomerCard
from agentdesk.ui.labels import request_label
from agentdesk.ui.text import fmt_time, plain, safe
from agentdesk.widgets.deadline_badge import badge


def _line(label: str, value: str) -> Content:
    return Content.assemble((label + t("ui.colon"), "bold"), plain(value))


class CustomerCardView(Vertical):
    DEFAULT_CSS = """
    CustomerCardView {
        height: auto;
        border: round $primary;
        padding: 0 1;
    }
    CustomerCardView > .card-section {
        margin-top: 1;
        color: $text-muted;
    }
    """

    def __init__(self, card: CustomerCard | None = None, caller: CallerInfo | None = None) -> None:
        super().__init__()
        self.card = card
        self.caller = caller

    def compose(self) -> ComposeResult:
        card = self.card
        if card is None:
            caller = self.caller
            assert caller is not None
            yield Static(_line(t("card.unregistered"), caller.name))
            yield Static(_line(t("card.phone"), caller.phone))
            yield Static(_line(t("card.address"), caller.address))
            return
        self.border_title = t("card.title")
        phones = "  ".join(f"{p.masked} ({t('card.phone_' + p.kind)})" for p in card.phones)
        yield Static(Content.assemble((plain(card.name), "bold"), "  ", (plain(card.user_code), "dim"), "  ",
                                      (t("tier." + card.tier), "reverse" if card.tier != "regular" else "")))
        yield Static(_line(t("card.phone"), phones or "—"))
        yield Static(_line(t("card.address"), card.address))
        yield Static(_line(t("card.area"), f"{card.area_name} · {t('area.' + card.area_class)}"))
        orders = [
            (o, f"{o.number} {t('kind.' + o.kind)} · {t('status.' + o.status)} · "
                f"{t('card.due')} {fmt_time(o.resolve_by)} ")
            for o in card.open_orders
        ]
        yield Static(Content(t("card.open_orders", count=len(orders))), classes="card-section")
        for order, text in orders[:3]:
            yield Static(safe("  " + text) + badge(order.badge))
        callbacks = [f"{fmt_time(c.due_at)} {c.reason}" for c in card.callbacks_due]
        yield Static(Content(t("card.callbacks_due", count=len(callbacks))), classes="card-section")
        for text in callbacks[:2]:
            yield Static(safe("  " + text))
        recent = [
            f"{fmt_time(c.started_at)} {request_label(c.request_type) if c.request_type else '—'} {c.summary}"
            for c in card.recent_calls
        ]
        yield Static(Content(t("card.recent_calls", count=len(recent))), classes="card-section")
        for text in recent[:3]:
            yield Static(safe("  " + text))
