"""Complaint intake rules: mandatory contact details, taxonomy, deadlines, fee disputes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from agentdesk.models import AuditEvent, Call, Complaint, Department, WorkOrder, WorkOrderEvent
from agentdesk.services import accounts, calls, complaints
from agentdesk.services.demo import build_demo
from agentdesk.services.errors import InvalidFields, InvalidInput


@pytest.fixture
def ready(db):  # type: ignore[no-untyped-def]
    build_demo(db, customers=50)
    with db.write() as session:
        agent = accounts.get_agent(session, "1024")
        call = calls.start_call(session, actor=agent, shift_id=None)
        calls.identify_customer(session, call.id, 1, actor=agent)
        dept = session.execute(select(Department.id).where(Department.code == "CS")).scalar_one()
    return db, agent, call.id, dept


def test_taxonomy_has_both_languages() -> None:
    cats = complaints.categories()
    assert set(cats) == {"product", "service", "safety"}
    assert {s[0] for s in cats["service"].subs} >= {"attitude", "billing", "missing", "handling", "withdrawn"}
    for c in cats.values():
        assert c.zh and c.en and all(zh and en for _, zh, en in c.subs)


def test_accepted_complaint_becomes_a_work_order_with_policy_deadlines(ready, fixed_clock) -> None:
    db, agent, call_id, dept = ready
    with db.write() as session:
        info = complaints.accept_complaint(
            session, call_id, name="张三", phone="138 0013 8000", target="上门维修人员",
            content="约好上午上门，下午才来",
            category="service", subcategory="handling", fee_dispute=False, department_id=dept, policy="generic",
            actor=agent)
    with db.read() as session:
        complaint = session.get(Complaint, info.id)
        order = session.get(WorkOrder, info.order_id)
        call = session.get(Call, call_id)
    assert complaint.contact_phone == "13800138000" and complaint.work_order_id == order.id
    assert order.kind == "complaint" and order.reply_by and order.resolve_by and order.reply_by <= order.resolve_by
    assert info.reply_by == order.reply_by
    assert call.outcome == "complaint_accepted" and call.request_type == "complaint"


def test_missing_fields_reported_together_and_nothing_stored(ready) -> None:
    db, agent, call_id, dept = ready
    with pytest.raises(InvalidFields) as err, db.write() as session:
        complaints.accept_complaint(session, call_id, name="", phone="", target="", content="",
                                    category="nope", subcategory=None, fee_dispute=False, department_id=None,
                                    policy="generic", actor=agent)
    assert set(err.value.errors) == {"name", "phone", "target", "content", "category", "department"}
    assert err.value.errors["name"].key == "complaint.need_name"
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(Complaint)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(WorkOrder).where(WorkOrder.call_id == call_id)
                               ).scalar_one() == 0


def test_refused_without_contact_records_why_and_no_complaint(ready) -> None:
    db, agent, call_id, _ = ready
    with db.write() as session:
        missing = complaints.refuse_complaint(session, call_id, name="张三", phone="", actor=agent)
    assert missing == ["phone"]
    with db.read() as session:
        call = session.get(Call, call_id)
        assert session.execute(select(func.count()).select_from(Complaint)).scalar_one() == 0
        assert session.execute(select(AuditEvent).where(AuditEvent.action == "complaint.refused")).scalar_one()
    assert call.outcome == "complaint_refused" and json.loads(call.request_text) == {"missing": ["phone"]}
    with pytest.raises(InvalidInput), db.write() as session:
        complaints.refuse_complaint(session, call_id, name="张三", phone="13800138000", actor=agent)


def test_fee_dispute_holds_the_records(ready) -> None:
    db, agent, call_id, dept = ready
    with db.write() as session:
        info = complaints.accept_complaint(
            session, call_id, name="张三", phone="13800138000", target="计费中心", content="本月多扣 30 元",
            category="service", subcategory="billing", fee_dispute=True, department_id=dept, policy="generic",
            actor=agent)
    with db.read() as session:
        kinds = session.execute(select(WorkOrderEvent.kind).where(WorkOrderEvent.work_order_id == info.order_id)
                                ).scalars().all()
        assert "hold_records" in kinds
        assert session.execute(select(AuditEvent).where(AuditEvent.action == "billing.hold")).scalar_one()
        assert session.get(Complaint, info.id).fee_dispute
