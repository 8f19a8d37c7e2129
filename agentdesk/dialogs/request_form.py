"""What every request form on a call shares: how it is opened, and the one outcome it dismisses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentdesk.dialogs.form import FormScreen
from agentdesk.i18n import get_language

if TYPE_CHECKING:
    from agentdesk.scripts import ScriptBook
    from agentdesk.services.calls import CallerInfo


@dataclass(frozen=True)
class RequestOutcome:
    """What a request left on the call: the line to read to the caller, and whether
    something is still owed to them (then the first-contact checklist applies)."""

    line: str
    owed: bool


class RequestForm(FormScreen[RequestOutcome | None]):
    """A form that takes one request type (see ``agentdesk/services/requests.py``)."""

    #: The script line the call screen reads as the form opens, if any.
    intro: str | None = None

    def __init__(self, call_id: int, caller: CallerInfo) -> None:
        super().__init__()
        self.call_id = call_id
        self.caller = caller

    @property
    def scripts(self) -> ScriptBook:
        from agentdesk.scripts import load_scripts

        return load_scripts(get_language())
