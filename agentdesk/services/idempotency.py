"""Requests a desk may send twice: the first answer is kept under the desk's key.

A desk that sent a save and lost the answer (the link dropped, the server restarted after
committing) cannot know whether it was saved. It sends the same request again with the same
``Idempotency-Key``; the server finds the key and answers as the first time, without running
the operation again, so nothing is saved twice.

The key is written **in the operation's own transaction** (a session event, while
:func:`handling` marks the request), so "saved" and "key recorded" commit together or not at
all; the answer is stored just after (the server does it once the answer is on its way). A
server stopped between the two leaves the key without an answer: the retry is then told the
request was done already (see the message), still never run twice. Keys live a day
(:func:`prune`). Operations that only read write no key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import IdempotentRequest

KEEP = timedelta(days=1)
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass
class _Request:
    agent_id: int
    key: str
    operation: str
    written_by: int | None = None  # id() of the session whose transaction carries the key


@dataclass(frozen=True)
class Seen:
    operation: str
    response: bytes | None  # None: done, but the answer was never stored


_CURRENT: ContextVar[_Request | None] = ContextVar("agentdesk_idempotent_request", default=None)


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


def seen(db: Database, agent_id: int, key: str) -> Seen | None:
    with db.read() as session:
        row = session.execute(
            select(col(IdempotentRequest.operation), col(IdempotentRequest.response))
            .where(col(IdempotentRequest.agent_id) == agent_id, col(IdempotentRequest.key) == key)
        ).one_or_none()
    return None if row is None else Seen(str(row[0]), row[1])


@contextmanager
def handling(agent_id: int, key: str, operation: str) -> Iterator[_Request]:
    """While the operation runs: its first committed transaction records the key."""
    request = _Request(agent_id, key, operation)
    token = _CURRENT.set(request)
    try:
        yield request
    finally:
        _CURRENT.reset(token)


def store_response(db: Database, request: _Request, response: bytes) -> None:
    """The answer to give a retry (only when the operation wrote, and so recorded the key)."""
    if request.written_by is None:
        return
    with db.write() as session:
        if not db.is_sqlite:
            # Not worth waiting for the disk: lost in a crash, a retry is told "done already",
            # still never run twice (the key itself committed, durably, with the operation).
            session.execute(text("SET LOCAL synchronous_commit = off"))
        session.execute(update(IdempotentRequest)
                        .where(col(IdempotentRequest.agent_id) == request.agent_id,
                               col(IdempotentRequest.key) == request.key)
                        .values(response=response))


def prune(session: Session) -> int:
    result = session.execute(delete(IdempotentRequest).where(col(IdempotentRequest.created_at) < clock.now() - KEEP))
    return int(getattr(result, "rowcount", 0) or 0)


def _before_commit(session: OrmSession) -> None:
    request = _CURRENT.get()
    if request is None or request.written_by is not None or session.in_nested_transaction():
        return
    session.execute(insert(IdempotentRequest.__table__).values(  # type: ignore[attr-defined]
        agent_id=request.agent_id, key=request.key, operation=request.operation, created_at=clock.now()))
    request.written_by = id(session)


def _after_rollback(session: OrmSession, _previous: object) -> None:
    request = _CURRENT.get()
    if request is not None and request.written_by == id(session):
        request.written_by = None  # that transaction is gone, and the key with it


def install() -> None:
    """Watch every session (idempotent)."""
    if not event.contains(OrmSession, "before_commit", _before_commit):
        event.listen(OrmSession, "before_commit", _before_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_rollback)
