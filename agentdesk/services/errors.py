"""Errors the services raise, each carrying an i18n key so every front end words it alike."""

from __future__ import annotations

from agentdesk.i18n import t


class ServiceError(Exception):
    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **self.params)

    def __str__(self) -> str:
        return self.message()


class InvalidInput(ServiceError):
    key = "error.invalid"

    def __init__(self, key: str | None = None, /, field: str = "", **params: object) -> None:
        super().__init__(key, **params)
        self.field = field


class PermissionDenied(ServiceError):
    key = "error.lead_only"


class NotFound(ServiceError):
    key = "error.not_found"


class LoginFailed(ServiceError):
    key = "login.wrong"


class InvalidFields(InvalidInput):
    """Several fields wrong at once: all reported together, so the agent fixes them in one go."""

    def __init__(self, errors: dict[str, InvalidInput]) -> None:
        first_field, first = next(iter(errors.items()))
        super().__init__(first.key, field=first_field, **first.params)
        self.errors = errors


class Unauthenticated(ServiceError):
    """No session, or one that expired or was ended: the desk must log in again."""

    key = "server.session_ended"
