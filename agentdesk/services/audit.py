"""Audit rows, always added to the caller's session so they commit with the change."""

from __future__ import annotations

import json

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    entity: str = "",
    entity_id: int | None = None,
    **detail: object,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        agent_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None,
    )
    session.add(event)
    return event
