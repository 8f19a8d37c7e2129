"""Free text typed at a desk (descriptions, notes, causes), checked the one way every service
stores it."""

from __future__ import annotations

from agentdesk.normalize import clean_text
from agentdesk.services.errors import InvalidInput


def clean_field(value: str | None, field: str, *, limit: int, required: bool = False,
                missing: str = "field.required") -> str:
    """``value`` without control characters and outer spaces. InvalidInput (naming ``field``)
    when it is ``required`` and empty (key ``missing``) or longer than ``limit``."""
    text = clean_text(value or "").strip()
    if required and not text:
        raise InvalidInput(missing, field=field)
    if len(text) > limit:
        raise InvalidInput("field.too_long", field=field, limit=limit)
    return text
