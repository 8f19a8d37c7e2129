"""The outage notice on a call from an affected area."""

from __future__ import annotations

from textual.widgets import Static

from agentdesk.i18n import t
from agentdesk.services.outages import OutageInfo
from agentdesk.ui.text import fmt_time, safe


class OutageAlert(Static):
    DEFAULT_CSS = """
    OutageAlert {
        height: auto;
        border: heavy $error;
        color: $error;
        padding: 0 1;
        text-style: bold;
    }
    """

    def __init__(self, outage: OutageInfo) -> None:
        services = "、".join(t("service." + s) for s in outage.services) or "—"
        text = t("outage.alert", areas="、".join(outage.areas), services=services, cause=outage.cause,
                 eta=fmt_time(outage.eta), linked=outage.linked_calls)
        if outage.message:
            text += "\n" + outage.message
        super().__init__(safe(text))
        self.outage = outage
