"""Migration 0005: sentences the desk wrote before records kept keys become keys and values,
whichever language wrote them; text it cannot recognise stays text."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from agentdesk.db import make_engine
from agentdesk.migrate import upgrade
from agentdesk.services.messages import loads, stored_text

NOW = "2026-11-23 09:00:00"


def _old_database(path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO agents (id, number, name, role, pin_hash, active, failed_logins, created_at) "
                             "VALUES (1, '1024', '李娜', 'agent', 'x', 1, 0, :t)"), {"t": NOW})
        for oid, number, description in (
            (1, "GD20261123-000001", "宽带频繁掉线"),
            (2, "GD20261123-000002",
             "回访不满意：要求更换设备（原回访：工单 GD20261123-000001（报修）完成回访：宽带频繁掉线）"),
            (3, "GD20261123-000003", "Not satisfied at callback: - (callback: VIP customer periodic callback "
                                     "2026-11 (phone、visit))"),
        ):
            conn.execute(sa.text(
                "INSERT INTO work_orders (id, number, kind, severity, area_class, tier, status, description, "
                "phrase_flag, created_at, escalation_level, version) "
                "VALUES (:id, :n, 'repair', 'general', 'city', 'regular', 'closed', :d, 0, :t, 0, 1)"),
                {"id": oid, "n": number, "d": description, "t": NOW})
        for oid in (2, 3):
            conn.execute(sa.text("INSERT INTO work_order_events (work_order_id, at, kind, agent_id, detail) "
                                 "VALUES (:o, :t, 'created', 1, :d)"),
                         {"o": oid, "t": NOW, "d": json.dumps({"from_callback": 1, "from_order": None})})
        callbacks = (
            (1, "after_repair", "工单 GD20261123-000001（报修）完成回访：宽带频繁掉线"),
            (2, "periodic", "VIP customer periodic callback 2026-11 (phone、visit)"),
            (3, "restoration",
             "故障 7 已恢复（朝阳区、南关区，宽带，原因：光缆被挖断）。请告知客户业务已恢复，并确认使用正常。"),
            (4, "followup", "退费什么时候到账"),
            (5, "after_repair", "客户自己写的一句话"),
        )
        for cid, kind, reason in callbacks:
            conn.execute(sa.text(
                "INSERT INTO callbacks (id, kind, reason, due_at, status, attempts, created_at) "
                "VALUES (:id, :k, :r, :t, 'pending', 0, :t)"), {"id": cid, "k": kind, "r": reason, "t": NOW})
        notes = {"from": "callback", "to": "closed", "callback_id": 1, "outcome": "unreachable",
                 "reason": "Customer unreachable after 3 callback attempts; closed as unreachable."}
        conn.execute(sa.text("INSERT INTO work_order_events (work_order_id, at, kind, agent_id, detail) "
                             "VALUES (1, :t, 'status', 1, :d)"), {"t": NOW, "d": json.dumps(notes)})
        conn.execute(sa.text("INSERT INTO audit_events (at, agent_id, action, entity, entity_id, detail) "
                             "VALUES (:t, 1, 'workorder.status', 'work_order', 1, :d)"),
                     {"t": NOW, "d": json.dumps({**notes, "reason": "回访满意，结案。"}, ensure_ascii=False)})
    return engine


def test_old_sentences_become_keys_in_either_language(tmp_path: Path) -> None:
    engine = _old_database(tmp_path / "old.sqlite3")
    upgrade(engine)
    with engine.connect() as conn:
        callbacks = {cid: (reason, stored) for cid, reason, stored in conn.execute(
            sa.text("SELECT id, reason, reason_message FROM callbacks ORDER BY id")).all()}
        orders = {oid: (text, stored) for oid, text, stored in conn.execute(
            sa.text("SELECT id, description, description_message FROM work_orders ORDER BY id")).all()}
        event = json.loads(conn.execute(
            sa.text("SELECT detail FROM work_order_events WHERE kind = 'status'")).scalar_one())
        audit = json.loads(conn.execute(sa.text("SELECT detail FROM audit_events")).scalar_one())
    engine.dispose()

    after_order = loads(callbacks[1][1])
    assert after_order is not None and after_order.key == "callback.reason_after_order"
    assert callbacks[1][0] == "宽带频繁掉线"  # the order's own words stay as text
    assert after_order.render("en") == "Callback after work order GD20261123-000001 (repair): 宽带频繁掉线"
    assert stored_text(callbacks[2][1], callbacks[2][0], lang="zh_CN") == "VIP客户 2026-11 定期回访（电话、上门）"
    assert stored_text(callbacks[3][1], callbacks[3][0], lang="en") == (
        "Outage 7 is over (朝阳区, 南关区; broadband; cause: 光缆被挖断). "
        "Tell the customer service is back and check that it works.")
    assert callbacks[4] == ("退费什么时候到账", None)  # the caller's question: text
    assert callbacks[5] == ("客户自己写的一句话", None)  # no template matches: text
    assert orders[1] == ("宽带频繁掉线", None)
    assert orders[2][0] == "要求更换设备"
    assert stored_text(orders[2][1], orders[2][0], lang="en") == (
        "Not satisfied at callback: 要求更换设备 (callback: Callback after work order GD20261123-000001 "
        "(repair): 宽带频繁掉线)")
    assert stored_text(orders[3][1], orders[3][0], lang="zh_CN") == \
        "回访不满意：-（原回访：VIP客户 2026-11 定期回访（电话、上门））"
    assert event["reason"] == "" and event["reason_message"]["key"] == "callback.closed_unreachable"
    assert event["reason_message"]["params"] == {"attempts": 3}
    assert audit["reason_message"] == {"key": "callback.closed_satisfied", "params": {}}


def test_downgrade_puts_the_sentences_back_as_text(tmp_path: Path) -> None:
    engine = _old_database(tmp_path / "old.sqlite3")
    upgrade(engine)
    from alembic import command

    from agentdesk.migrate import alembic_config

    command.downgrade(alembic_config(engine), "0004")
    with engine.connect() as conn:
        reasons = dict(conn.execute(sa.text("SELECT id, reason FROM callbacks")).all())
    engine.dispose()
    assert reasons[1] == "工单 GD20261123-000001（报修）完成回访：宽带频繁掉线"
    assert reasons[2] == "VIP客户 2026-11 定期回访（电话、上门）"
