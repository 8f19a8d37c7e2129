"""The outage banner: every active outage, on every desk, within two seconds of a change."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.content import Content
from textual.widgets import Static

from agentdesk.i18n import t
from agentdesk.ui.text import fmt_time, plain

if TYPE_CHECKING:
    from agentdesk.services.outages import OutageInfo
    from agentdesk.ui.base import DeskHost


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
            self.show_outages(cast("DeskHost", self.app).active_outages)

    def show_outages(self, outages: list[OutageInfo]) -> None:
        lines = []
        for outage in outages:
            services = "、".join(t("service." + s) for s in outage.services) or "—"
            lines.append(t("banner.line", areas="、".join(plain(a) for a in outage.areas), services=services,
                           eta=fmt_time(outage.eta), linked=outage.linked_calls))
        self.update(Content("\n".join(lines)))
        self.set_class(bool(lines), "-active")
