"""Outages through the services: declare, update, clear, timeline, restoration callbacks,
area completion, and the broadcast counter the desks poll (no Textual)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from agentdesk.db import Database
from agentdesk.models import AuditEvent, Call, Callback, ChangeCounter, Outage, OutageArea
from agentdesk.services import accounts, broadcast, calls, outages
from agentdesk.services.demo import build_demo
from agentdesk.services.errors import InvalidFields, InvalidInput, NotFound, PermissionDenied
from agentdesk.services.messages import stored_text
from tests.conftest import T0

ETA = T0 + timedelta(hours=4)


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    build_demo(db, customers=200)
    with db.read() as session:
        lead = accounts.get_agent(session, "8001")
        agent = accounts.get_agent(session, "1024")
    return db, lead, agent


def _declare(db, lead, **overrides):  # type: ignore[no-untyped-def]
    args = {"areas": ["朝阳区"], "services": ["tv", "broadband"], "cause": "光缆被挖断", "eta": ETA,
            "message": "请安抚用户，预计下午恢复"}
    args.update(overrides)
    with db.write() as session:
        return outages.declare(session, actor=lead, **args)


def _counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return {
            "outages": session.execute(select(func.count()).select_from(Outage)).scalar_one(),
            "areas": session.execute(select(func.count()).select_from(OutageArea)).scalar_one(),
            "callbacks": session.execute(
                select(func.count()).select_from(Callback).where(Callback.kind == "restoration")).scalar_one(),
            "audit": session.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            "counter": broadcast.current(session),
        }


def _call(db, agent, *, customer_id=None, name=None, phone=None):  # type: ignore[no-untyped-def]
    with db.write() as session:
        if customer_id is not None:
            info = calls.start_call(session, actor=agent, shift_id=None)
            calls.identify_customer(session, info.id, customer_id, actor=agent)
            return info.id
        call = Call(agent_id=agent.id, caller_name=name, caller_phone=phone, started_at=T0)
        session.add(call)
        session.flush()
        return call.id


def _link(db, agent, call_id, outage_id):  # type: ignore[no-untyped-def]
    with db.write() as session:
        outages.link_call(session, call_id, outage_id, actor=agent)


# -- declare --------------------------------------------------------------------------------


def test_declare_writes_outage_areas_audit_and_bumps(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead)
    assert info.areas == ("朝阳区",) and info.services == ("tv", "broadband")
    assert (info.cause, info.eta, info.message) == ("光缆被挖断", ETA, "请安抚用户，预计下午恢复")
    assert info.status == "active" and info.active and info.linked_calls == 0
    assert (info.declared_at, info.updated_at, info.declared_by, info.declared_by_name) == (T0, T0, "8001", "王红梅")
    assert info.cleared_at is None and info.cleared_by is None
    with db.read() as session:
        outage = session.get(Outage, info.id)
        assert json.loads(outage.services) == ["tv", "broadband"] and outage.declared_by_id == lead.id
        assert list(session.execute(select(OutageArea.area_name)).scalars()) == ["朝阳区"]
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "outage.declare")).scalar_one()
        assert (event.agent_id, event.entity, event.entity_id, event.at) == (lead.id, "outage", info.id, T0)
        detail = json.loads(event.detail)
        assert detail["areas"] == ["朝阳区"] and detail["cause"] == "光缆被挖断"
        assert detail["eta"] == ETA.isoformat()
        assert broadcast.current(session) == 1
        assert outages.get_outage(session, info.id) == info


def test_declare_cleans_and_deduplicates_areas(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead, areas=[" 朝阳区 ", "朝阳区", "南关区 曙光街道", "宽城区、二道区", "", "  "])
    assert info.areas == ("朝阳区", "南关区曙光街道", "宽城区", "二道区")
    assert outages.clean_areas("朝阳区，南关区") == ("朝阳区", "南关区")
    assert outages.clean_area("\x1b[31m朝阳区\u200b红旗街道 ") == "朝阳区红旗街道"


@pytest.mark.parametrize("areas", [[], [""], ["  ", "、"]])
def test_declare_needs_an_area(demo, areas) -> None:
    db, lead, _ = demo
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, areas=areas)
    assert caught.value.key == "outages.no_areas" and caught.value.field == "areas"
    assert _counts(db)["outages"] == 0


def test_declare_refuses_too_long_or_too_many_areas(demo) -> None:
    db, lead, _ = demo
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, areas=["朝" * 101])
    assert caught.value.key == "outages.area_too_long"
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, areas=[f"区域{i}" for i in range(outages.MAX_AREAS + 1)])
    assert caught.value.key == "outages.too_many_areas"


def test_services_are_validated_and_put_in_order(demo) -> None:
    db, lead, _ = demo
    assert outages.SERVICES == ("tv", "broadband", "phone")
    assert outages.parse_services(["phone", "TV", "tv"]) == ("tv", "phone")
    assert outages.parse_services("broadband，tv") == ("tv", "broadband")
    assert outages.parse_services(["宽带", "有线电视"]) == ("tv", "broadband")
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, services=["tv", "radio"])
    assert caught.value.key == "outages.bad_service" and caught.value.field == "services"
    message = caught.value.message("en")
    assert "radio" in message and "tv, broadband, phone" in message
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, services=[])
    assert caught.value.key == "outages.no_services"
    assert _counts(db)["outages"] == 0


def test_cause_required_eta_not_past_and_all_errors_reported_together(demo, fixed_clock) -> None:
    db, lead, _ = demo
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, cause="   ")
    assert caught.value.key == "outages.no_cause"
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, eta=T0 - timedelta(minutes=1))
    assert caught.value.key == "outages.eta_past" and caught.value.field == "eta"
    with pytest.raises(InvalidInput) as caught:
        _declare(db, lead, cause="x" * (outages.MAX_CAUSE + 1))
    assert caught.value.key == "field.too_long"
    with pytest.raises(InvalidFields) as many:
        _declare(db, lead, areas=[], services=["radio"], cause="")
    assert set(many.value.errors) == {"areas", "services", "cause"}
    assert _counts(db)["outages"] == 0
    # No ETA at all is fine; an aware time is taken in the center's time zone.
    assert _declare(db, lead, eta=None).eta is None
    from zoneinfo import ZoneInfo

    aware = datetime(2026, 11, 23, 4, 0, tzinfo=ZoneInfo("UTC"))  # 12:00 in Beijing
    assert _declare(db, lead, eta=aware).eta == datetime(2026, 11, 23, 12, 0)


# -- lead only ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["declare", "update", "clear"])
def test_every_lead_action_refuses_an_agent(demo, action) -> None:
    db, lead, agent = demo
    info = _declare(db, lead)
    before = _counts(db)
    for actor in (agent, None):
        with pytest.raises(PermissionDenied), db.write() as session:
            if action == "declare":
                outages.declare(session, actor=actor, areas=["南关区"], services=["tv"], cause="停电", eta=None,
                                message="")
            elif action == "update":
                outages.update(session, info.id, actor=actor, cause="改了")
            else:
                outages.clear(session, info.id, actor=actor)
    assert _counts(db) == before
    with db.read() as session:
        assert outages.get_outage(session, info.id) == info


# -- area matching --------------------------------------------------------------------------


def test_area_matching_covers_narrower_areas_only(demo) -> None:
    db, lead, _ = demo
    assert outages.area_matches("朝阳区", "朝阳区红旗街道湖西社区")
    assert outages.area_matches("朝阳区红旗街道", "朝阳区红旗街道湖西社区")
    assert not outages.area_matches("朝阳区红旗街道", "朝阳区南湖街道南湖社区")
    assert not outages.area_matches("朝阳区", "南关区曙光街道明珠社区")
    assert not outages.area_matches("", "朝阳区")
    info = _declare(db, lead, areas=["朝阳区"])
    with db.read() as session:
        assert outages.active_outage_for_area(session, "朝阳区红旗街道湖西社区").id == info.id
        assert outages.active_outage_for_area(session, "南关区自由大路街道民康社区") is None
        assert outages.active_outage_for_area(session, "") is None
    narrow = _declare(db, lead, areas=["南关区自由大路街道"])
    with db.read() as session:
        assert outages.active_outage_for_area(session, "南关区自由大路街道民康社区").id == narrow.id
        assert outages.active_outage_for_area(session, "南关区曙光街道明珠社区") is None
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    with db.read() as session:
        assert outages.active_outage_for_area(session, "朝阳区红旗街道湖西社区") is None


# -- update ---------------------------------------------------------------------------------


def test_update_records_what_changed(demo, fixed_clock) -> None:
    db, lead, _ = demo
    info = _declare(db, lead, areas=["朝阳区", "南关区"])
    fixed_clock.advance(minutes=30)
    new_eta = T0 + timedelta(hours=6)
    with db.write() as session:
        updated = outages.update(session, info.id, actor=lead, areas=["南关区", "宽城区"], cause="光缆被挖断，正在熔接",
                                 eta=new_eta, services=["tv", "broadband"])
    assert updated.areas == ("南关区", "宽城区") and updated.cause == "光缆被挖断，正在熔接"
    assert updated.eta == new_eta and updated.updated_at == T0 + timedelta(minutes=30)
    assert updated.declared_at == T0 and updated.message == info.message
    with db.read() as session:
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "outage.update")).scalar_one()
        assert event.agent_id == lead.id and event.entity_id == info.id
        changes = json.loads(event.detail)["changes"]
        assert set(changes) == {"areas", "cause", "eta"}  # services given but unchanged
        assert changes["areas"] == {"from": ["朝阳区", "南关区"], "to": ["南关区", "宽城区"]}
        assert changes["eta"] == {"from": ETA.isoformat(), "to": new_eta.isoformat()}
        assert broadcast.current(session) == 2
        assert outages.active_outage_for_area(session, "朝阳区红旗街道湖西社区") is None
        assert outages.active_outage_for_area(session, "宽城区站前街道铁北社区").id == info.id


def test_update_without_change_writes_nothing(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead)
    before = _counts(db)
    with db.write() as session:
        same = outages.update(session, info.id, actor=lead, cause="光缆被挖断", areas=["朝阳区"])
    assert same == info and _counts(db) == before


def test_update_clears_eta_and_message(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead)
    with db.write() as session:
        updated = outages.update(session, info.id, actor=lead, clear_eta=True, message="")
    assert updated.eta is None and updated.message == ""


def test_update_refuses_bad_values_missing_and_cleared_outages(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead)
    with pytest.raises(InvalidInput) as caught, db.write() as session:
        outages.update(session, info.id, actor=lead, cause="")
    assert caught.value.key == "outages.no_cause"
    with pytest.raises(InvalidInput), db.write() as session:
        outages.update(session, info.id, actor=lead, services=["radio"])
    with pytest.raises(NotFound), db.write() as session:
        outages.update(session, 999, actor=lead, cause="x")
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    before = _counts(db)
    with pytest.raises(outages.NotActive) as caught, db.write() as session:
        outages.update(session, info.id, actor=lead, cause="再改")
    assert str(info.id) in caught.value.message("en")
    assert _counts(db) == before


# -- clear and restoration callbacks ----------------------------------------------------------


def test_clear_queues_one_restoration_callback_per_caller(demo, fixed_clock) -> None:
    db, lead, agent = demo
    info = _declare(db, lead, areas=["朝阳区"], cause="光缆被挖断")
    other = _declare(db, lead, areas=["南关区"], cause="停电")
    first = _call(db, agent, customer_id=1)  # 张三, twice
    fixed_clock.advance(minutes=5)
    second = _call(db, agent, customer_id=1)
    by_phone = _call(db, agent, name="李先生", phone="13900001111")  # unregistered, twice by phone
    by_phone_again = _call(db, agent, name=None, phone="13900001111")
    registered = _call(db, agent, customer_id=5)  # 吉林省政务专网中心: no caller phone, the customer's
    nobody = _call(db, agent)  # no customer, no phone: cannot be called back
    elsewhere = _call(db, agent, customer_id=4)  # linked to the other outage
    for call_id in (first, second, by_phone, by_phone_again, registered, nobody):
        fixed_clock.advance(minutes=1)
        _link(db, agent, call_id, info.id)
    _link(db, agent, elsewhere, other.id)
    fixed_clock.advance(hours=3)
    cleared_at = fixed_clock.now()
    with db.write() as session:
        done, created = outages.clear(session, info.id, actor=lead)
    assert created == 3
    assert (done.status, done.cleared_at, done.cleared_by, done.cleared_by_name) == ("cleared", cleared_at, "8001",
                                                                                    "王红梅")
    assert done.linked_calls == 6 and done.restoration_callbacks == 3 and not done.active
    with db.read() as session:
        rows = session.execute(select(Callback).where(Callback.outage_id.is_not(None))
                               .order_by(Callback.id)).scalars().all()
        assert [(c.kind, c.outage_id, c.status) for c in rows] == [("restoration", info.id, "pending")] * 3
        assert [c.call_id for c in rows] == [first, by_phone, registered]
        assert [c.customer_id for c in rows] == [1, None, 5]
        assert [c.contact_name for c in rows] == ["张三", "李先生", "吉林省政务专网中心"]
        assert [c.contact_phone for c in rows] == [calls_phone(session, first), "13900001111", "043182220000#801"]
        assert all(c.due_at == cleared_at + outages.RESTORATION_CALLBACK_WITHIN for c in rows)
        assert all(c.created_at == cleared_at and "光缆被挖断" in stored_text(c.reason_message, c.reason)
                   and "朝阳区" in stored_text(c.reason_message, c.reason) for c in rows)
        event = session.execute(select(AuditEvent).where(AuditEvent.action == "outage.clear")).scalar_one()
        detail = json.loads(event.detail)
        assert (detail["callbacks"], detail["linked_calls"], detail["no_contact"]) == (3, 6, 1)
        assert event.agent_id == lead.id and event.entity_id == info.id
        assert [o.id for o in outages.active_outages(session)] == [other.id]
    # Clearing again is refused and queues nobody twice; the callbacks show in the queue.
    with pytest.raises(outages.NotActive), db.write() as session:
        outages.clear(session, info.id, actor=lead)
    from agentdesk.services import callbacks as cbs

    with db.read() as session:
        assert _counts(db)["callbacks"] == 3
        page = cbs.queue(session, page_size=500)
        queued = [r for r in page.rows if r.kind == "restoration"]
        assert [r.customer_name for r in queued] == ["张三", "李先生", "吉林省政务专网中心"]
        assert queued[1].phone_masked == "139****1111"


def calls_phone(session, call_id: int) -> str | None:  # type: ignore[no-untyped-def]
    """The number the call came from (the identified customer's first phone)."""
    from agentdesk.models import CustomerPhone

    call = session.get(Call, call_id)
    return call.caller_phone or session.execute(
        select(CustomerPhone.phone).where(CustomerPhone.customer_id == call.customer_id).order_by(CustomerPhone.id)
    ).scalars().first()


def test_clear_without_linked_calls_queues_nothing(demo) -> None:
    db, lead, _ = demo
    info = _declare(db, lead)
    with db.write() as session:
        done, created = outages.clear(session, info.id, actor=lead)
    assert created == 0 and done.status == "cleared"
    assert _counts(db)["callbacks"] == 0
    with pytest.raises(NotFound), db.write() as session:
        outages.clear(session, 999, actor=lead)


def test_calls_cannot_be_linked_after_clear(demo) -> None:
    db, lead, agent = demo
    info = _declare(db, lead)
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    call_id = _call(db, agent, customer_id=1)
    with pytest.raises(InvalidInput) as caught:
        _link(db, agent, call_id, info.id)
    assert caught.value.key == "outage.not_active"


# -- reading --------------------------------------------------------------------------------


def test_timeline_says_who_did_what_when(demo, fixed_clock) -> None:
    db, lead, agent = demo
    with db.write() as session:
        second_lead = accounts.create_agent(session, "8002", "赵班长", "lead", "8002")
    info = _declare(db, lead)
    fixed_clock.advance(minutes=20)
    with db.write() as session:
        outages.update(session, info.id, actor=second_lead, eta=T0 + timedelta(hours=8), services=["tv"])
    _link(db, agent, _call(db, agent, customer_id=1), info.id)
    fixed_clock.advance(minutes=40)
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    unrelated = _declare(db, lead, areas=["南关区"])
    with db.read() as session:
        entries = outages.timeline(session, info.id)
        assert len(outages.timeline(session, unrelated.id)) == 1
        with pytest.raises(NotFound):
            outages.timeline(session, 999)
    assert [(e.at, e.action, e.agent_number, e.agent_name) for e in entries] == [
        (T0, "outage.declare", "8001", "王红梅"),
        (T0 + timedelta(minutes=20), "outage.update", "8002", "赵班长"),
        (T0 + timedelta(hours=1), "outage.clear", "8001", "王红梅"),
    ]
    assert entries[1].detail["changes"]["services"] == {"from": ["tv", "broadband"], "to": ["tv"]}
    assert entries[2].detail["callbacks"] == 1
    from agentdesk.i18n import set_language

    set_language("zh_CN")
    texts = [outages.describe(e) for e in entries]
    assert "朝阳区" in texts[0] and "光缆被挖断" in texts[0] and "有线电视" in texts[0]
    assert "2026-11-23 17:00" in texts[1]
    assert "1" in texts[2]
    set_language("en")
    try:
        assert outages.describe(entries[2]).startswith("Cleared")
    finally:
        set_language("zh_CN")


def test_list_and_active_outages_newest_first(demo, fixed_clock) -> None:
    db, lead, _ = demo
    ids = []
    for area in ("朝阳区", "南关区", "宽城区"):
        ids.append(_declare(db, lead, areas=[area]).id)
        fixed_clock.advance(minutes=1)
    with db.write() as session:
        outages.clear(session, ids[1], actor=lead)
    with db.read() as session:
        assert [o.id for o in outages.active_outages(session)] == [ids[2], ids[0]]
        assert [o.id for o in outages.list_outages(session)] == [ids[2], ids[1], ids[0]]
        assert [o.id for o in outages.list_outages(session, active_only=True)] == [ids[2], ids[0]]
        assert [o.id for o in outages.list_outages(session, limit=1)] == [ids[2]]
        assert [o.status for o in outages.list_outages(session)] == ["active", "cleared", "active"]
        with pytest.raises(NotFound):
            outages.get_outage(session, 999)


def test_known_areas_complete_from_customer_records(demo) -> None:
    db, _, _ = demo
    with db.read() as session:
        chaoyang = outages.known_areas(session, "朝阳")
        assert chaoyang == ["朝阳区", "朝阳区南湖街道", "朝阳区南湖街道南湖社区", "朝阳区红旗街道",
                            "朝阳区红旗街道湖西社区"]
        assert outages.known_areas(session, "朝阳", levels=False) == \
            ["朝阳区南湖街道南湖社区", "朝阳区红旗街道湖西社区"]
        assert outages.known_areas(session, "农安县合隆") == ["农安县合隆镇", "农安县合隆镇陈家店村"]
        everything = outages.known_areas(session, "", limit=500)
        assert everything == sorted(set(everything)) and "" not in everything
        assert "南关区" in everything and "南关区曙光街道明珠社区" in everything
        assert len(outages.known_areas(session, "", limit=3)) == 3
        full = outages.known_areas(session, "", limit=500, levels=False)
        assert len(full) == 18  # data/demo/areas.toml
        for query in ("%", "_", "不存在的区", "'; DROP TABLE customers; --"):
            assert outages.known_areas(session, query) == []


# -- the broadcast counter ------------------------------------------------------------------


def test_counter_moves_on_every_change(demo) -> None:
    db, lead, agent = demo
    with db.read() as session:
        assert broadcast.current(session) == 0
    info = _declare(db, lead)
    with db.write() as session:
        outages.update(session, info.id, actor=lead, cause="新原因")
    call_id = _call(db, agent, customer_id=1)
    _link(db, agent, call_id, info.id)
    _link(db, agent, call_id, info.id)  # linked already: no change, no bump
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    with db.read() as session:
        assert broadcast.current(session) == 4
        assert broadcast.current(session, "other") == 0


def test_bump_upserts_per_topic_in_the_callers_transaction(db) -> None:
    with db.write() as session:
        broadcast.bump(session, "a")
        broadcast.bump(session, "a")
        broadcast.bump(session, "b")
        assert broadcast.current(session, "a") == 2  # visible inside the transaction
    with pytest.raises(RuntimeError), db.write() as session:
        broadcast.bump(session, "a")
        raise RuntimeError("rolled back")
    with db.read() as session:
        assert broadcast.current(session, "a") == 2 and broadcast.current(session, "b") == 1
        assert session.execute(select(func.count()).select_from(ChangeCounter)).scalar_one() == 2


def test_watcher_poll_semantics(demo) -> None:
    db, lead, _ = demo
    watcher = broadcast.Watcher(db)
    assert watcher.last is None
    assert watcher.poll() is True  # first look: load the banner once
    assert watcher.poll() is False
    info = _declare(db, lead)
    assert watcher.poll() is True and watcher.last == 1
    assert watcher.poll() is False
    with db.write() as session:
        outages.update(session, info.id, actor=lead, cause="改")
        outages.update(session, info.id, actor=lead, cause="又改")
    assert watcher.poll() is True  # two bumps, one poll: one change seen
    assert watcher.poll() is False
    primed = broadcast.Watcher(db)
    assert primed.prime() == 3
    assert primed.poll() is False
    with db.write() as session:
        outages.clear(session, info.id, actor=lead)
    assert primed.poll() is True and watcher.poll() is True
    other = broadcast.Watcher(db, topic="handover")
    assert other.poll() is True and other.poll() is False


def test_watcher_survives_an_unreachable_database() -> None:
    down = Database("postgresql+psycopg://nobody@127.0.0.1:1/agentdesk?connect_timeout=2")
    try:
        watcher = broadcast.Watcher(down)
        assert watcher.poll() is False
        assert watcher.error is not None and watcher.last is None
    finally:
        down.dispose()


# -- concurrency ------------------------------------------------------------------------------


def check_concurrent_clear(db, lead, agent) -> None:  # type: ignore[no-untyped-def]
    """Two leads clear the same outage at once: one clears it, the other is told it is
    cleared already, and the callers are queued once."""
    import threading

    info = _declare(db, lead)
    for customer_id in (1, 3, 5):
        _link(db, agent, _call(db, agent, customer_id=customer_id), info.id)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def clear() -> None:
        barrier.wait()
        try:
            with db.write() as session:
                results.append(outages.clear(session, info.id, actor=lead)[1])
        except outages.NotActive as exc:
            results.append(exc)

    threads = [threading.Thread(target=clear) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(results) == 2, results
    assert [r for r in results if isinstance(r, int)] == [3]
    assert len([r for r in results if isinstance(r, outages.NotActive)]) == 1
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(Callback)
                               .where(Callback.outage_id == info.id)).scalar_one() == 3


def check_concurrent_bumps(db, threads: int = 4, each: int = 25) -> None:  # type: ignore[no-untyped-def]
    import threading

    def work() -> None:
        for _ in range(each):
            with db.write() as session:
                broadcast.bump(session, "race")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    with db.read() as session:
        assert broadcast.current(session, "race") == threads * each


def test_two_leads_clear_at_once(demo) -> None:
    check_concurrent_clear(*demo)


def test_concurrent_bumps_all_count(db) -> None:
    check_concurrent_bumps(db)
