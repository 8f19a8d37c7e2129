"""The closed vocabularies the policies speak: request kinds, severities, areas, tiers, clocks.

They are plain tuples (not enums) because they travel through TOML files, the database
and the CLI as strings; a tuple keeps the order the desk shows them in.
"""

from __future__ import annotations

#: Request kinds: consultation, complaint, repair (fault report), new installation,
#: service restoration (业务恢复), other business acceptance (move, suspend, change package…).
KINDS: tuple[str, ...] = ("consult", "complaint", "repair", "install", "restore", "business")

#: Fault severities. ``pipeline`` (管道故障) is only valid in a policy that names it.
SEVERITIES: tuple[str, ...] = ("general", "major", "critical", "pipeline")

#: The severities every policy accepts; others must be named by one of its rules.
BASE_SEVERITIES: tuple[str, ...] = ("general", "major", "critical")

#: Area classes of the customer's address: 城网 / 城郊 / 农网.
AREAS: tuple[str, ...] = ("city", "suburb", "rural")

#: Customer tiers: regular, VIP, big customer (大客户), private network (专网).
TIERS: tuple[str, ...] = ("regular", "vip", "big", "private")

#: Clock names in the order a work order meets them. ``deadlines()`` returns them with a
#: ``_by`` suffix (``respond`` → ``respond_by``).
CLOCKS: tuple[str, ...] = (
    "transfer",  # handled on the spot or transferred to a department (巴中: 10 min)
    "acknowledge",  # the receiving department acknowledges a transfer (巴中: 5 min)
    "respond",  # the department/engineer responds to the fault or complaint
    "contact",  # the branch contacts the customer to book a visit (吉林: 1 h)
    "forward",  # a complaint outside the branch's scope is forwarded (吉林: 1 h)
    "dispatch",  # the front office dispatches the job (巴中: before the day's close)
    "assign",  # engineering sends the installer out (巴中: next day's start of work)
    "reply",  # the customer gets an answer
    "reply_limit",  # the hard upper bound for that answer (吉林: normally 12 h, at most 24 h)
    "resolve",  # fixed, installed, restored, the complaint's result told
    "callback",  # the callback after completion (回访)
)

#: The clock that is measured from completion, not from acceptance.
DONE_ANCHORED_CLOCKS: frozenset[str] = frozenset({"callback"})

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CALLBACK_MODES: tuple[str, ...] = ("always", "sampled", "periodic")
CALLBACK_PERIODS: tuple[str, ...] = ("day", "week", "month", "quarter", "half_year", "year")
CALLBACK_METHODS: tuple[str, ...] = ("phone", "visit", "letter", "survey", "meeting", "sms")


def clock_key(clock: str) -> str:
    """The public key of a clock in ``deadlines()`` results and JSON: ``resolve`` → ``resolve_by``."""
    return f"{clock}_by"
