"""The team lead's supervision board: one read of everything a lead watches during a shift."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from agentdesk.models import Agent, Call, Callback, Department, Shift, WorkOrder
from agentdesk.services.accounts import AgentInfo, require_lead
from agentdesk.services.callbacks import CallbackRow, queue
from agentdesk.services.workorders import DelayInfo, OrderRow, pending_delays, warning_and_overdue
from agentdesk.vocab import OPEN_CALLBACK_STATUSES, OPEN_ORDER_STATUSES


@dataclass(frozen=True)
class OnShift:
    number: str
    name: str
    role: str
    team: str | None
    since: datetime
    open_call: bool


@dataclass(frozen=True)
class BoardData:
    by_status_department: tuple[tuple[str, str, int], ...]  # (department, status, count)
    warning: tuple[OrderRow, ...]
    overdue: tuple[OrderRow, ...]
    delays: tuple[DelayInfo, ...]
    callbacks_due_today: int
    callbacks_overdue: tuple[CallbackRow, ...]
    calls_per_hour: tuple[tuple[int, int], ...]  # (hour of day, calls), each hour of the lead's shift
    on_shift: tuple[OnShift, ...]


def board(session: Session, *, actor: AgentInfo, now: datetime, since: datetime) -> BoardData:
    """Everything on the board, read in one unit of work; ``since`` is the lead's shift start."""
    require_lead(actor)
    rows = session.execute(
        select(col(Department.name), col(WorkOrder.status), func.count())
        .join(Department, col(Department.id) == col(WorkOrder.department_id), isouter=True)
        .where(col(WorkOrder.status).in_(OPEN_ORDER_STATUSES))
        .group_by(Department.name, WorkOrder.status)
        .order_by(Department.name, WorkOrder.status)
    ).all()
    warning, overdue = warning_and_overdue(session, limit=30)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    due_today = session.execute(
        select(func.count()).select_from(Callback)
        .where(col(Callback.status).in_(OPEN_CALLBACK_STATUSES), col(Callback.due_at) >= day_start,
               col(Callback.due_at) < day_end)
    ).scalar_one()
    overdue_callbacks = queue(session, due_before=now, page_size=30).rows
    first_hour = since.replace(minute=0, second=0, microsecond=0)
    hours = Counter(
        int((started - first_hour).total_seconds() // 3600) for started in session.execute(
            select(col(Call.started_at)).where(col(Call.started_at) >= first_hour, col(Call.started_at) <= now)
        ).scalars()
    )
    span = int((now - first_hour).total_seconds() // 3600) + 1
    per_hour = tuple(((first_hour + timedelta(hours=i)).hour, hours.get(i, 0)) for i in range(max(span, 1)))
    open_calls = set(session.execute(select(col(Call.agent_id)).where(col(Call.status) == "open")).scalars())
    on_shift = tuple(
        OnShift(a.number, a.name, a.role, a.team, s.started_at, a.id in open_calls)
        for s, a in session.execute(
            select(Shift, Agent).join(Agent, col(Agent.id) == col(Shift.agent_id))
            .where(col(Shift.ended_at).is_(None)).order_by(col(Agent.number))
        ).all()
    )
    return BoardData(
        tuple((d or "—", s, n) for d, s, n in rows), tuple(warning), tuple(overdue), tuple(pending_delays(session)),
        due_today, tuple(overdue_callbacks), per_hour, on_shift,
    )
