"""The deadline badge (on time / warning / overdue / paused / done), wherever an order shows."""

from __future__ import annotations

from textual.content import Content

from agentdesk.i18n import t

BADGE_STYLES = {
    "on_time": "$success",
    "warning": "bold $warning",
    "overdue": "bold reverse $error",
    "paused": "$accent",
    "done": "$text-muted",
}


def badge(state: str) -> Content:
    """A coloured label; theme variables, so it reads in every theme."""
    return Content.styled(f" {t('badge.' + state)} ", BADGE_STYLES.get(state, ""))
