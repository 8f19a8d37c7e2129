"""The desk's facade on one PC: it acts as the agent who logged in, and as nobody before that."""

from __future__ import annotations

import pytest

from agentdesk.client.desk import OrderFilters
from agentdesk.client.local import LocalDesk
from agentdesk.models import Call
from agentdesk.services.demo import build_demo
from agentdesk.services.errors import LoginFailed, PermissionDenied


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    build_demo(db, customers=50, handovers=False)
    return LocalDesk(db, policy="generic")


def test_nothing_is_done_before_a_login(desk: LocalDesk) -> None:
    assert desk.agent_count() > 0  # the login screen's hint needs no agent
    with pytest.raises(PermissionDenied):
        desk.start_call()
    with pytest.raises(PermissionDenied):
        desk.list_orders(OrderFilters(mine=True), page_size=5, cursor=None)


def test_the_acting_agent_is_the_one_who_logged_in(desk: LocalDesk, db) -> None:  # type: ignore[no-untyped-def]
    login = desk.login("１０２４", "1024")  # full-width digits from a Chinese IME are digits
    call = desk.start_call()
    with db.read() as session:
        row = session.get(Call, call.id)
        assert row is not None and row.agent_id == login.agent.id and row.shift_id == login.shift.id


def test_a_failed_login_leaves_the_previous_agent(desk: LocalDesk) -> None:
    first = desk.login("1024", "1024")
    with pytest.raises(LoginFailed):
        desk.login("1025", "0000")
    assert desk.actor.id == first.agent.id


def test_a_request_type_is_recorded_as_the_table_has_it(desk: LocalDesk, db) -> None:  # type: ignore[no-untyped-def]
    from agentdesk.services.errors import InvalidInput

    desk.login("1024", "1024")
    call = desk.start_call()
    desk.set_request_type(call.id, "praise")
    with db.read() as session:
        row = session.get(Call, call.id)
        assert row is not None and row.request_type == "praise"
    with pytest.raises(InvalidInput):
        desk.set_request_type(call.id, "no-such-type")
