"""The month's periodic callbacks (VIP monthly phone call; big customers and private networks
monthly visit …), from the policy's periodic callback rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from agentdesk import clock
from agentdesk.models import Callback, Customer
from agentdesk.policy import Policy, load_policy
from agentdesk.services import audit
from agentdesk.services.messages import listing, message
from agentdesk.services.phones import first_phones
from agentdesk.vocab import CallbackKind, CallbackStatus

_PERIODS_MONTHS = {"quarter": (1, 4, 7, 10), "half_year": (1, 7), "year": (1,)}


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = datetime(now.year, now.month, 1)
    end = datetime(now.year + 1, 1, 1) if now.month == 12 else datetime(now.year, now.month + 1, 1)
    return start, end


def _month_due(policy: Policy, now: datetime) -> datetime:
    """The close of work of the month's last working day (now, once that has passed)."""
    calendar = policy.calendar
    _, end = _month_bounds(now)
    day = (end - timedelta(days=1)).date()
    for _ in range(31):
        close = calendar.close_of_work(day) if calendar.is_working_day(day) else None
        if close is not None:
            return max(close, now)
        day -= timedelta(days=1)
    return max(end - timedelta(seconds=1), now)


def generate_periodic(session: Session, *, policy: str, now: datetime, batch: int = 500) -> int:
    """The month's periodic callbacks (VIP monthly phone call; big customers and private
    networks monthly visit …) from ``policy.periodic_callbacks``: one callback per customer
    per month, whatever number of rules apply (their methods are named in the reason).

    Idempotent: the month is kept in ``Callback.sample_draw`` (``"periodic 2026-11"``), so a
    second run in the same month creates nothing. A rule with no stated period counts as
    monthly; quarterly / half-yearly / yearly rules apply in their first month. Returns the
    number created.
    """
    loaded = load_policy(policy)
    rules = [r for r in loaded.periodic_callbacks() if r.mode == "periodic" and r.segment is None]
    methods_by_tier: dict[str, list[str]] = {}
    for rule in rules:
        months = _PERIODS_MONTHS.get(rule.every or "month")
        if months is not None and now.month not in months:
            continue
        for tier in sorted(rule.tiers) if rule.tiers is not None else loaded.tiers:
            found = methods_by_tier.setdefault(tier, [])
            method = rule.method or "phone"
            if method not in found:
                found.append(method)
    if not methods_by_tier:
        return 0
    period = f"periodic {now:%Y-%m}"
    due = _month_due(loaded, now)
    created = 0
    last_id = 0
    while True:
        customers = session.execute(
            select(Customer.id, Customer.name, Customer.tier)
            .where(col(Customer.tier).in_(list(methods_by_tier)), col(Customer.id) > last_id)
            .order_by(col(Customer.id)).limit(batch)
        ).all()
        if not customers:
            break
        last_id = customers[-1][0] or 0
        ids = [c[0] for c in customers if c[0] is not None]
        done = set(session.execute(
            select(Callback.customer_id).where(col(Callback.customer_id).in_(ids),
                                               col(Callback.kind) == CallbackKind.PERIODIC,
                                               col(Callback.sample_draw) == period)
        ).scalars())
        phones = first_phones(session, ids)
        for cid, name, tier in customers:
            if cid in done:
                continue
            methods = listing([message(f"callback.method_{m}") for m in methods_by_tier[tier]])
            reason = message("callback.reason_periodic", tier=message(f"tier.{tier}"), month=f"{now:%Y-%m}",
                             methods=methods)
            session.add(Callback(
                kind=CallbackKind.PERIODIC, customer_id=cid, contact_name=name, contact_phone=phones.get(cid),
                reason="", reason_message=reason.dumps(),
                due_at=due, status=CallbackStatus.PENDING, sample_draw=period, created_at=clock.now(),
            ))
            created += 1
        session.flush()
    audit.record(session, "callback.generate_periodic", actor_id=None, entity="callback", policy=policy,
                 month=f"{now:%Y-%m}", created=created)
    return created
