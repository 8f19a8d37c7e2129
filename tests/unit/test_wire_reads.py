"""The operations the desk sends without an idempotency key only read (wire.READS).

A write among them would run twice when its answer is lost and the desk asks again, so each
is checked in the facade's source: it opens read sessions only, and hands the database to
nothing that could open a write session of its own.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from agentdesk.client import wire
from agentdesk.client.local import LocalDesk


def _uses(name: str) -> tuple[set[str], bool]:
    """The ``self.db.<method>`` calls in ``LocalDesk.<name>``, and whether ``self.db`` is passed on."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(LocalDesk, name))))
    methods: set[str] = set()
    passed = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)
                    and func.value.attr == "db"):
                methods.add(func.attr)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Attribute) and arg.attr == "db":
                    passed = True
    return methods, passed


@pytest.mark.parametrize("name", sorted(wire.READS))
def test_a_read_operation_opens_only_read_sessions(name: str) -> None:
    methods, passed = _uses(name)
    assert methods <= {"read"}, f"{name} calls self.db.{methods - {'read'}}"
    assert not passed, f"{name} hands the database on"
    assert wire.OPERATIONS[name].reads


@pytest.mark.parametrize("name", ["take_next_callback", "reveal_callback_phone", "identify", "create_work_order"])
def test_the_check_tells_a_write(name: str) -> None:
    methods, passed = _uses(name)
    assert methods - {"read"} or passed
    assert not wire.OPERATIONS[name].reads


def test_every_read_is_an_operation() -> None:
    assert wire.READS <= set(wire.OPERATIONS)
