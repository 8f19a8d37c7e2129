"""The phone a customer is reached on when a record has none of its own: the first one entered.

A leaf of the services (models only), so work orders, callbacks, handover and outages can all
use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from agentdesk.models import CustomerPhone


def first_phones(session: Session, customer_ids: Iterable[int | None]) -> dict[int, str]:
    """Each customer's first phone (the one entered first), by customer id; no id, no entry."""
    ids = {i for i in customer_ids if i is not None}
    if not ids:
        return {}
    phones: dict[int, str] = {}
    for cid, phone in session.execute(
        select(col(CustomerPhone.customer_id), col(CustomerPhone.phone))
        .where(col(CustomerPhone.customer_id).in_(ids))
        .order_by(col(CustomerPhone.customer_id), col(CustomerPhone.id))
    ).all():
        phones.setdefault(cid, phone)
    return phones


__all__ = ["first_phones"]
