"""Sessions of desks logged in through ``agentdesk serve``: tokens, expiry, the address throttle.

A login through the server is the desk's login (``accounts.login``: the PIN, the five-try
lock-out of the number, a shift opened) plus a session token. The token is 32 random bytes
given to the desk once; the database keeps only its SHA-256, so a copy of the database lets
nobody act as a logged-in desk. Every request presents the token; the agent is read again
each time (a role changed or an account disabled counts at once).

Wrong PINs are also counted per client address, in the database (several server instances
share the count): an address that gets many wrong in a short window is refused for the rest
of it, whichever numbers it tries, so a script cannot walk through every agent's number
collecting four tries each.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import Agent, DeskSession, LoginThrottle, Shift
from agentdesk.services import accounts, audit, changes
from agentdesk.services.accounts import AgentInfo, LoginResult, ShiftInfo
from agentdesk.services.errors import LoginFailed, Unauthenticated

SESSION_HOURS = 12  # a long shift; refreshed while the desk is in use
THROTTLE_WINDOW = timedelta(minutes=10)
THROTTLE_FAILURES = 20  # wrong PINs from one address within the window


@dataclass(frozen=True)
class Opened:
    token: str
    expires_at: datetime
    login: LoginResult


@dataclass(frozen=True)
class Current:
    """The session behind a request: who acts, on which shift."""

    session_id: int
    login: LoginResult
    expires_at: datetime


def token_hash(token: str) -> str:
    """What the database keeps of a token (and a server's cache of sessions keys on)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _throttled_minutes(session: Session, address: str, now: datetime) -> int | None:
    row = session.get(LoginThrottle, address)
    if row is None or row.failures < THROTTLE_FAILURES:
        return None
    left = row.window_started_at + THROTTLE_WINDOW - now
    if left <= timedelta(0):
        return None
    return max(1, int(left.total_seconds() + 59) // 60)


def _count_failure(db: Database, address: str) -> None:
    now = clock.now()
    with db.write() as session:
        row = session.get(LoginThrottle, address)
        if row is None:
            session.add(LoginThrottle(address=address, failures=1, window_started_at=now))
        elif row.window_started_at + THROTTLE_WINDOW <= now:
            row.failures, row.window_started_at = 1, now
            session.add(row)
        else:
            row.failures += 1
            session.add(row)
            if row.failures == THROTTLE_FAILURES:
                audit.record(session, "login.throttled", actor_id=None, entity="address", address=address)


def open_session(db: Database, number: str, pin: str, *, client: str, seat: str | None = None) -> Opened:
    """Log in (as the desk does) and issue a token; LoginFailed as the desk words it."""
    address = (client or "")[:64]
    with db.read() as session:
        minutes = _throttled_minutes(session, address, clock.now())
    if minutes is not None:
        raise LoginFailed("server.login_throttled", minutes=minutes)
    try:
        result = accounts.login(db, number, pin, seat=seat)
    except LoginFailed:
        _count_failure(db, address)
        raise
    token = secrets.token_urlsafe(32)
    now = clock.now()
    expires = now + timedelta(hours=SESSION_HOURS)
    with db.write() as session:
        row = DeskSession(token_hash=token_hash(token), agent_id=result.agent.id, shift_id=result.shift.id,
                          client=address, created_at=now, expires_at=expires)
        session.add(row)
        session.flush()
        audit.record(session, "session.open", actor_id=result.agent.id, entity="session", entity_id=row.id,
                     client=address)
    return Opened(token, expires, result)


def current(db: Database, token: str | None) -> Current:
    """The live session of ``token``; Unauthenticated when there is none, it expired or was ended."""
    if not token:
        raise Unauthenticated()
    now = clock.now()
    with db.read() as session:
        found = session.execute(
            select(DeskSession, Agent, Shift)
            .join(Agent, col(Agent.id) == col(DeskSession.agent_id))
            .outerjoin(Shift, col(Shift.id) == col(DeskSession.shift_id))
            .where(col(DeskSession.token_hash) == token_hash(token))
        ).one_or_none()
    if found is None:
        raise Unauthenticated()
    row, agent, shift = found
    if row.revoked_at is not None or row.expires_at <= now or not agent.active:
        raise Unauthenticated()
    info = AgentInfo(agent.id, agent.number, agent.name, agent.role, agent.team)
    shift_info = ShiftInfo(shift.id, shift.started_at) if shift is not None else ShiftInfo(0, row.created_at)
    expires = row.expires_at
    if renewal_due(expires, now):
        # A desk in use never expires mid-shift: once past half its life, a request renews it
        # (one write per session every few hours, not one per request).
        expires = now + timedelta(hours=SESSION_HOURS)
        with db.write() as session:
            session.execute(update(DeskSession).where(col(DeskSession.id) == row.id).values(expires_at=expires))
    return Current(row.id, LoginResult(info, shift_info), expires)


def renewal_due(expires_at: datetime, now: datetime) -> bool:
    """Past half its life: the next request renews the session."""
    return expires_at - now < timedelta(hours=SESSION_HOURS / 2)


def refresh(db: Database, token: str | None) -> datetime:
    """Push the expiry of a live session out again (the desk calls this while in use)."""
    live = current(db, token)
    expires = clock.now() + timedelta(hours=SESSION_HOURS)
    with db.write() as session:
        session.execute(update(DeskSession).where(col(DeskSession.id) == live.session_id)
                        .values(expires_at=expires))
    return expires


def close_session(db: Database, token: str | None) -> None:
    """Logout: the token stops working at once."""
    live = current(db, token)
    with db.write() as session:
        session.execute(update(DeskSession).where(col(DeskSession.id) == live.session_id)
                        .values(revoked_at=clock.now()))
        audit.record(session, "session.close", actor_id=live.login.agent.id, entity="session",
                     entity_id=live.session_id)
        # The other server instances may know this session: they forget it when this arrives.
        changes.note(session, changes.Topic.SESSION, live.session_id, agent_id=live.login.agent.id)


def end_agent_sessions(session: Session, agent_id: int, *, actor: AgentInfo | None) -> int:
    """End every live session of ``agent_id`` (a PIN reset, a role change, a lead's order) in
    the caller's transaction; the agent's desks are told to log out."""
    result = session.execute(
        update(DeskSession)
        .where(col(DeskSession.agent_id) == agent_id, col(DeskSession.revoked_at).is_(None))
        .values(revoked_at=clock.now())
    )
    ended = int(getattr(result, "rowcount", 0) or 0)
    if ended:
        changes.note(session, changes.Topic.LOGOUT, agent_id=agent_id)
        audit.record(session, "session.ended", actor_id=actor.id if actor else None, entity="agent",
                     entity_id=agent_id, sessions=ended)
    return ended


def force_logout(session: Session, number: str, *, actor: AgentInfo) -> int:
    """A lead ends an agent's sessions (a desk left logged in, a lost laptop)."""
    accounts.require_lead(actor)
    agent = session.execute(select(Agent).where(col(Agent.number) == number)).scalar_one_or_none()
    if agent is None or agent.id is None:
        from agentdesk.services.errors import NotFound

        raise NotFound("agent.not_found", number=number)
    return end_agent_sessions(session, agent.id, actor=actor)
