"""The callback owed after a resolved work order (回访), as the policy's callback rule says.

"always" creates a callback due by the policy's callback clock (measured from the moment the
order was resolved); "sampled" draws ``random.Random(f"{order.id}:{policy}")`` against the
rate, the draw kept in ``Callback.sample_draw`` (or, when not drawn, in the audit row).

Called by the work-order life cycle; imports nothing of it, so either package may load first.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from agentdesk.models import Call, Callback, Customer, WorkOrder
from agentdesk.policy import CallbackRule, Policy, UnknownNameError
from agentdesk.policy import load_policy as _load_policy
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.deadlines import work_order_deadlines
from agentdesk.services.messages import loads, message
from agentdesk.services.phones import first_phones
from agentdesk.vocab import OPEN_CALLBACK_STATUSES, CallbackStatus, after_order_kind

#: When an "always" callback rule states no window: call back within this long.
DEFAULT_CALLBACK_WITHIN = timedelta(hours=24)


def open_callbacks(session: Session, order_id: int) -> list[Callback]:
    """The order's callbacks still owed."""
    return list(session.execute(
        select(Callback).where(col(Callback.work_order_id) == order_id,
                               col(Callback.status).in_(OPEN_CALLBACK_STATUSES))
    ).scalars())


def _contact(session: Session, order: WorkOrder) -> tuple[str | None, str | None]:
    name = phone = None
    if order.customer_id is not None:
        customer = session.get(Customer, order.customer_id)
        name = customer.name if customer else None
        phone = first_phones(session, [order.customer_id]).get(order.customer_id)
    if order.call_id is not None and (name is None or phone is None):
        call = session.get(Call, order.call_id)
        if call is not None:
            name = name or call.caller_name
            phone = phone or call.caller_phone
    return name, phone


def _next_weekday_close(policy: Policy, now: datetime, weekday: str) -> datetime:
    """The close of work of the next ``weekday`` (today included while work is still on)."""
    from agentdesk.policy.names import WEEKDAYS

    target = WEEKDAYS.index(weekday)
    cal = policy.calendar
    day = now.date()
    for _ in range(3):
        while day.weekday() != target:
            day += timedelta(days=1)
        workday = day if cal.is_working_day(day) else cal.next_working_day(day)
        close = cal.close_of_work(workday)
        if close is not None and close > now:
            return close
        day += timedelta(days=1)
    return now + timedelta(days=7)  # pragma: no cover - a calendar without working days


def callback_due(policy_name: str, order: WorkOrder, rule: CallbackRule | None, done_at: datetime) -> datetime:
    """When a callback for ``order`` finished at ``done_at`` is due under ``rule``."""
    policy = _load_policy(policy_name)
    try:
        clocks = work_order_deadlines(policy_name, order.kind, order.severity, order.area_class, order.tier,
                                      done_at, done_at=done_at)
    except UnknownNameError:
        clocks = {}
    due = clocks.get("callback_by")
    if due is not None:
        return due
    if rule is not None and rule.within is not None:
        return rule.within.due(done_at, policy.calendar)
    if rule is not None and rule.mode == "sampled" and rule.on:
        return _next_weekday_close(policy, done_at, rule.on)
    return done_at + DEFAULT_CALLBACK_WITHIN


def create_callback(session: Session, order: WorkOrder, policy_name: str, rule: CallbackRule | None,
                    now: datetime, actor: AgentInfo, sample_draw: str | None) -> Callback:
    policy = _load_policy(policy_name)
    name, phone = _contact(session, order)
    kind = policy.parent_kind(order.kind) or order.kind
    description = order.description if len(order.description) <= 200 else order.description[:199] + "…"
    reason = message("callback.reason_after_order", number=order.number, kind=message(f"kind.{kind}"),
                     description=loads(order.description_message) or description)
    callback = Callback(
        kind=after_order_kind(kind), customer_id=order.customer_id, work_order_id=order.id, call_id=order.call_id,
        contact_name=name, contact_phone=phone, reason=description, reason_message=reason.dumps(),
        due_at=callback_due(policy_name, order, rule, now), status=CallbackStatus.PENDING,
        owner_agent_id=order.owner_agent_id, sample_draw=sample_draw, created_at=now,
    )
    session.add(callback)
    session.flush()
    audit.record(session, "callback.create", actor_id=actor.id, entity="callback", entity_id=callback.id,
                 work_order_id=order.id, kind=callback.kind, due_at=callback.due_at, sample_draw=sample_draw)
    return callback


def sample_draw(order_id: int, policy: str) -> float:
    """The reproducible draw for a sampled callback: same order and policy, same number."""
    return random.Random(f"{order_id}:{policy}").random()


def callback_decision(session: Session, order: WorkOrder, policy_name: str, now: datetime,
                      actor: AgentInfo) -> tuple[Callback | None, str | None, str]:
    """Apply the policy's callback rule to a resolved order: (callback or None, draw text, mode)."""
    policy = _load_policy(policy_name)
    try:
        rule = policy.callback_rule(order.kind, order.tier)
    except UnknownNameError:
        rule = None
    if rule is None:
        return None, None, "none"
    if rule.mode == "sampled":
        assert order.id is not None
        rate = rule.rate or 0.0
        draw = sample_draw(order.id, policy_name)
        if draw < rate:
            text = f"sampled {draw:.4f} < {rate:.2f}"
            return create_callback(session, order, policy_name, rule, now, actor, text), text, "sampled"
        return None, f"not sampled {draw:.4f} >= {rate:.2f}", "sampled"
    return create_callback(session, order, policy_name, rule, now, actor, None), None, rule.mode
