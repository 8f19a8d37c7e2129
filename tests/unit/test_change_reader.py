"""The change feed sees a change whose transaction took its id before another's but committed
after it (PostgreSQL hands ids out before the commit): a skipped id is looked for again."""

from __future__ import annotations

import pytest

from agentdesk.models import ChangeEvent
from agentdesk.services import changes


def commit(db, event_id: int, topic: str = "order") -> None:  # type: ignore[no-untyped-def]
    with db.write() as session:
        session.add(ChangeEvent(id=event_id, topic=topic, ref_id=event_id, at=changes.clock.now()))


def read(db, reader: changes.Reader) -> list[int]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return [c.id for c in reader.read(session)]


def test_a_change_committed_late_is_read_late_and_once(db) -> None:  # type: ignore[no-untyped-def]
    reader = changes.Reader(0)
    commit(db, 2)  # 1 is still being written by a slower transaction
    commit(db, 3)
    assert read(db, reader) == [2, 3]
    commit(db, 1)
    assert read(db, reader) == [1]
    assert read(db, reader) == []  # found: not looked for again
    commit(db, 4)
    assert read(db, reader) == [4]


def test_an_id_never_committed_is_given_up_after_a_while(db, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    reader = changes.Reader(0)
    commit(db, 5)
    assert read(db, reader) == [5]
    monkeypatch.setattr(changes, "GAP_SECONDS", 0.0)  # 1-4 were rolled back
    assert read(db, reader) == []
    commit(db, 2)
    assert read(db, reader) == []  # no longer looked for
