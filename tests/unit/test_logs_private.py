"""PINs and full phone numbers never reach the logs; exports and unmasked views are audited."""

from __future__ import annotations

import logging

from sqlalchemy import select

from agentdesk.models import AuditEvent
from agentdesk.services import accounts, callbacks, calls, contact
from agentdesk.services.demo import build_demo

PIN = "739146"
PHONE = "13912345678"


def test_pins_and_phones_stay_out_of_the_logs(db, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        build_demo(db, customers=30, handovers=False)
        with db.write() as session:
            accounts.create_agent(session, "5555", "赵敏", "agent", PIN)
        result = accounts.login(db, "5555", PIN)
        with db.write() as session:
            call = calls.start_call(session, actor=result.agent, shift_id=result.shift.id)
            calls.register_unregistered(session, call.id, name="王五", address="南关区 1 号", phone=PHONE,
                                        actor=result.agent)
            calls.consult_follow_up(session, call.id, question="月租费", contact_phone=PHONE, policy="generic",
                                    actor=result.agent)
        taken = callbacks.take_next(db, actor=result.agent)
        with db.write() as session:
            number = contact.reveal_callback_phone(session, taken.id, actor=result.agent)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert number  # the view itself works
    logged = "\n".join(r.getMessage() + " " + repr(getattr(r, "args", "")) for r in caplog.records)
    assert PIN not in logged
    assert PHONE not in logged and number not in logged
    with db.read() as session:
        actions = set(session.execute(select(AuditEvent.action)).scalars())
    assert "phone.unmask" in actions
