"""The form of each request type: ``agentdesk/services/requests.py`` names it, this resolves the name."""

from __future__ import annotations

from agentdesk.dialogs.business_form import BusinessFormScreen
from agentdesk.dialogs.complaint_intake import ComplaintIntakeScreen
from agentdesk.dialogs.consult import ConsultScreen
from agentdesk.dialogs.praise import PraiseScreen
from agentdesk.dialogs.request_form import RequestForm
from agentdesk.dialogs.work_order_form import WorkOrderFormScreen
from agentdesk.services.calls import CallerInfo
from agentdesk.services.requests import request_type

FORMS: dict[str, type[RequestForm]] = {
    "consult": ConsultScreen,
    "complaint": ComplaintIntakeScreen,
    "repair": WorkOrderFormScreen,
    "business": BusinessFormScreen,
    "praise": PraiseScreen,
}


def request_form(code: str, call_id: int, caller: CallerInfo) -> RequestForm:
    row = request_type(code)
    if row is None:
        raise KeyError(f"no request type {code!r}")
    return FORMS[row.form](call_id, caller)
