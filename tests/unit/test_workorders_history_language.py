"""Records do not depend on who wrote them: what an English desk wrote, a Chinese desk reads in
Chinese, and the other way round (issue 13, section 5). History entries read in people's
words: status and level names, the department's name, times in the reader's format."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agentdesk.i18n import set_language, t
from agentdesk.models import Callback, WorkOrder
from agentdesk.services import callbacks as cbs
from agentdesk.services import workorders as wo
from agentdesk.services.messages import listing, loads, message, stored_text
from agentdesk.services.workorders.common import OrderEvent
from tests.conftest import T0
from tests.unit.test_workorders import POLICY, Desk, insert_order, make_desk

OTHER = {"en": "zh_CN", "zh_CN": "en"}


@pytest.fixture
def desk(db, lead_and_agent) -> Desk:  # type: ignore[no-untyped-def]
    return make_desk(db, lead_and_agent)


def write_everything(desk: Desk) -> tuple[int, int, int]:
    """An order through every kind of history entry, its callback refused, and a follow-up
    order: (order id, callback id, follow-up order id)."""
    with desk.db.write() as s:  # type: ignore[attr-defined]
        oid = insert_order(s, desk, status="dispatched", department_id=desk.dept_id)
        wo.urge(s, oid, actor=desk.lead, note="")
        wo.escalate(s, oid, actor=desk.lead, reason="超时")
        order = s.get(WorkOrder, oid)
        assert order is not None and order.resolve_by is not None
        wo.request_delay(s, oid, actor=desk.agent, reason="等备件",
                         proposed_deadline=order.resolve_by + timedelta(days=2))
        wo.change_status(s, oid, "in_progress", actor=desk.agent, policy=POLICY)
        wo.change_status(s, oid, "resolved", actor=desk.agent, policy=POLICY)
        cb_id = s.execute(select(Callback.id).where(Callback.work_order_id == oid)).scalar_one()
    cbs.take_next(desk.db, actor=desk.agent)  # type: ignore[arg-type]
    with desk.db.write() as s:  # type: ignore[attr-defined]
        result = cbs.record_outcome(s, cb_id, actor=desk.agent, outcome="unsatisfied", reopen=False, policy=POLICY)
        follow_up = s.execute(select(WorkOrder.id).where(WorkOrder.number == result["new_order_number"])).scalar_one()
    return oid, cb_id, follow_up


def read_everything(desk: Desk, oid: int, cb_id: int, follow_up: int) -> str:
    with desk.db.read() as s:  # type: ignore[attr-defined]
        history = wo.get_order(s, oid).events
        callback = cbs.get_callback(s, cb_id)
        follow = wo.get_order(s, follow_up)
    lines = [wo.describe_event(e, when=lambda m: m.strftime("%m-%d %H:%M")) for e in history]
    return "\n".join([*lines, callback.reason, follow.description])


@pytest.mark.parametrize("writer", ["en", "zh_CN"])
def test_a_desk_reads_records_in_its_own_language_whoever_wrote_them(desk: Desk, writer: str) -> None:
    reader = OTHER[writer]
    set_language(writer)
    ids = write_everything(desk)
    set_language(reader)
    text = read_everything(desk, *ids)
    set_language(writer)
    as_written = read_everything(desk, *ids)

    # The reader's words, none of the writer's.
    for key in ("status.dispatched", "status.in_progress", "status.resolved", "status.callback", "status.closed",
                "escalation.window", "escalation.branch"):
        assert t(key, lang=reader) in text, key
    assert t("kind.repair", lang=reader) in text  # inside the callback's reason
    assert t("callback.closed_follow_up", lang=reader).split("{")[0] in text  # the close note
    assert t("callback.follow_up_description", lang=reader).split("{")[0] in text
    for key in ("status.in_progress", "escalation.branch", "kind.repair", "history.field_proposed_deadline"):
        assert t(key, lang=writer).split("{")[0] not in text, key
    # People's words, not field names; the department by its name; times as the reader shows them.
    for raw in ("proposed_deadline", "department: NET", "from:", "to:", "reason_message", ":00:00", "{'key'"):
        assert raw not in text, raw
    assert "网络维护部" in text
    assert (T0 + timedelta(hours=24 + 48)).strftime("%m-%d %H:%M") in text
    # The same records read back in the writer's language say the same in the writer's words.
    assert as_written != text and t("escalation.branch", lang=writer) in as_written


def test_messages_render_nested_labels_and_lists_in_the_readers_language() -> None:
    reason = message("callback.reason_periodic", tier=message("tier.vip"), month="2026-11",
                     methods=listing([message("callback.method_phone"), message("callback.method_visit")]))
    stored = loads(reason.dumps())
    assert stored == reason
    assert stored.render("zh_CN") == "VIP客户 2026-11 定期回访（电话、上门）"
    assert stored.render("en") == "VIP customer periodic callback 2026-11 (phone, visit)"
    assert stored_text(None, "用户的原话") == "用户的原话"
    assert stored_text(reason.dumps(), "", lang="en").startswith("VIP customer")


def test_history_entries_in_peoples_words() -> None:
    at = T0
    urge = OrderEvent(at, "urge", "8001", "王红梅", "", data={"department": "NET", "note": "请今天内处理"})
    names = {"NET": "网络维护部"}
    assert wo.describe_event(urge, lang="zh_CN", departments=names) == "部门：网络维护部；备注：请今天内处理"
    assert wo.describe_event(urge, lang="en", departments=names) == "department: 网络维护部; note: 请今天内处理"
    escalate = OrderEvent(at, "escalate", "8001", None, "", data={"from": "window", "to": "branch", "reason": "超时"})
    assert wo.describe_event(escalate, lang="en") == "service window → branch back office; reason: 超时"
    delay = OrderEvent(at, "delay_request", "1024", None, "",
                       data={"proposed_deadline": "2026-12-07T18:00:00", "reason": "", "request_id": 3})
    assert wo.describe_event(delay, lang="en", when=lambda m: m.strftime("%m-%d %H:%M")) == \
        "deadline asked for: 12-07 18:00"
    unknown = OrderEvent(at, "workorder.hold_records", None, None, "", "audit", data={"held_by": "8001"})
    assert wo.describe_event(unknown, lang="zh_CN") == "held_by: 8001"  # no catalog name: shown as recorded


def test_a_handover_export_reads_the_desks_sentences_in_the_export_language() -> None:
    from tests.unit.test_handover_export import item, sample_note

    reason = message("callback.reason_periodic", tier=message("tier.vip"), month="2026-11",
                     methods=listing([message("callback.method_phone")]))
    set_language("en")  # compiled on an English desk: the title as text is English
    callback = item("callback", "13", reason.render(), category="periodic", title_message=reason.dumps())
    note = sample_note(items=(callback,))
    from agentdesk.services.handover_export import export

    for fmt in ("csv", "json", "md"):
        zh = export([note], fmt, lang="zh_CN").decode("utf-8-sig")
        en = export([note], fmt, lang="en").decode("utf-8-sig")
        assert "VIP客户 2026-11 定期回访（电话）" in zh and "periodic callback" not in zh, fmt
        assert "VIP customer periodic callback 2026-11 (phone)" in en, fmt
