"""Outages (大面积故障): declared by a lead, shown on every desk, calls linked, cleared.

docs/design.md "Outages". The life of an outage:

* :func:`declare` — a lead names the areas (free-form names from the customer records,
  wide to narrow: 朝阳区, 朝阳区红旗街道 …; an outage area covers every customer area that
  starts with it, :func:`area_matches`), the services affected (:data:`SERVICES`), the
  cause, the expected restoration time and a message for agents. Status ``active``.
* :func:`update` — a lead changes any of these while the outage is active; only what
  actually changed is recorded.
* :func:`link_call` — the call flow links a caller's call to it and archives the call.
* :func:`clear` — a lead clears it (status ``cleared``); every linked caller gets one
  **restoration callback** (回访 kind ``restoration``), due
  :data:`RESTORATION_CALLBACK_WITHIN` (2 hours) after the clearing: the customers who
  called are told service is back while it matters to them, and asked whether it works.
  Callers are deduplicated by customer and by phone number; a caller with neither cannot
  be called back and is only counted in the audit row.

Every change writes its audit row (entity ``outage``, read back by :func:`timeline`) and
bumps the ``outages`` change counter (:mod:`agentdesk.services.broadcast`) in the same
transaction, so every desk — other processes, other workstations — shows the banner
within the watcher's polling interval. Lead-only actions are refused here
(:class:`PermissionDenied`) before anything is read or written.
"""

from agentdesk.services.outages.changing import clear, declare, link_call, update
from agentdesk.services.outages.fields import (
    AREA_SEPARATORS,
    MAX_AREA_LENGTH,
    MAX_AREA_SUGGESTIONS,
    MAX_AREAS,
    MAX_CAUSE,
    MAX_LIST,
    MAX_MESSAGE,
    RESTORATION_CALLBACK_WITHIN,
    SERVICES,
    STATUSES,
    NotActive,
    area_matches,
    check_fields,
    clean_area,
    clean_areas,
    fmt_time,
    parse_services,
)
from agentdesk.services.outages.reading import (
    OutageInfo,
    TimelineEntry,
    active_outage_for_area,
    active_outages,
    describe,
    get_outage,
    join,
    known_areas,
    list_outages,
    timeline,
)

__all__ = [
    "AREA_SEPARATORS",
    "MAX_AREA_LENGTH",
    "MAX_AREA_SUGGESTIONS",
    "MAX_AREAS",
    "MAX_CAUSE",
    "MAX_LIST",
    "MAX_MESSAGE",
    "RESTORATION_CALLBACK_WITHIN",
    "SERVICES",
    "STATUSES",
    "NotActive",
    "OutageInfo",
    "TimelineEntry",
    "active_outage_for_area",
    "active_outages",
    "area_matches",
    "check_fields",
    "clean_area",
    "clean_areas",
    "clear",
    "declare",
    "describe",
    "fmt_time",
    "join",
    "get_outage",
    "known_areas",
    "link_call",
    "list_outages",
    "parse_services",
    "timeline",
    "update",
]
