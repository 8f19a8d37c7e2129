"""What changed, for the desks that show it: one ``change_events`` row per changed record,
written in the changing transaction.

Every write session is watched (SQLAlchemy session events, installed when the services are
imported): a work order, its delay requests and events, a callback, a complaint, an outage
or an agent that was inserted, updated or deleted becomes a (topic, id) pair, written just
before the commit, so an event exists exactly when its change committed, whichever path
made it (a desk, the CLI, the server, an import). On PostgreSQL the same transaction sends
``NOTIFY agentdesk_changes``: delivered at commit, a wake-up only; readers read the rows.

Readers (the server's change feed, an embedded desk) remember the last id they saw and ask
for newer rows: :func:`since`. Rows are small and pruned after a day (:func:`prune`).
A bulk statement that bypasses the ORM records its change itself with :func:`note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.models import (
    Agent,
    Callback,
    ChangeEvent,
    Complaint,
    DelayRequest,
    Outage,
    OutageArea,
    OutageCall,
    WorkOrder,
    WorkOrderEvent,
)

if TYPE_CHECKING:
    from agentdesk.services.accounts import AgentInfo

CHANNEL = "agentdesk_changes"
KEEP = timedelta(days=1)
_PENDING = "agentdesk.changes"


class Topic:
    """The kinds of change a desk reacts to (the push channel's vocabulary)."""

    ORDER = "order"  # a work order or what hangs on it: reload lists, its detail, the board
    CALLBACK = "callback"  # the callback queue
    REFERRAL = "referral"  # something for the lead: a delay to decide, a complaint, an escalation
    OUTAGE = "outage"  # the banner on every desk
    AGENT = "agent"  # an account changed (the board's list of agents)
    LOGOUT = "logout"  # addressed to one agent: their sessions were ended
    SESSION = "session"  # one of an agent's sessions ended by its own logout: the servers' caches only
    CALL = "call"  # addressed to one agent: a call rings for them, or its leg moved on (the screen-pop)


ALL_TOPICS = (Topic.ORDER, Topic.CALLBACK, Topic.REFERRAL, Topic.OUTAGE, Topic.AGENT, Topic.LOGOUT, Topic.CALL)
#: What every desk is told, whatever its screens watch: the outage banner, its own logout and
#: its own calls ringing.
ALWAYS = frozenset({Topic.OUTAGE, Topic.LOGOUT, Topic.CALL})


@dataclass(frozen=True)
class Change:
    id: int
    topic: str
    ref_id: int | None
    agent_id: int | None = None


def for_agent(found: list[Change], agent: AgentInfo | None) -> list[Change]:
    """What one agent's desk is told: a logout or a call only if addressed to them, referrals only to leads,
    a session's own logout to no desk (it is the servers' business)."""
    agent_id = agent.id if agent else None
    leads = bool(agent and agent.is_lead)
    out = []
    for change in found:
        if change.topic == Topic.SESSION or (change.topic in (Topic.LOGOUT, Topic.CALL)
                                             and change.agent_id != agent_id):
            continue
        if change.topic == Topic.REFERRAL and not leads:
            continue
        out.append(change)
    return out


def _topics_of(obj: object) -> Iterable[tuple[str, int | None]]:
    if isinstance(obj, WorkOrder):
        yield Topic.ORDER, obj.id
    elif isinstance(obj, WorkOrderEvent):
        yield Topic.ORDER, obj.work_order_id
    elif isinstance(obj, DelayRequest):
        yield Topic.ORDER, obj.work_order_id
        yield Topic.REFERRAL, obj.work_order_id
    elif isinstance(obj, Complaint):
        yield Topic.REFERRAL, obj.work_order_id
    elif isinstance(obj, Callback):
        yield Topic.CALLBACK, obj.id
    elif isinstance(obj, Outage):
        yield Topic.OUTAGE, obj.id
    elif isinstance(obj, OutageArea | OutageCall):
        yield Topic.OUTAGE, obj.outage_id
    elif isinstance(obj, Agent) and _account_changed(obj):
        yield Topic.AGENT, obj.id


def _account_changed(agent: Agent) -> bool:
    """A new, removed or renamed account, a role or team: not a login's try counter."""
    from sqlalchemy import inspect

    state = inspect(agent)
    if state.pending or state.deleted or state.was_deleted:
        return True
    return any(state.attrs[name].history.has_changes() for name in ("name", "role", "team", "active"))


def note(session: Session | OrmSession, topic: str, ref_id: int | None = None, *,
         agent_id: int | None = None) -> None:
    """Record a change the session events cannot see (a bulk UPDATE), or one addressed to
    an agent (a forced logout); written with the others before the commit."""
    session.info.setdefault(_PENDING, set()).add((topic, ref_id, agent_id))


def _after_flush(session: OrmSession, _context: object) -> None:
    pending = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        for topic, ref_id in _topics_of(obj):
            pending.add((topic, ref_id, None))


def _before_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # what is still unflushed is seen by _after_flush now
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    now = clock.now()
    rows = [{"topic": topic, "ref_id": ref_id, "agent_id": agent_id, "at": now}
            for topic, ref_id, agent_id in sorted(pending, key=lambda p: (p[0], p[1] or 0, p[2] or 0))]
    session.execute(insert(ChangeEvent.__table__), rows)  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


def _after_rollback(session: OrmSession, _previous: object) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Watch every session (idempotent)."""
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
        event.listen(OrmSession, "before_commit", _before_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_rollback)


def latest(session: Session) -> int:
    """The newest event's id (0 when none): a reader starts from here."""
    return int(session.execute(select(col(ChangeEvent.id)).order_by(col(ChangeEvent.id).desc()).limit(1))
               .scalar_one_or_none() or 0)


def since(session: Session, last_id: int, *, limit: int = 1000) -> list[Change]:
    rows = session.execute(
        select(col(ChangeEvent.id), col(ChangeEvent.topic), col(ChangeEvent.ref_id), col(ChangeEvent.agent_id))
        .where(col(ChangeEvent.id) > last_id).order_by(col(ChangeEvent.id)).limit(limit)
    ).all()
    return [Change(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]


def among(session: Session, ids: Iterable[int]) -> list[Change]:
    wanted = list(ids)
    if not wanted:
        return []
    rows = session.execute(
        select(col(ChangeEvent.id), col(ChangeEvent.topic), col(ChangeEvent.ref_id), col(ChangeEvent.agent_id))
        .where(col(ChangeEvent.id).in_(wanted)).order_by(col(ChangeEvent.id))
    ).all()
    return [Change(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]


#: How long an id skipped over is looked for again (see :class:`Reader`).
GAP_SECONDS = 60.0
GAP_LIMIT = 10_000  # ids skipped at once beyond this are not looked for (a pruned or restored table)


class Reader:
    """Reads the change events committed since the last read, late ones included.

    Ids are handed out as each transaction writes its events, before it commits, so on
    PostgreSQL a transaction that took id 100 may commit after one that took 101: a reader
    that only asked for ids above the last it saw would never see 100. An id skipped over is
    therefore looked for again at every read for :data:`GAP_SECONDS` (one that never comes
    was rolled back). On SQLite writers take turns, so there are no late ones.
    """

    def __init__(self, last_id: int) -> None:
        self.last_id = last_id
        self._gaps: dict[int, float] = {}

    def read(self, session: Session) -> list[Change]:
        import time

        now = time.monotonic()
        self._gaps = {i: at for i, at in self._gaps.items() if now - at < GAP_SECONDS}
        late = among(session, sorted(self._gaps)) if self._gaps else []
        found = since(session, self.last_id)
        for change in late:
            self._gaps.pop(change.id, None)
        expected = self.last_id + 1
        for change in found:
            if change.id - expected <= GAP_LIMIT:
                for skipped in range(expected, change.id):
                    self._gaps[skipped] = now
            expected = change.id + 1
        if found:
            self.last_id = found[-1].id
        return late + found


def prune(session: Session) -> int:
    from sqlalchemy import delete

    result = session.execute(delete(ChangeEvent).where(col(ChangeEvent.at) < clock.now() - KEEP))
    return int(getattr(result, "rowcount", 0) or 0)
