"""Drafts: what an agent has typed but not saved, kept as they type so a crash loses nothing.

A draft is keyed by (agent, form, key): the form's name and what it is about (a call id,
a shift id). Drafts are scratch, not records: no audit rows; saving the form deletes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import Call, Draft
from agentdesk.normalize import clean_text

MAX_DRAFT_CHARS = 200_000


@dataclass(frozen=True)
class DraftInfo:
    form: str
    key: str
    values: dict
    updated_at: datetime


def save_draft(session: Session, agent_id: int, form: str, key: str, values: dict) -> None:
    """Upsert the draft; text is cleaned like any stored text and capped in size."""
    cleaned = {k: clean_text(v)[:MAX_DRAFT_CHARS] if isinstance(v, str) else v for k, v in values.items()}
    payload = json.dumps(cleaned, ensure_ascii=False, sort_keys=True)
    draft = session.execute(
        select(Draft).where(col(Draft.agent_id) == agent_id, col(Draft.form) == form, col(Draft.key) == key)
    ).scalar_one_or_none()
    if draft is None:
        session.add(Draft(agent_id=agent_id, form=form, key=key, payload=payload, updated_at=clock.now()))
    elif draft.payload != payload:
        draft.payload = payload
        draft.updated_at = clock.now()
        session.add(draft)


def load_draft(session: Session, agent_id: int, form: str, key: str) -> DraftInfo | None:
    draft = session.execute(
        select(Draft).where(col(Draft.agent_id) == agent_id, col(Draft.form) == form, col(Draft.key) == key)
    ).scalar_one_or_none()
    if draft is None:
        return None
    return DraftInfo(draft.form, draft.key, json.loads(draft.payload), draft.updated_at)


def delete_drafts(session: Session, agent_id: int, *, key: str, forms: tuple[str, ...] | None = None) -> None:
    query = delete(Draft).where(col(Draft.agent_id) == agent_id, col(Draft.key) == key)
    if forms:
        query = query.where(col(Draft.form).in_(forms))
    session.execute(query)


@dataclass(frozen=True)
class UnfinishedCall:
    call_id: int
    started_at: datetime
    caller_name: str | None
    drafts: tuple[str, ...]  # forms with a draft for this call


def unfinished_calls(session: Session, agent_id: int) -> list[UnfinishedCall]:
    """Calls this agent left open (a crash, a killed terminal), with the drafts kept for them."""
    calls = session.execute(
        select(Call).where(col(Call.agent_id) == agent_id, col(Call.status) == "open").order_by(col(Call.started_at))
    ).scalars().all()
    out = []
    for call in calls:
        forms = tuple(session.execute(
            select(col(Draft.form)).where(col(Draft.agent_id) == agent_id, col(Draft.key) == str(call.id))
                .order_by(col(Draft.form))
        ).scalars())
        out.append(UnfinishedCall(call.id, call.started_at, call.caller_name, forms))
    return out
