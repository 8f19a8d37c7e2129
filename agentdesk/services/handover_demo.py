"""Demo handovers: a few past shifts with their confirmed notes, some acknowledged.

Called by :func:`agentdesk.services.demo.build_demo` once the demo's staff, customers,
work orders and callbacks exist. It adds, relative to ``now``:

* four past shifts — the day before yesterday: 1024 (甲班) and 1026 (乙班); yesterday:
  1026 (乙班) and 1025 (甲班, the latest) — each with a handful of closed calls;
* each shift's handover note, compiled from the demo's real work orders, callbacks and
  outages as of the shift's end (the same rules as a live handover), with Chinese notes;
  one of them holds a forbidden phrase, so its note is flagged;
* one demo "reply owed" callback (kind ``followup``) per shift is given to the shift's
  agent, linked to one of its consultation calls (the demo's follow-ups have no owner
  otherwise); no callback is added, so the demo's counts stay as they were;
* acknowledgements: the older 甲班 note by 1025 and the lead 8001; the latest (1025's) by
  8001 only — so 1024 finds it unacknowledged at login, and ``agentdesk handover export
  --shift latest`` has something to show. 乙班 has no other member to acknowledge.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from agentdesk.db import Database
from agentdesk.models import Agent, Call, Callback, Customer, CustomerPhone, HandoverAck, Shift
from agentdesk.services import audit
from agentdesk.services.handover.compiling import _compile, _open_call_items
from agentdesk.services.handover.confirming import _store_note


@dataclass(frozen=True)
class _PlannedShift:
    days_ago: int
    agent: str
    seat: str
    start: time
    end: time
    notes: str


_PLAN = (
    _PlannedShift(2, "1024", "A-01", time(8, 30), time(17, 0),
                  "今天报修集中在朝阳区红旗街道，已提醒网络维护部关注，暂未定为大面积故障。\n"
                  "{order} 客户要求明天上午 10 点前回电告知上门时间，请接班同事跟进。"),
    _PlannedShift(2, "1026", "B-03", time(9, 0), time(18, 0),
                  "南关区两位 VIP 客户反映宽带晚高峰卡顿，已派单大客户部。\n"
                  "计费中心说扣费有误的投诉明天给结果，请留意回电。"),
    _PlannedShift(1, "1026", "B-03", time(8, 30), time(17, 0),
                  "{order} 的客户问新机顶盒的型号，我不知道，已请安装服务部明天回复。\n"
                  "下午系统有两次卡顿，重启客户端后恢复。"),
    _PlannedShift(1, "1025", "A-02", time(13, 0), time(21, 30),
                  "{order} 已催办一次，处理部门答复今晚派人，客户同意明早 9 点前回访。\n"
                  "回访队列里有几条新装回访今天到期，请优先处理。\n"
                  "晚上 8 点后宽带咨询较多，多为路由器设置问题，可参考知识库“宽带连不上网”。"),
)

# (request type, outcomes to choose from), weighted like a day on the line.
_CALL_MIX = (
    ("consult", ("answered", "answered", "followup")),
    ("repair", ("work_order", "work_order", "outage_archived")),
    ("business", ("work_order", "materials_missing")),
    ("complaint", ("complaint_accepted",)),
    ("praise", ("praise", "suggestion")),
)
_CALL_WEIGHTS = (40, 30, 15, 10, 5)
_ACKS = {  # plan index → (agent number, minutes after the note was confirmed)
    0: (("8001", 20), ("1025", 20 * 60 + 1)),
    3: (("8001", 15),),
}


def _calls(session: Session, rng: random.Random, shift: Shift, agent_id: int, max_customer: int) -> list[Call]:
    calls = []
    assert shift.ended_at is not None  # a past shift
    span = int((shift.ended_at - shift.started_at).total_seconds() // 60) - 20
    for minute in sorted(rng.sample(range(5, max(span, 30)), rng.randrange(6, 13))):
        request_type, outcomes = rng.choices(_CALL_MIX, _CALL_WEIGHTS)[0]
        customer = session.get(Customer, rng.randrange(1, max_customer + 1))
        started = shift.started_at + timedelta(minutes=minute)
        call = Call(
            agent_id=agent_id, shift_id=shift.id, customer_id=customer.id if customer else None,
            caller_name=customer.name if customer else None, started_at=started, answered_at=started,
            ended_at=started + timedelta(minutes=rng.randrange(3, 12)), request_type=request_type,
            outcome=rng.choice(outcomes), status="closed",
        )
        session.add(call)
        calls.append(call)
    session.flush()
    return calls


def _give_follow_up(session: Session, shift: Shift, calls: list[Call]) -> None:
    """Hand one unowned demo follow-up to the shift's agent, from one of its consultations."""
    consult = next((c for c in calls if c.request_type == "consult"), None)
    callback = session.execute(
        select(Callback).where(col(Callback.kind) == "followup", col(Callback.owner_agent_id).is_(None),
                               col(Callback.status) == "pending").order_by(col(Callback.id)).limit(1)
    ).scalar_one_or_none()
    if consult is None or callback is None:
        return
    callback.owner_agent_id = shift.agent_id
    callback.call_id = consult.id
    callback.customer_id = consult.customer_id
    callback.contact_name = consult.caller_name
    callback.contact_phone = session.execute(
        select(col(CustomerPhone.phone)).where(col(CustomerPhone.customer_id) == consult.customer_id)
        .order_by(col(CustomerPhone.id)).limit(1)
    ).scalar_one_or_none()
    callback.created_at = consult.ended_at
    consult.outcome = "followup"
    consult.request_text = callback.reason
    session.add(callback)
    session.add(consult)


def build_demo_handovers(db: Database, *, rng: random.Random, now: datetime) -> int:
    """Past shifts with confirmed handover notes (see the module docstring); returns how
    many notes were made."""
    made = 0
    with db.write() as session:
        agents = {number: (aid, team) for aid, number, team in
                  session.execute(select(col(Agent.id), col(Agent.number), col(Agent.team))).all()}
        max_customer = session.execute(select(col(Customer.id)).order_by(col(Customer.id).desc())
                                       .limit(1)).scalar_one_or_none()
        if not max_customer or not all(p.agent in agents for p in _PLAN):
            return 0
        notes = []
        for plan in _PLAN:
            agent_id, team = agents[plan.agent]
            day = (now - timedelta(days=plan.days_ago)).date()
            start, end = datetime.combine(day, plan.start), datetime.combine(day, plan.end)
            shift = Shift(agent_id=agent_id, seat=plan.seat, team=team, started_at=start, ended_at=end)
            session.add(shift)
            session.flush()
            calls = _calls(session, rng, shift, agent_id, max_customer)
            _give_follow_up(session, shift, calls)
            session.flush()
            items, counts, open_calls = _compile(session, shift, end)
            items += _open_call_items(session, open_calls)
            order = next((i.ref for i in items if i.kind == "work_order"), None)
            text = plan.notes.format(order=f"工单 {order}" if order else "一张报修工单")
            notes.append(_store_note(session, shift, items, counts, text, end))
            made += 1
        for index, acks in _ACKS.items():
            note = notes[index]
            assert note.id is not None and note.confirmed_at is not None  # stored and flushed above
            for number, minutes in acks:
                if number in agents:
                    session.add(HandoverAck(note_id=note.id, agent_id=agents[number][0],
                                            acked_at=note.confirmed_at + timedelta(minutes=minutes)))
        audit.record(session, "demo.handovers", actor_id=None, notes=made)
    return made
