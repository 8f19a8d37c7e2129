"""Complaint intake (投诉受理): mandatory contact details, or the complaint is not accepted.

Seed 000, hotline rule 9: the agent must take the complaint's target, its content and the
complainant's contact details; a caller who will not give name or contact is told the
complaint cannot be accepted, and nothing is stored as a complaint.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlmodel import Session

from agentdesk import clock
from agentdesk.models import Complaint, WorkOrderEvent
from agentdesk.normalize import PhoneError, normalize_name, parse_phone
from agentdesk.paths import data_dir
from agentdesk.services import audit
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.calls import _call, _text, create_work_order, has_forbidden_phrase
from agentdesk.services.errors import InvalidFields, InvalidInput

REFUSAL_FIELDS = ("name", "phone")


@dataclass(frozen=True)
class Category:
    id: str
    zh: str
    en: str
    subs: tuple[tuple[str, str, str], ...]  # (id, zh, en)

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def sub_label(self, sub: str, lang: str) -> str:
        for sid, zh, en in self.subs:
            if sid == sub:
                return zh if lang.startswith("zh") else en
        return sub


@dataclass(frozen=True)
class ComplaintInfo:
    id: int
    order_id: int
    order_number: str
    reply_by: datetime | None
    resolve_by: datetime | None
    phrase_flag: bool


@cache
def categories() -> dict[str, Category]:
    with open(data_dir() / "complaints" / "categories.toml", "rb") as fh:
        raw = tomllib.load(fh)["category"]
    return {
        cid: Category(cid, c["zh"], c["en"], tuple((sid, s["zh"], s["en"]) for sid, s in c.get("sub", {}).items()))
        for cid, c in raw.items()
    }


def accept_complaint(
    session: Session,
    call_id: int,
    *,
    name: str,
    phone: str,
    target: str,
    content: str,
    category: str,
    subcategory: str | None,
    fee_dispute: bool,
    department_id: int | None,
    policy: str,
    actor: AgentInfo,
) -> ComplaintInfo:
    """Record an accepted complaint and its work order with the policy's reply and resolve deadlines.

    Every missing or wrong field is reported at once. The callback after the order is
    solved comes from the work-order lifecycle (the policy's rule for complaints).
    """
    errors: dict[str, InvalidInput] = {}
    clean_name = normalize_name(name or "")
    if not clean_name:
        errors["name"] = InvalidInput("complaint.need_name", field="name")
    try:
        number = parse_phone(phone or "").number
    except PhoneError as exc:
        errors["phone"] = InvalidInput("complaint.need_phone" if exc.key == "phone.empty" else exc.key, field="phone")
    for field, value in (("target", target), ("content", content)):
        try:
            _text(value, field)
        except InvalidInput as exc:
            errors[field] = exc
    cats = categories()
    if category not in cats:
        errors["category"] = InvalidInput("complaint.bad_category", field="category")
    elif subcategory and subcategory not in {s[0] for s in cats[category].subs}:
        errors["category"] = InvalidInput("complaint.bad_category", field="category")
    if department_id is None:
        errors["department"] = InvalidInput("workorder.bad_department", field="department")
    if errors:
        raise InvalidFields(errors)
    assert department_id is not None
    target, content = _text(target, "target")[:300], _text(content, "content")
    order = create_work_order(
        session, call_id, kind="complaint", severity="general", description=content, department_id=department_id,
        policy=policy, actor=actor, request_type="complaint",
        detail={"category": category, "subcategory": subcategory, "target": target},
    )
    flagged = order.phrase_flag or has_forbidden_phrase(target)
    now = clock.now()
    complaint = Complaint(
        call_id=call_id, work_order_id=order.id, complainant_name=clean_name, contact_phone=number, target=target,
        content=content, category=category, subcategory=subcategory, fee_dispute=fee_dispute, phrase_flag=flagged,
        created_at=now,
    )
    session.add(complaint)
    call = _call(session, call_id, actor)
    call.outcome = "complaint_accepted"
    call.caller_name = call.caller_name or clean_name
    call.caller_phone = call.caller_phone or number
    session.add(call)
    session.flush()
    assert complaint.id is not None
    if fee_dispute:
        # The billing records in dispute stay as they are until the complaint is solved.
        session.add(WorkOrderEvent(work_order_id=order.id, at=now, kind="hold_records", agent_id=actor.id,
                                   detail=json.dumps({"reason": "fee_dispute"})))
        audit.record(session, "billing.hold", actor_id=actor.id, entity="work_order", entity_id=order.id,
                     customer_id=call.customer_id)
    audit.record(session, "complaint.accept", actor_id=actor.id, entity="complaint", entity_id=complaint.id,
                 call_id=call_id, order=order.number, category=category, fee_dispute=fee_dispute)
    from agentdesk.models import WorkOrder

    stored = session.get(WorkOrder, order.id)
    return ComplaintInfo(complaint.id, order.id, order.number, stored.reply_by if stored else None,
                         order.resolve_by, flagged)


def refuse_complaint(session: Session, call_id: int, *, name: str, phone: str, actor: AgentInfo) -> list[str]:
    """The caller withholds name or contact: record why on the call; no complaint row."""
    missing = [f for f, v in (("name", normalize_name(name or "")), ("phone", (phone or "").strip())) if not v]
    if not missing:
        raise InvalidInput("complaint.refuse_has_contact", field="form")
    call = _call(session, call_id, actor)
    call.request_type = "complaint"
    call.outcome = "complaint_refused"
    call.request_text = json.dumps({"missing": missing}, ensure_ascii=False)
    session.add(call)
    audit.record(session, "complaint.refused", actor_id=actor.id, entity="call", entity_id=call_id, missing=missing)
    return missing
