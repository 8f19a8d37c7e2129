"""Shift handover: compiling what a shift leaves open, confirming, acknowledging (no Textual)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agentdesk.models import (
    AuditEvent,
    Call,
    Callback,
    Draft,
    HandoverAck,
    HandoverNote,
    Outage,
    OutageArea,
    Shift,
    WorkOrder,
)
from agentdesk.services import accounts, handover
from agentdesk.services.accounts import AgentInfo
from agentdesk.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.conftest import T0
from tests.unit.test_workorders import Desk, insert_order, make_desk


@dataclass
class Team:
    desk: Desk
    lead: AgentInfo  # 8001, 甲班
    agent: AgentInfo  # 1024, 甲班
    mate: AgentInfo  # 1025, 甲班
    other: AgentInfo  # 1026, 乙班


@pytest.fixture
def team(db, lead_and_agent) -> Team:  # type: ignore[no-untyped-def]
    desk = make_desk(db, lead_and_agent)
    with db.write() as s:
        mate = accounts.create_agent(s, "1025", "张伟", "agent", "1025", team="甲班")
        other = accounts.create_agent(s, "1026", "阿依古丽·买买提", "agent", "1026", team="乙班")
    return Team(desk, lead_and_agent[0], lead_and_agent[1], mate, other)


def open_shift(db, agent: AgentInfo, *, seat: str = "A-12") -> int:  # type: ignore[no-untyped-def]
    with db.write() as s:
        shift = Shift(agent_id=agent.id, seat=seat, team=agent.team, started_at=T0)
        s.add(shift)
        s.flush()
        return shift.id  # type: ignore[return-value]


def add_call(s, agent: AgentInfo, shift_id: int | None, *, request_type: str | None = "consult",  # type: ignore[no-untyped-def]
             outcome: str | None = "answered", status: str = "closed", **kw) -> int:
    call = Call(agent_id=agent.id, shift_id=shift_id, started_at=T0 + timedelta(minutes=5),
                request_type=request_type, outcome=outcome, status=status, **kw)
    s.add(call)
    s.flush()
    return call.id  # type: ignore[return-value]


def confirmed_note(db, agent: AgentInfo, notes: str = "交接备注", *, team: str | None = "keep") -> int:  # type: ignore[no-untyped-def]
    shift_id = open_shift(db, agent)
    if team != "keep":
        with db.write() as s:
            shift = s.get(Shift, shift_id)
            shift.team = team
            s.add(shift)
    with db.write() as s:
        return handover.confirm_handover(s, shift_id, actor=agent, notes=notes).id


def audit_actions(db, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


# -- compiling ----------------------------------------------------------------------------------


@pytest.fixture
def busy_shift(db, team, fixed_clock):  # type: ignore[no-untyped-def]
    """1024's shift with something of every kind open, and things that must stay out."""
    desk, agent = team.desk, team.agent
    shift_id = open_shift(db, agent)
    fixed_clock.advance(hours=1)  # now T0 + 1 h; the next shift ends at T0 + 9 h
    with db.write() as s:
        mine = insert_order(s, desk, created=T0)  # open, mine
        insert_order(s, desk, status="closed")  # done: not listed
        insert_order(s, desk, owner_id=team.mate.id)  # someone else's
        cb = lambda **kw: Callback(created_at=T0, **kw)  # noqa: E731
        s.add_all([
            cb(kind="followup", owner_agent_id=agent.id, customer_id=desk.customer_id, reason="套餐资费待答复",
               due_at=T0 + timedelta(hours=20)),
            cb(kind="followup", owner_agent_id=team.mate.id, reason="别人的答复", due_at=T0 + timedelta(hours=2)),
            cb(kind="followup", owner_agent_id=agent.id, reason="已答复", due_at=T0, status="done"),
            cb(kind="after_repair", claimed_by_id=agent.id, status="claimed", contact_name="王五",
               contact_phone="13700137000", reason="我领取的回访", due_at=T0 + timedelta(days=5)),
            cb(kind="after_install", contact_name="赵六", contact_phone="13600136000", reason="队列里快到期",
               due_at=T0 + timedelta(hours=3)),
            cb(kind="after_install", reason="已超时", due_at=T0 - timedelta(hours=1)),
            cb(kind="after_install", reason="明天才到期", due_at=T0 + timedelta(hours=30)),
            cb(kind="after_repair", owner_agent_id=team.mate.id, reason="别人的回访", due_at=T0 + timedelta(hours=2)),
            cb(kind="after_repair", claimed_by_id=team.mate.id, status="claimed", reason="别人领取的",
               due_at=T0 + timedelta(hours=2)),
        ])
        outage = Outage(services='["tv", "broadband"]', cause="光缆被挖断", message="", declared_by_id=team.lead.id,
                        declared_at=T0, updated_at=T0, eta=T0 + timedelta(hours=4))
        cleared = Outage(services='["tv"]', cause="已恢复", message="", status="cleared", declared_by_id=team.lead.id,
                         declared_at=T0, updated_at=T0)
        s.add_all([outage, cleared])
        s.flush()
        s.add_all([OutageArea(outage_id=outage.id, area_name="朝阳区"),
                   OutageArea(outage_id=outage.id, area_name="南关区红旗街道")])
        add_call(s, agent, shift_id, request_type="consult", outcome="answered")
        add_call(s, agent, shift_id, request_type="consult", outcome="followup")
        add_call(s, agent, shift_id, request_type="repair", outcome="work_order")
        open_call = add_call(s, agent, shift_id, request_type=None, outcome=None, status="open",
                             caller_name="钱七", caller_phone="13500135000", request_text="电视没信号")
        add_call(s, agent, None)  # not in the shift
    return shift_id, mine, open_call


def test_compile_lists_every_kind(db, team, busy_shift) -> None:
    shift_id, order_id, open_call = busy_shift
    with db.read() as s:
        draft = handover.compile_handover(s, shift_id, actor=team.agent)
        order = s.get(WorkOrder, order_id)
    assert (draft.shift_id, draft.agent_number, draft.agent_name, draft.team, draft.seat) == \
        (shift_id, "1024", "李娜", "甲班", "A-12")
    assert draft.started_at == T0 and draft.ended_at is None
    by_kind: dict[str, list[handover.HandoverItem]] = {}
    for item in draft.items:
        by_kind.setdefault(item.kind, []).append(item)
    assert list(by_kind) == ["work_order", "follow_up", "callback", "outage"]

    [wo_item] = by_kind["work_order"]
    assert wo_item.ref == order.number and wo_item.status == "dispatched" and wo_item.category == "repair"
    assert wo_item.customer_name == "张三" and wo_item.phone_masked == "138****8000"
    assert wo_item.phone == "13800138000" and wo_item.detail == "网络维护部"
    clocks = [d for d in (order.respond_by, order.contact_by, order.reply_by, order.resolve_by) if d]
    assert wo_item.due_at == min(d for d in clocks if d >= T0 + timedelta(hours=1))
    assert wo_item.badge in ("on_time", "warning")

    [follow] = by_kind["follow_up"]
    assert follow.title == "套餐资费待答复" and follow.due_at == T0 + timedelta(hours=20)
    assert follow.customer_name == "张三" and follow.phone_masked == "138****8000"

    callbacks = by_kind["callback"]
    assert [c.title for c in callbacks] == ["已超时", "队列里快到期", "我领取的回访"]  # nearest due first
    assert callbacks[0].badge == "overdue" and callbacks[1].badge == ""
    assert callbacks[1].phone_masked == "136****6000" and callbacks[2].status == "claimed"

    [outage] = by_kind["outage"]
    assert outage.title == "光缆被挖断" and outage.detail == "朝阳区、南关区红旗街道"
    assert outage.category == "tv,broadband" and outage.due_at == T0 + timedelta(hours=4)

    assert draft.counts.total_calls == 4
    assert draft.counts.calls_by_type == {"consult": 2, "none": 1, "repair": 1}
    assert draft.counts.calls_by_outcome == {"answered": 1, "followup": 1, "none": 1, "work_order": 1}
    assert draft.open_call_ids == (open_call,)
    assert draft.notes == ""


def test_callbacks_due_rule_follows_the_shift_end(db, team, fixed_clock) -> None:
    shift_id = open_shift(db, team.agent)
    with db.write() as s:
        s.add(Callback(kind="after_repair", reason="九小时后", due_at=T0 + timedelta(hours=9), created_at=T0))
    with db.read() as s:
        assert [i.title for i in handover.compile_handover(s, shift_id, actor=team.agent).items] == []
    fixed_clock.advance(hours=1)  # the next shift now ends at T0 + 9 h
    with db.read() as s:
        assert [i.title for i in handover.compile_handover(s, shift_id, actor=team.agent).items] == ["九小时后"]
    with db.write() as s:
        mine = dict(owner_agent_id=team.agent.id, created_at=T0)
        s.add_all([
            Callback(kind="after_repair", reason="我的，快到期", due_at=T0 + timedelta(hours=2), **mine),
            Callback(kind="after_repair", reason="我的，后天到期", due_at=T0 + timedelta(days=2), **mine),
            Callback(kind="after_repair", reason="我的，同事在打", status="claimed", claimed_by_id=team.mate.id,
                     due_at=T0 + timedelta(hours=2), **mine),
            Callback(kind="after_repair", reason="已完成", status="done", due_at=T0, **mine),
        ])
    with db.read() as s:
        assert [i.title for i in handover.compile_handover(s, shift_id, actor=team.agent).items] == \
            ["我的，快到期", "九小时后"]


def test_items_are_capped_per_kind(db, team, monkeypatch) -> None:
    monkeypatch.setattr(handover.compiling, "MAX_ITEMS_PER_KIND", 2)  # where the items are capped
    shift_id = open_shift(db, team.agent)
    with db.write() as s:
        for h in range(5):
            s.add(Callback(kind="after_repair", reason=f"第{h}条", due_at=T0 + timedelta(hours=h), created_at=T0))
    with db.read() as s:
        draft = handover.compile_handover(s, shift_id, actor=team.agent)
    assert [i.title for i in draft.items] == ["第0条", "第1条"]
    assert draft.counts.left_off == {"callback": 3}


def test_draft_notes_are_kept_until_confirmed(db, team) -> None:
    shift_id = open_shift(db, team.agent)
    with db.write() as s:
        handover.save_draft_notes(s, shift_id, actor=team.agent, notes="  先写一半\x1b[31m ")
    with db.write() as s:
        handover.save_draft_notes(s, shift_id, actor=team.agent, notes="写完了")
    with db.read() as s:
        assert handover.compile_handover(s, shift_id, actor=team.agent).notes == "写完了"
    with db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.agent, notes="写完了")
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Draft)).scalar_one() == 0


# -- confirming ----------------------------------------------------------------------------------


def test_confirm_refuses_open_calls_unless_handed_over(db, team, busy_shift) -> None:
    shift_id, _, open_call = busy_shift
    with pytest.raises(InvalidInput) as err, db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.agent, notes="还有通话")
    assert err.value.key == "handover.open_calls" and err.value.params == {"count": 1}
    with db.read() as s:
        assert s.get(Shift, shift_id).ended_at is None
        assert s.execute(select(func.count()).select_from(HandoverNote)).scalar_one() == 0

    with db.write() as s:
        info = handover.confirm_handover(s, shift_id, actor=team.agent, notes="钱七的来电移交下一班",
                                         hand_over_open_calls=True)
    assert [i.kind for i in info.items][-1] == "open_call"
    call_item = info.items[-1]
    assert call_item.ref == str(open_call) and call_item.phone_masked == "135****5000"
    assert call_item.title == "电视没信号" and call_item.customer_name == "钱七"
    [handed] = audit_actions(db, "handover.open_call")
    assert handed.entity == "call" and handed.entity_id == open_call
    with db.read() as s:
        assert s.get(Call, open_call).status == "open"  # recorded, not changed


def test_confirm_stores_the_note_and_ends_the_shift(db, team, fixed_clock) -> None:
    shift_id = open_shift(db, team.agent, seat="B-07")
    with db.write() as s:
        add_call(s, team.agent, shift_id, request_type="repair", outcome="work_order")
        insert_order(s, team.desk)
    fixed_clock.advance(hours=8)
    with db.write() as s:
        info = handover.confirm_handover(s, shift_id, actor=team.agent, notes="  明早\x1b[1m回电张三\u200b。 ")
    now = T0 + timedelta(hours=8)
    assert (info.shift_id, info.agent_number, info.agent_name, info.team, info.seat) == \
        (shift_id, "1024", "李娜", "甲班", "B-07")
    assert info.confirmed_at == info.compiled_at == now and info.ended_at == now and info.started_at == T0
    assert info.notes == "明早回电张三。" and info.phrase_flag is False and info.acks == ()
    assert info.counts.total_calls == 1 and [i.kind for i in info.items] == ["work_order"]
    with db.read() as s:
        shift = s.get(Shift, shift_id)
        note = s.get(HandoverNote, info.id)
    assert shift.ended_at == now and shift.closed_by_id is None
    body = json.loads(note.body)
    assert list(body) == sorted(body) and body["version"] == 1
    assert list(body["items"][0]) == sorted(body["items"][0])
    assert body["items"][0]["phone"] == "13800138000"  # full in the database, masked on the way out
    assert body["started_at"] == T0.isoformat() and body["counts"]["total_calls"] == 1
    [confirm] = audit_actions(db, "handover.confirm")
    assert confirm.entity_id == info.id and json.loads(confirm.detail)["shift_id"] == shift_id
    assert len(audit_actions(db, "shift.end")) == 1
    # What was stored reads back the same.
    with db.read() as s:
        assert handover.note_info(s, info.id) == info


def test_confirm_flags_forbidden_phrases(db, team) -> None:
    note_id = confirmed_note(db, team.agent, "客户问的型号我不知道，明天再查")
    with db.read() as s:
        assert s.get(HandoverNote, note_id).phrase_flag is True


def test_confirm_once_only(db, team) -> None:
    shift_id = open_shift(db, team.agent)
    with db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.agent, notes="")
    with pytest.raises(InvalidInput) as err, db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.agent, notes="再来一次")
    assert err.value.key == "handover.already_confirmed"
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(HandoverNote)).scalar_one() == 1


def test_notes_too_long(db, team) -> None:
    shift_id = open_shift(db, team.agent)
    with pytest.raises(InvalidInput) as err, db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.agent, notes="长" * (handover.MAX_NOTES + 1))
    assert err.value.key == "field.too_long"


# -- permissions ---------------------------------------------------------------------------------


def test_another_agent_cannot_compile_or_confirm_my_shift(db, team) -> None:
    shift_id = open_shift(db, team.agent)
    with db.read() as s, pytest.raises(PermissionDenied):
        handover.compile_handover(s, shift_id, actor=team.mate)
    with pytest.raises(PermissionDenied), db.write() as s:
        handover.confirm_handover(s, shift_id, actor=team.mate, notes="")
    with pytest.raises(PermissionDenied), db.write() as s:
        handover.save_draft_notes(s, shift_id, actor=team.mate, notes="x")
    with db.read() as s, pytest.raises(NotFound):
        handover.compile_handover(s, 999, actor=team.agent)


def test_lead_can_compile_and_confirm_for_the_agent(db, team) -> None:
    shift_id = open_shift(db, team.agent)
    with db.read() as s:
        assert handover.compile_handover(s, shift_id, actor=team.lead).agent_number == "1024"
    with db.write() as s:
        info = handover.confirm_handover(s, shift_id, actor=team.lead, notes="班长代为交班")
    assert info.agent_number == "1024"
    with db.read() as s:
        assert s.get(Shift, shift_id).closed_by_id == team.lead.id
        assert s.get(HandoverNote, info.id).agent_id == team.agent.id
    [confirm] = audit_actions(db, "handover.confirm")
    assert confirm.agent_id == team.lead.id


# -- reading and acknowledging -------------------------------------------------------------------


def test_unacknowledged_for_addresses_the_team(db, team, fixed_clock) -> None:
    mine = confirmed_note(db, team.agent, "甲班的交接")
    fixed_clock.advance(minutes=5)
    everyone = confirmed_note(db, team.other, "没有班组的交接", team=None)
    fixed_clock.advance(minutes=5)
    other_team = confirmed_note(db, team.other, "乙班的交接")
    with db.read() as s:
        seen = lambda who: [n.id for n in handover.unacknowledged_for(s, agent=who)]  # noqa: E731
        assert seen(team.mate) == [everyone, mine]  # newest first
        assert seen(team.agent) == [everyone]  # own notes excluded
        assert seen(team.other) == []  # its own notes only
        assert other_team not in seen(team.lead)
        assert seen(team.lead) == [everyone, mine]
        loner = AgentInfo(999, "9999", "无班组", "agent", None)
        assert seen(loner) == [everyone]  # no team: only the notes for everyone
    with db.write() as s:
        handover.acknowledge(s, mine, actor=team.mate)
    with db.read() as s:
        assert [n.id for n in handover.unacknowledged_for(s, agent=team.mate)] == [everyone]
        assert [n.id for n in handover.unacknowledged_for(s, agent=team.lead)] == [everyone, mine]
        info = handover.note_info(s, mine)
    assert info.acks == (("1025", T0 + timedelta(minutes=10)),) and info.ack_names == ("张伟",)
    fixed_clock.advance(days=handover.UNACKNOWLEDGED_DAYS, minutes=1)
    with db.read() as s:
        assert handover.unacknowledged_for(s, agent=team.lead) == []


def test_acknowledge_is_idempotent(db, team, fixed_clock) -> None:
    note_id = confirmed_note(db, team.agent)
    with db.write() as s:
        handover.acknowledge(s, note_id, actor=team.mate)
    fixed_clock.advance(minutes=3)
    with db.write() as s:
        handover.acknowledge(s, note_id, actor=team.mate)
    with db.read() as s:
        acks = list(s.execute(select(HandoverAck)).scalars())
    assert [(a.agent_id, a.acked_at) for a in acks] == [(team.mate.id, T0)]
    assert len(audit_actions(db, "handover.ack")) == 1
    with pytest.raises(InvalidInput) as err, db.write() as s:
        handover.acknowledge(s, note_id, actor=team.agent)
    assert err.value.key == "handover.own_note"
    with pytest.raises(NotFound), db.write() as s:
        handover.acknowledge(s, 999, actor=team.mate)


def test_overview_is_lead_only_and_lists_who_has_not_read(db, team) -> None:
    mine = confirmed_note(db, team.agent)
    confirmed_note(db, team.other)  # 乙班 has nobody else: nothing pending
    with db.read() as s, pytest.raises(PermissionDenied):
        handover.unacknowledged_overview(s, actor=team.agent)
    with db.read() as s:
        rows = handover.unacknowledged_overview(s, actor=team.lead)
    assert [(info.id, missing) for info, missing in rows] == [(mine, ["1025", "8001"])]
    with db.write() as s:
        handover.acknowledge(s, mine, actor=team.mate)
        handover.acknowledge(s, mine, actor=team.lead)
    with db.read() as s:
        assert handover.unacknowledged_overview(s, actor=team.lead) == []


# -- finding notes and exporting -----------------------------------------------------------------


def test_find_notes(db, team, fixed_clock) -> None:
    first = confirmed_note(db, team.agent, "第一份")
    fixed_clock.advance(days=1)
    with db.write() as s:
        shift = Shift(agent_id=team.mate.id, team="甲班", started_at=T0 + timedelta(days=1))
        s.add(shift)
        s.flush()
        second_shift = shift.id
    with db.write() as s:
        second = handover.confirm_handover(s, second_shift, actor=team.mate, notes="第二份").id
    with db.read() as s:
        ids = lambda **kw: [n.id for n in handover.find_notes(s, **kw)]  # noqa: E731
        assert ids() == [first, second]
        assert ids(shift="latest") == [second]
        assert ids(shift="latest", agent_number="1024") == [first]
        assert ids(shift=second_shift) == [second]
        assert ids(date=T0.date()) == [first]
        assert ids(date=(T0 + timedelta(days=1)).date(), agent_number="1024") == []
        assert ids(date=(T0 - timedelta(days=3)).date()) == []
        assert ids(agent_number="1026") == []
        with pytest.raises(NotFound) as err:
            handover.find_notes(s, agent_number="7777")
        assert err.value.key == "agent.not_found"
        with pytest.raises(NotFound) as err:
            handover.find_notes(s, shift=4242)
        assert err.value.key == "shift.not_found"


def test_record_export_unmasked_is_for_leads(db, team) -> None:
    note_id = confirmed_note(db, team.agent)
    with db.read() as s:
        notes = handover.find_notes(s)
    with pytest.raises(PermissionDenied), db.write() as s:
        handover.record_export(s, notes, fmt="csv", actor=team.agent, unmasked=True)
    assert audit_actions(db, "handover.export") == []
    with db.write() as s:
        handover.record_export(s, notes, fmt="csv", actor=team.lead, unmasked=True, destination="/tmp/x.csv")
        handover.record_export(s, notes, fmt="md", actor=None)
    exports = audit_actions(db, "handover.export")
    assert [json.loads(e.detail)["unmasked"] for e in exports] == [True, False]
    [unmasked] = audit_actions(db, "handover.export_unmasked")
    assert unmasked.agent_id == team.lead.id and unmasked.entity_id == note_id
    with pytest.raises(InvalidInput), db.write() as s:
        handover.record_export(s, notes, fmt="pdf", actor=None)


# -- the demo ------------------------------------------------------------------------------------


def test_demo_handovers(db) -> None:  # type: ignore[no-untyped-def]
    import random

    from agentdesk.services.demo import build_demo
    from agentdesk.services.handover_demo import build_demo_handovers
    from agentdesk.services.handover_export import export

    build_demo(db, customers=200, handovers=False)
    with db.read() as s:
        callbacks_before = s.execute(select(func.count()).select_from(Callback)).scalar_one()
    assert build_demo_handovers(db, rng=random.Random(96633), now=T0) == 4
    with db.read() as s:
        agents = {a.number: a for a in accounts.list_agents(s)}
        notes = handover.find_notes(s)
        latest = handover.find_notes(s, shift="latest")
        unread = handover.unacknowledged_for(s, agent=agents["1024"])
        overview = handover.unacknowledged_overview(s, actor=agents["8001"])
        assert s.execute(select(func.count()).select_from(Callback)).scalar_one() == callbacks_before
        shifts = list(s.execute(select(Shift)).scalars())
    assert [(n.agent_number, n.team) for n in notes] == [("1024", "甲班"), ("1026", "乙班"), ("1026", "乙班"),
                                                         ("1025", "甲班")]
    assert all(sh.ended_at is not None and sh.ended_at < T0 for sh in shifts)
    assert [n.agent_number for n in latest] == ["1025"]
    assert [n.id for n in unread] == [latest[0].id]  # the latest 甲班 note is not acknowledged by 1024
    assert [(info.agent_number, missing) for info, missing in overview] == [("1025", ["1024"])]
    assert latest[0].acks and notes[0].acks  # some acknowledged
    assert any(n.phrase_flag for n in notes) and all(n.notes for n in notes)
    kinds = {i.kind for n in notes for i in n.items}
    assert {"work_order", "follow_up"} <= kinds
    assert all(n.counts.total_calls >= 6 for n in notes)
    md = export(latest, "md", lang="zh_CN").decode()
    assert md.startswith("# 交接班记录 · 张伟（1025）") and "## 未完结工单" in md
