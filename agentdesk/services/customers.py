"""Caller identification: one search box over phone, user code, name and pinyin initials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, or_, select
from sqlmodel import Session

from agentdesk.models import Call, Callback, Customer, CustomerPhone, Department, WorkOrder
from agentdesk.normalize import clean_text, mask_phone, search_digits, strip_invisible

SEARCH_LIMIT = 20
OPEN_ORDER_STATUSES = ("new", "dispatched", "in_progress", "resolved", "callback")


@dataclass(frozen=True)
class CustomerHit:
    id: int
    user_code: str
    name: str
    phone_masked: str
    area_name: str
    tier: str


@dataclass(frozen=True)
class PhoneLine:
    number: str
    kind: str
    masked: str


@dataclass(frozen=True)
class CallLine:
    id: int
    started_at: datetime
    request_type: str | None
    outcome: str | None
    summary: str


@dataclass(frozen=True)
class OrderLine:
    id: int
    number: str
    kind: str
    status: str
    resolve_by: datetime | None
    department: str
    badge: str = "on_time"


@dataclass(frozen=True)
class CallbackLine:
    id: int
    kind: str
    due_at: datetime
    reason: str


@dataclass(frozen=True)
class CustomerCard:
    id: int
    user_code: str
    name: str
    phones: tuple[PhoneLine, ...]
    address: str
    area_name: str
    area_class: str
    tier: str
    recent_calls: tuple[CallLine, ...]
    open_orders: tuple[OrderLine, ...]
    callbacks_due: tuple[CallbackLine, ...]


def _prefix_range(column, prefix: str):  # type: ignore[no-untyped-def]
    """column starts with prefix, written as a range so a B-tree index serves it on every database."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def search_customers(session: Session, query: str, limit: int = SEARCH_LIMIT) -> list[CustomerHit]:
    """Customers matching what the agent typed; empty for an empty box.

    Digits: a user-code prefix or any part of a phone number. Latin letters: pinyin
    initials prefix (``zs`` → 张三) or full pinyin prefix. Anything else: the name
    (prefix first, then anywhere in it).
    """
    text = clean_text(strip_invisible(query)).strip()
    if not text:
        return []
    digits = search_digits(text)
    conditions = []
    exact = None  # what makes a hit exact, so it comes first
    if digits and re.fullmatch(r"[\d\s\-+()（）０-９]+", text):
        conditions.append(_prefix_range(Customer.user_code, digits))
        if len(digits) >= 3:
            phone_ids = select(CustomerPhone.customer_id).where(CustomerPhone.phone.contains(digits, autoescape=True))
            conditions.append(Customer.id.in_(phone_ids))
        exact = Customer.user_code == digits
    elif re.fullmatch(r"[A-Za-z]+", text):
        lowered = text.lower()
        conditions.append(_prefix_range(Customer.name_initials, lowered))
        conditions.append(_prefix_range(Customer.name_pinyin, lowered))
        exact = or_(Customer.name_initials == lowered, Customer.name_pinyin == lowered)
    else:
        conditions.append(_prefix_range(Customer.name, text))
        conditions.append(Customer.name.contains(text, autoescape=True))
        exact = Customer.name == text
    rows = session.execute(
        select(Customer.id, Customer.user_code, Customer.name, Customer.area_name, Customer.tier)
        .where(or_(*conditions))
        .order_by(case((exact, 0), else_=1), Customer.name, Customer.id)
        .limit(limit)
    ).all()
    ids = [r.id for r in rows]
    phones: dict[int, str] = {}
    if ids:
        for cid, phone in session.execute(
            select(CustomerPhone.customer_id, CustomerPhone.phone)
            .where(CustomerPhone.customer_id.in_(ids))
            .order_by(CustomerPhone.id)
        ):
            phones.setdefault(cid, phone)
    return [CustomerHit(r.id, r.user_code, r.name, mask_phone(phones.get(r.id, "")), r.area_name, r.tier) for r in rows]


def customer_card(session: Session, customer_id: int, now: datetime) -> CustomerCard:
    from agentdesk.services.errors import NotFound

    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("customer.not_found", id=customer_id)
    phones = tuple(
        PhoneLine(p.phone, p.kind, mask_phone(p.phone))
        for p in session.execute(
            select(CustomerPhone).where(CustomerPhone.customer_id == customer_id).order_by(CustomerPhone.id)
        ).scalars()
    )
    calls = tuple(
        CallLine(c.id, c.started_at, c.request_type, c.outcome, c.summary or "")
        for c in session.execute(
            select(Call).where(Call.customer_id == customer_id, Call.status == "closed")
            .order_by(Call.started_at.desc()).limit(5)
        ).scalars()
    )
    from agentdesk.services.workorders import order_row

    orders = tuple(
        OrderLine(o.id, o.number, o.kind, o.status, o.resolve_by, dept or "", order_row(session, o.id).badge)
        for o, dept in session.execute(
            select(WorkOrder, Department.name)
            .join(Department, Department.id == WorkOrder.department_id, isouter=True)
            .where(WorkOrder.customer_id == customer_id, WorkOrder.status.in_(OPEN_ORDER_STATUSES))
            .order_by(WorkOrder.resolve_by)
            .limit(10)
        ).all()
    )
    callbacks = tuple(
        CallbackLine(cb.id, cb.kind, cb.due_at, cb.reason)
        for cb in session.execute(
            select(Callback).where(Callback.customer_id == customer_id, Callback.status.in_(("pending", "claimed")))
            .order_by(Callback.due_at).limit(10)
        ).scalars()
    )
    return CustomerCard(
        customer.id, customer.user_code, customer.name, phones, customer.address, customer.area_name,  # type: ignore[arg-type]
        customer.area_class, customer.tier, calls, orders, callbacks,
    )
