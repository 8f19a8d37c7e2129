"""The request types a call can carry (业务分类): one table for the desk, the records and the reports.

Each row says:

- ``code``: what is stored on the call (``calls.request_type``), and so what the handover
  counts and exports group by; its label is the catalog key ``request.<code>``;
- ``key``: the key that opens it on the call screen (binding id ``call.<code>``, description
  ``binding.<code>``);
- ``form``: the dialog that takes it, by name: services import no UI, so the desk resolves
  the name (``agentdesk/dialogs/requests.py`` maps every name to its form);
- ``outcomes``: what the request can leave in ``calls.outcome`` (labels ``handover.outcome.<code>``).

A new request type is a row here, its form registered under the row's ``form`` name, and
its labels in both catalogs (the recipe is in CONTRIBUTING.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestType:
    code: str
    key: str
    form: str
    outcomes: tuple[str, ...]

    @property
    def label_key(self) -> str:
        return "request." + self.code


REQUESTS: tuple[RequestType, ...] = (
    RequestType("consult", "1", "consult", ("answered", "followup")),
    RequestType("complaint", "2", "complaint", ("complaint_accepted", "complaint_refused")),
    RequestType("repair", "3", "repair", ("work_order",)),
    RequestType("business", "4", "business", ("work_order", "materials_missing")),
    RequestType("praise", "5", "praise", ("praise", "suggestion")),
)

REQUEST_TYPES: tuple[str, ...] = tuple(r.code for r in REQUESTS)
#: The counts' key for calls that never got a request type (see services/handover).
NO_REQUEST = "none"
NO_REQUEST_LABEL_KEY = "handover.none"


def request_type(code: str) -> RequestType | None:
    return next((r for r in REQUESTS if r.code == code), None)


def label_key(code: str | None) -> str:
    """The catalog key that names a stored request type; a call without one says so."""
    if not code or code == NO_REQUEST:
        return NO_REQUEST_LABEL_KEY
    row = request_type(code)
    return row.label_key if row is not None else "request." + code
