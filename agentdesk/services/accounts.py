"""Agents, PINs, login with lock-out, and the shift a login opens."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from agentdesk import clock
from agentdesk.db import Database
from agentdesk.models import ROLES, Agent, Shift
from agentdesk.normalize import normalize_name
from agentdesk.services import audit
from agentdesk.services.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied
from agentdesk.services.rows import get_or_not_found

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5
# scrypt with these costs takes ~50 ms: nothing to an agent logging in, a lot to a
# brute-forcer with a stolen database file (a 4-digit PIN space is small).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_NUMBER = re.compile(r"^\d{3,8}$")
_PIN = re.compile(r"^\d{4,12}$")
#: Roles that may change accounts, and whom: a lead manages agents and leads, an admin anyone.
ACCOUNT_RANK = {"agent": 0, "lead": 1, "admin": 2}


@dataclass(frozen=True)
class AgentInfo:
    id: int
    number: str
    name: str
    role: str
    team: str | None = None
    active: bool = True  # False: disabled, cannot log in

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def manages_accounts(self) -> bool:
        return ACCOUNT_RANK.get(self.role, 0) > 0


@dataclass(frozen=True)
class ShiftInfo:
    id: int
    started_at: datetime


@dataclass(frozen=True)
class LoginResult:
    agent: AgentInfo
    shift: ShiftInfo


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


@functools.cache
def _dummy_hash() -> str:
    return hash_pin("0000")  # made once, when first needed: 50 ms kept off start-up


def agent_info(agent: Agent) -> AgentInfo:
    assert agent.id is not None
    return AgentInfo(agent.id, agent.number, agent.name, agent.role, agent.team, agent.active)


def validate_pin(pin: str) -> None:
    if not _PIN.match(pin or ""):
        raise InvalidInput("agent.bad_pin", field="pin")


def require_lead(actor: AgentInfo | None) -> None:
    """Lead-only actions: refused here, so every front end obeys the same rule."""
    if actor is None or actor.role != "lead":
        raise PermissionDenied()


def agent_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Agent)).one()


def create_agent(
    session: Session,
    number: str,
    name: str,
    role: str,
    pin: str,
    *,
    team: str | None = None,
    actor_id: int | None = None,
) -> AgentInfo:
    """Create an account, checking the values but not who asks: the demo and test seeding
    call this. Every front end goes through ``account_admin.add_agent``, which decides who may."""
    number = (number or "").strip()
    if not _NUMBER.match(number):
        raise InvalidInput("agent.bad_number", field="number")
    name = normalize_name(name or "")
    if not name:
        raise InvalidInput("agent.bad_name", field="name")
    if role not in ROLES:
        raise InvalidInput("agent.bad_role", field="role", roles=", ".join(ROLES))
    validate_pin(pin)
    if session.exec(select(Agent).where(Agent.number == number)).first():
        raise InvalidInput("agent.exists", field="number", number=number)
    agent = Agent(number=number, name=name, role=role, pin_hash=hash_pin(pin), team=clean_team(team),
                  created_at=clock.now())
    session.add(agent)
    session.flush()
    audit.record(session, "agent.add", actor_id=actor_id, entity="agent", entity_id=agent.id,
                 number=number, role=role)
    return agent_info(agent)


def clean_team(team: str | None) -> str | None:
    # The team is shown in lists and handovers: cleaned like a name (no escape sequences).
    return (normalize_name(team)[:50] or None) if team else None


def list_agents(session: Session) -> list[AgentInfo]:
    return [agent_info(a) for a in session.exec(select(Agent).order_by(col(Agent.number)))]


def get_agent(session: Session, number: str) -> AgentInfo:
    agent = session.exec(select(Agent).where(Agent.number == number)).first()
    if agent is None:
        raise NotFound("agent.not_found", number=number)
    return agent_info(agent)


def authenticate(session: Session, number: str, pin: str) -> AgentInfo:
    """Check a PIN; five wrong tries lock the number for a few minutes.

    The failed-attempt counter must survive the LoginFailed raised here, so the caller
    commits the session even on failure (``login`` below does).
    """
    now = clock.now()
    agent = session.exec(select(Agent).where(Agent.number == (number or "").strip())).first()
    if agent is None or not agent.active:
        # As long as a wrong PIN takes, and the same words: a login screen (or a script at the
        # server) cannot tell which numbers exist.
        verify_pin(pin or "", _dummy_hash())
        raise LoginFailed("login.wrong")
    if agent.locked_until and agent.locked_until > now:
        minutes = max(1, int((agent.locked_until - now).total_seconds() + 59) // 60)
        raise LoginFailed("login.locked", minutes=minutes)
    if not verify_pin(pin or "", agent.pin_hash):
        agent.failed_logins += 1
        left = MAX_FAILED_LOGINS - agent.failed_logins
        if left <= 0:
            agent.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            agent.failed_logins = 0
            session.add(agent)
            audit.record(session, "login.locked", actor_id=agent.id, entity="agent", entity_id=agent.id)
            raise LoginFailed("login.locked", minutes=LOCK_MINUTES)
        session.add(agent)
        audit.record(session, "login.failed", actor_id=agent.id, entity="agent", entity_id=agent.id)
        raise LoginFailed("login.wrong")
    agent.failed_logins = 0
    agent.locked_until = None
    session.add(agent)
    return agent_info(agent)


def login(db: Database, number: str, pin: str, *, seat: str | None = None) -> LoginResult:
    """Authenticate and open a shift, in one transaction; failures still count."""
    with db.write() as session:
        try:
            info = authenticate(session, number, pin)
        except LoginFailed:
            session.commit()
            raise
        shift = Shift(agent_id=info.id, seat=seat, team=info.team, started_at=clock.now())
        session.add(shift)
        session.flush()
        assert shift.id is not None
        audit.record(session, "shift.start", actor_id=info.id, entity="shift", entity_id=shift.id)
        return LoginResult(info, ShiftInfo(shift.id, shift.started_at))


def end_shift(session: Session, shift_id: int, *, actor: AgentInfo) -> None:
    shift = get_or_not_found(session, Shift, shift_id, "shift.not_found")
    if shift.agent_id != actor.id:
        require_lead(actor)
    if shift.ended_at is None:
        shift.ended_at = clock.now()
        if shift.agent_id != actor.id:
            shift.closed_by_id = actor.id
        session.add(shift)
        audit.record(session, "shift.end", actor_id=actor.id, entity="shift", entity_id=shift_id)
