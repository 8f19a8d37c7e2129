"""Audit rows, always added to the caller's session so they commit with the change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Agent, AuditEvent
from agentdesk.services import changes

# Every state change writes its audit row through here, so every writing path has imported
# this module: the change events (services/changes.py) are watched from the first write.
changes.install()


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


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    agent_number: str | None
    action: str
    entity: str
    entity_id: int | None
    detail: str | None

    def as_json(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "agent": self.agent_number, "action": self.action,
                "entity": self.entity, "entity_id": self.entity_id,
                "detail": json.loads(self.detail) if self.detail else None}


def list_events(session: Session, *, since: datetime | None = None, limit: int = 200) -> list[AuditLine]:
    """Audit rows, newest first (the ``at`` index serves the range)."""
    query = (select(AuditEvent, col(Agent.number)).join(Agent, col(Agent.id) == col(AuditEvent.agent_id), isouter=True)
             .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit))
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    return [AuditLine(e.id, e.at, number, e.action, e.entity, e.entity_id, e.detail)
            for e, number in session.execute(query).all()]
