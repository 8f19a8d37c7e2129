"""The phone systems allowed to post call events: one token each, kept as its SHA-256.

A token is issued (or rotated: the old one stops working at once) by an admin or a team lead
on the server machine, ``agentdesk cti token``; the phone system presents it with every event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.models import CtiSystem
from agentdesk.services import audit
from agentdesk.services.account_admin import MANAGERS
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput, PermissionDenied

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
DEFAULT_NAME = "pbx"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, name: str, *, actor: AgentInfo) -> str:
    """A new token for the phone system ``name`` (created if new); the old one stops working."""
    if actor.role not in MANAGERS:
        raise PermissionDenied()
    name = (name or "").strip()
    if not _NAME.match(name):
        raise InvalidInput("cti.bad_system_name", field="system")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    system = session.execute(select(CtiSystem).where(col(CtiSystem.name) == name)).scalar_one_or_none()
    if system is None:
        system = CtiSystem(name=name, token_hash=_hash(token), created_at=now)
        action = "cti.token_created"
    else:
        system.token_hash, system.rotated_at = _hash(token), now
        action = "cti.token_rotated"
    session.add(system)
    session.flush()
    audit.record(session, action, actor_id=actor.id, entity="cti_system", entity_id=system.id, system=name)
    return token


def system_for(session: Session, token: str | None) -> CtiSystem | None:
    """The phone system whose token this is, or None."""
    if not token or len(token) > 200:
        return None
    wanted = _hash(token)
    system = session.execute(select(CtiSystem).where(col(CtiSystem.token_hash) == wanted)).scalar_one_or_none()
    # The lookup is by hash; the comparison of what was found is constant-time all the same.
    if system is None or not hmac.compare_digest(system.token_hash, wanted):
        return None
    return system
