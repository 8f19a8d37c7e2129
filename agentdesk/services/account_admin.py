"""Who may create accounts, change them and set PINs: the rules every front end obeys.

A lead manages agents and leads; an ``admin`` (the center's IT) manages anyone, leads
included; an agent manages nobody and may change only their own PIN, knowing the old one.
The one account made without anyone to ask is the first manager of a fresh database (an
empty center has nobody to authenticate). Every change is audited with its actor, and a
change that alters what someone may do (role, disabled, PIN reset) ends their live desk
sessions at once, so a stolen token or an old role does not outlast it.

The center must keep someone able to manage it: the last active lead or admin cannot be
demoted or disabled.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from agentdesk.models import ROLES, Agent
from agentdesk.normalize import normalize_name
from agentdesk.services import audit, sessions
from agentdesk.services.accounts import (
    ACCOUNT_RANK,
    AgentInfo,
    agent_info,
    authenticate,
    clean_team,
    create_agent,
    hash_pin,
    list_agents,
    validate_pin,
)
from agentdesk.services.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied

MANAGERS = tuple(role for role, rank in ACCOUNT_RANK.items() if rank > 0)


def may_manage(actor: AgentInfo | None, role: str) -> bool:
    """Whether ``actor`` may create or change an account of ``role``."""
    if actor is None:
        return False
    rank = ACCOUNT_RANK.get(actor.role, 0)
    return rank > 0 and rank >= ACCOUNT_RANK.get(role, len(ACCOUNT_RANK))


def _require(actor: AgentInfo | None, *roles: str) -> None:
    if not all(may_manage(actor, role) for role in roles):
        raise PermissionDenied("agent.manage_denied")


def _managers(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Agent)
                        .where(col(Agent.role).in_(MANAGERS), col(Agent.active).is_(True))).one()


def _agent(session: Session, number: str) -> Agent:
    agent = session.exec(select(Agent).where(Agent.number == (number or "").strip())).first()
    if agent is None or agent.id is None:
        raise NotFound("agent.not_found", number=number)
    return agent


def list_accounts(session: Session, *, actor: AgentInfo) -> list[AgentInfo]:
    """Every account, for a lead or an admin (who has which role, who is disabled)."""
    _require(actor, "agent")
    return list_agents(session)


def add_agent(
    session: Session,
    number: str,
    name: str,
    role: str,
    pin: str,
    *,
    team: str | None = None,
    actor: AgentInfo | None,
) -> AgentInfo:
    """Create an account: by a manager of that role, or, with no actor, the first manager."""
    if actor is None:
        if _managers(session):
            raise PermissionDenied("agent.manage_denied")
        if role not in MANAGERS:
            raise InvalidInput("agent.first_manager", field="role")
    else:
        _require(actor, role if role in ROLES else "admin")
    return create_agent(session, number, name, role, pin, team=team, actor_id=actor.id if actor else None)


def update_agent(
    session: Session,
    number: str,
    *,
    actor: AgentInfo,
    name: str | None = None,
    role: str | None = None,
    team: str | None = None,
    active: bool | None = None,
    extension: str | None = None,
) -> AgentInfo:
    """Change an account's name, role, team, extension (the phone at the agent's seat, which the
    phone system rings) or whether it may log in; ``team=""`` and ``extension=""`` clear them."""
    agent = _agent(session, number)
    if role is not None and role not in ROLES:
        raise InvalidInput("agent.bad_role", field="role", roles=", ".join(ROLES))
    _require(actor, agent.role, role or agent.role)
    changed: dict[str, object] = {}
    if name is not None:
        cleaned = normalize_name(name)
        if not cleaned:
            raise InvalidInput("agent.bad_name", field="name")
        if cleaned != agent.name:
            changed["name"] = agent.name = cleaned
    if team is not None and clean_team(team) != agent.team:
        agent.team = clean_team(team)
        changed["team"] = agent.team or ""
    if extension is not None and (extension.strip() or None) != agent.extension:
        agent.extension = _free_extension(session, extension.strip(), agent)
        changed["extension"] = agent.extension or ""
    if role is not None and role != agent.role:
        changed["role"] = role
    if active is not None and active != agent.active:
        changed["active"] = active
    losing = ("role" in changed and role not in MANAGERS) or changed.get("active") is False
    if agent.role in MANAGERS and agent.active and losing and _managers(session) <= 1:
        raise InvalidInput("agent.last_manager", field="role" if "role" in changed else "active")
    if role is not None:
        agent.role = role
    if active is not None:
        agent.active = active
    if not changed:
        return agent_info(agent)
    session.add(agent)
    assert agent.id is not None
    audit.record(session, "agent.update", actor_id=actor.id, entity="agent", entity_id=agent.id,
                 number=agent.number, **changed)
    if "role" in changed or "active" in changed:
        sessions.end_agent_sessions(session, agent.id, actor=actor)
    return agent_info(agent)


def _free_extension(session: Session, extension: str, agent: Agent) -> str | None:
    from agentdesk.services.cti.events import EXTENSION

    if not extension:
        return None
    if not EXTENSION.match(extension):
        raise InvalidInput("agent.bad_extension", field="extension")
    holder = session.exec(select(Agent).where(col(Agent.extension) == extension, col(Agent.id) != agent.id)).first()
    if holder is not None:
        raise InvalidInput("agent.extension_taken", field="extension", extension=extension, number=holder.number)
    return extension


def change_pin(
    session: Session, number: str, new_pin: str, *, actor: AgentInfo, old_pin: str | None = None
) -> None:
    """One's own PIN, knowing the old one (a wrong old PIN counts towards the lock-out, as at
    the login); anyone else's only by a manager of their role, which ends their sessions."""
    agent = _agent(session, number)
    assert agent.id is not None
    own = actor.id == agent.id
    if own:
        # The login's check: a wrong old PIN counts towards the lock-out (the caller commits
        # on LoginFailed, as ``accounts.login`` does), so an unattended desk cannot be used to
        # guess its agent's PIN.
        try:
            authenticate(session, agent.number, old_pin or "")
        except LoginFailed as exc:
            if exc.key == "login.wrong":
                raise LoginFailed("agent.old_pin_wrong") from None
            raise  # locked: its own words
    else:
        _require(actor, agent.role)
    validate_pin(new_pin)
    agent.pin_hash = hash_pin(new_pin)
    agent.failed_logins = 0
    agent.locked_until = None
    session.add(agent)
    audit.record(session, "agent.passwd", actor_id=actor.id, entity="agent", entity_id=agent.id,
                 own=own)
    if not own:
        sessions.end_agent_sessions(session, agent.id, actor=actor)
