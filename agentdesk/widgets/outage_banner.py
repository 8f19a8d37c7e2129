"""The outage banner: every active outage, on every desk, within two seconds of a change."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from agentdesk.i18n import t
from agentdesk.ui.text import fmt_time, plain


class OutageBanner(Static):
    DEFAULT_CSS = """
    OutageBanner {
        height: auto;
        background: $error;
        color: $text;
        padding: 0 1;
        text-style: bold;
        display: none;
    }
    OutageBanner.-active {
        display: block;
    }
    """

    def on_mount(self) -> None:
        signal = getattr(self.app, "outages_signal", None)
        if signal is not None:
            signal.subscribe(self, self.show_outages)
            self.show_outages(self.app.active_outages)  # type: ignore[attr-defined]

    def show_outages(self, outages: list) -> None:
        lines = []
        for outage in outages:
            services = "、".join(t("service." + s) for s in outage.services) or "—"
            lines.append(t("banner.line", areas="、".join(plain(a) for a in outage.areas), services=services,
                           eta=fmt_time(outage.eta), linked=outage.linked_calls))
        self.update(Content("\n".join(lines)))
        self.set_class(bool(lines), "-active")
