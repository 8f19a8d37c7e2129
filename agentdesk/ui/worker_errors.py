"""How a failed worker is worded on screen: the service's own message, else the error itself."""

from __future__ import annotations

from agentdesk.i18n import t


def error_text(error: BaseException | None) -> str:
    from agentdesk.services.errors import ServiceError

    if isinstance(error, ServiceError):
        return error.message()
    return t("error.unexpected", error=f"{type(error).__name__}: {error}")
