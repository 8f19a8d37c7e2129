"""Every request type in the table opens a form that dismisses the one common outcome."""

from __future__ import annotations

from agentdesk.dialogs.request_form import RequestForm
from agentdesk.dialogs.requests import FORMS
from agentdesk.services.requests import REQUESTS


def test_every_request_type_has_a_form() -> None:
    for row in REQUESTS:
        assert issubclass(FORMS[row.form], RequestForm), row.code


def test_the_call_screen_binds_one_key_per_request_type() -> None:
    from agentdesk.screens.call import CallScreen

    bound = {b.id: b for b in CallScreen.BINDINGS if not isinstance(b, tuple) and b.id}
    for row in REQUESTS:
        binding = bound["call." + row.code]
        assert binding.key == row.key and binding.action == f"request('{row.code}')"
