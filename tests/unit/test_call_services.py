"""The call flow's rules, through the services (no Textual)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.models import AuditEvent, Call, Callback, Department, Outage, OutageArea, OutageCall, WorkOrder
from agentdesk.services import accounts, calls, customers, kb, outages
from agentdesk.services.demo import build_demo
from agentdesk.services.errors import InvalidInput, PermissionDenied


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    build_demo(db, customers=200)
    with db.read() as session:
        agent = accounts.get_agent(session, "1024")
        other = accounts.get_agent(session, "1025")
    return db, agent, other


def _start(db, agent):  # type: ignore[no-untyped-def]
    with db.write() as session:
        return calls.start_call(session, actor=agent, shift_id=None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zs", "张三"), ("张三", "张三"), ("138 0013", "张三"), ("8000", "张三"), ("220100000001", "张三"),
     ("zhangsan", "张三"), ("买买提", "阿卜杜拉·买买提"), ("𠮷", "𠮷田秀"), ("１３８００１３８０００", "张三"),
     ("8886666", "张三")],
)
def test_search_customers(demo, query: str, expected: str) -> None:
    db, _, _ = demo
    with db.read() as session:
        hits = customers.search_customers(session, query)
    assert expected in [h.name for h in hits]
    hit = next(h for h in hits if h.name == expected)
    assert "****" in hit.phone_masked or len(hit.phone_masked) <= 12


def test_search_never_interprets_input(demo) -> None:
    db, _, _ = demo
    with db.read() as session:
        for query in ("", "   ", "%", "_", "'; DROP TABLE customers; --", "[bold]", "\x1b[2J"):
            assert isinstance(customers.search_customers(session, query), list)
        assert customers.search_customers(session, "%") == []


def test_customer_card(demo, fixed_clock) -> None:
    db, _, _ = demo
    with db.read() as session:
        card = customers.customer_card(session, 1, fixed_clock.now())
    assert card.name == "张三" and card.area_class == "city"
    assert [p.masked for p in card.phones][0] == "138****8000"


def test_kb_search_finds_chinese(demo) -> None:
    db, _, _ = demo
    with db.read() as session:
        titles = [h.title for h in kb.kb_search(session, "机顶盒")]
        assert "机顶盒没有信号怎么办" in titles
        assert titles[0] == "机顶盒没有信号怎么办"
        assert "宽带无法上网的排查步骤" in [h.title for h in kb.kb_search(session, "宽带")]
        assert kb.kb_search(session, "机顶盒 遥控器")[0].title == "遥控器失灵的处理方法"
        assert kb.kb_search(session, '"') == []
        article = kb.kb_article(session, kb.kb_search(session, "机顶盒")[0].id)
    assert "射频线" in article.body


def test_consult_follow_up_uses_policy_reply_deadline(demo, fixed_clock) -> None:
    db, agent, _ = demo
    info = _start(db, agent)
    with db.write() as session:
        calls.identify_customer(session, info.id, 1, actor=agent)
        follow = calls.consult_follow_up(session, info.id, question="为什么这个月多扣了 10 元？",
                                         contact_phone="138-0013-8000", policy="generic", actor=agent)
    assert follow.due_at == fixed_clock.now() + timedelta(hours=24)
    with db.write() as session:
        with pytest.raises(InvalidInput) as err:
            calls.close_call(session, info.id, summary="已登记", checklist={"reason": True}, actor=agent)
        assert err.value.key == "call.checklist_incomplete"
    with db.write() as session:
        calls.close_call(session, info.id, summary="已登记，24 小时内答复",
                         checklist=dict.fromkeys(calls.CHECKLIST_ITEMS, True), actor=agent)
    with db.read() as session:
        call = session.get(Call, info.id)
        cb = session.get(Callback, follow.callback_id)
    assert call.status == "closed" and json.loads(call.checklist) == dict.fromkeys(calls.CHECKLIST_ITEMS, True)
    assert cb.kind == "followup" and cb.contact_phone == "13800138000" and cb.call_id == info.id


def test_repair_work_order_and_phrase_flag(demo, fixed_clock) -> None:
    db, agent, _ = demo
    info = _start(db, agent)
    with db.write() as session:
        dept = session.execute(select(Department).where(Department.code == "NET")).scalar_one()
        calls.identify_customer(session, info.id, 1, actor=agent)
        preview = calls.preview_deadlines(session, info.id, "repair", "general", "generic")
        order = calls.create_work_order(session, info.id, kind="repair", severity="general",
                                        description="机顶盒无信号，我也不知道怎么回事", department_id=dept.id,
                                        policy="generic", actor=agent)
    assert order.phrase_flag is True
    assert order.resolve_by == preview["resolve_by"]
    with db.read() as session:
        wo = session.get(WorkOrder, order.id)
        assert wo.number == order.number and wo.call_id == info.id and wo.status == "dispatched"
        assert wo.phrase_flag and wo.resolve_by == preview["resolve_by"]
        assert session.execute(select(AuditEvent).where(AuditEvent.action == "workorder.create")).scalars().all()


def test_unregistered_caller_validation(demo) -> None:
    db, agent, _ = demo
    info = _start(db, agent)
    with db.write() as session:
        with pytest.raises(InvalidInput) as err:
            calls.register_unregistered(session, info.id, name="王五", address="南关区", phone="12800138000",
                                        actor=agent)
        assert err.value.field == "phone" and err.value.key == "phone.bad_mobile"
        with pytest.raises(InvalidInput) as err:
            calls.register_unregistered(session, info.id, name="\u200b", address="南关区", phone="13800138000",
                                        actor=agent)
        assert err.value.field == "name"
    with db.write() as session:
        caller = calls.register_unregistered(session, info.id, name="阿卜杜拉•买买提", address="南关区 1 号",
                                             phone="+86 139-1234-5678", actor=agent)
    assert caller.name == "阿卜杜拉·买买提" and caller.phone == "13912345678"


def test_outage_link_archives_the_call(demo, fixed_clock) -> None:
    db, agent, _ = demo
    with db.write() as session:
        lead = accounts.get_agent(session, "8001")
        outage = Outage(services='["tv"]', cause="光缆被挖断", message="预计两小时恢复", declared_by_id=lead.id,
                        declared_at=fixed_clock.now(), updated_at=fixed_clock.now(),
                        eta=fixed_clock.now() + timedelta(hours=2))
        session.add(outage)
        session.flush()
        session.add(OutageArea(outage_id=outage.id, area_name="朝阳区"))
    info = _start(db, agent)
    with db.write() as session:
        found = outages.active_outage_for_area(session, "朝阳区红旗街道湖西社区")
        assert found is not None and found.areas == ("朝阳区",)
        assert outages.active_outage_for_area(session, "南关区曙光街道明珠社区") is None
        outages.link_call(session, info.id, found.id, actor=agent)
        calls.close_call(session, info.id, summary="", checklist=None, actor=agent)
    with db.read() as session:
        assert session.execute(select(OutageCall)).scalar_one().call_id == info.id
        assert session.get(Call, info.id).outcome == "outage_archived"


def test_another_agent_cannot_touch_my_call(demo) -> None:
    db, agent, other = demo
    info = _start(db, agent)
    with pytest.raises(PermissionDenied), db.write() as session:
        calls.record_praise(session, info.id, kind="praise", content="服务很好", forward=True, actor=other)


def test_praise_is_recorded_and_marked_for_forwarding(demo) -> None:
    db, agent, _ = demo
    info = _start(db, agent)
    with db.write() as session:
        calls.record_praise(session, info.id, kind="suggestion", content="希望增加少儿频道", forward=True, actor=agent)
        calls.close_call(session, info.id, summary="", checklist=None, actor=agent)
    with db.read() as session:
        call = session.get(Call, info.id)
    assert (call.outcome, call.forward, call.request_text, call.checklist) == \
        ("suggestion", True, "希望增加少儿频道", None)


def test_closed_call_cannot_change(demo) -> None:
    db, agent, _ = demo
    info = _start(db, agent)
    with db.write() as session:
        calls.close_call(session, info.id, summary="", checklist=None, actor=agent)
    with pytest.raises(InvalidInput) as err, db.write() as session:
        calls.close_call(session, info.id, summary="", checklist=None, actor=agent)
    assert err.value.key == "call.closed"


def test_exact_matches_come_first(demo) -> None:
    db, _, _ = demo
    with db.read() as session:
        assert customers.search_customers(session, "zs")[0].name == "张三"
        assert customers.search_customers(session, "张三")[0].name == "张三"
        assert customers.search_customers(session, "220100000001")[0].name == "张三"
