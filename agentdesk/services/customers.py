"""Caller identification: one search box over phone, user code, name and pinyin initials."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, Row, Select, bindparam, column, select, table
from sqlmodel import Session, col

from agentdesk.models import Call, Callback, Customer, CustomerPhone, Department, WorkOrder
from agentdesk.normalize import LANDLINE, MOBILE, clean_text, mask_phone, search_digits, strip_invisible
from agentdesk.services import grams
from agentdesk.services.messages import stored_text
from agentdesk.services.rows import get_or_not_found, row_id, table_of
from agentdesk.vocab import OPEN_CALLBACK_STATUSES, UNCLOSED_ORDER_STATUSES

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class CustomerHit:
    id: int
    user_code: str
    name: str
    phone_masked: str
    area_name: str
    tier: str


@dataclass(frozen=True)
class PhoneLine:
    number: str
    kind: str
    masked: str


@dataclass(frozen=True)
class CallLine:
    id: int
    started_at: datetime
    request_type: str | None
    outcome: str | None
    summary: str


@dataclass(frozen=True)
class OrderLine:
    id: int
    number: str
    kind: str
    status: str
    resolve_by: datetime | None
    department: str
    badge: str = "on_time"


@dataclass(frozen=True)
class CallbackLine:
    id: int
    kind: str
    due_at: datetime
    reason: str


@dataclass(frozen=True)
class CustomerCard:
    id: int
    user_code: str
    name: str
    phones: tuple[PhoneLine, ...]
    address: str
    area_name: str
    area_class: str
    tier: str
    recent_calls: tuple[CallLine, ...]
    open_orders: tuple[OrderLine, ...]
    callbacks_due: tuple[CallbackLine, ...]


# -- caller search: one prebuilt statement per step ------------------------------------------
#
# Each step reads one index in its order and stops at its LIMIT (``:n``), so none sorts or
# even visits all of its matches; the statements are built once (executing a cached Core
# statement on the session's connection costs a tenth of building an ORM query per call).

_C = table_of(Customer)
_P = table_of(CustomerPhone)
# The FTS5 tables of migration 0004 (SQLite); PostgreSQL uses pg_trgm indexes under LIKE,
# and for names with characters pg_trgm cannot read the gram table of 0007 (services.grams).
_PHONES_FTS = table("customer_phones_fts", column("rowid"), column("phone"))
_NAMES_FTS = table("customers_name_fts", column("rowid"), column("name"))
_FIRST_PHONE = (select(_P.c.phone).where(_P.c.customer_id == _C.c.id).order_by(_P.c.id).limit(1)
                .scalar_subquery().label("phone"))
_HIT = select(_C.c.id, _C.c.user_code, _C.c.name, _C.c.name_initials, _C.c.name_pinyin, _C.c.area_name,
              _C.c.tier, _FIRST_PHONE)
_N: BindParameter[int] = bindparam("n")
_Q: BindParameter[str] = bindparam("q")
_HI: BindParameter[str] = bindparam("hi")
_MATCH: BindParameter[str] = bindparam("match")
_LIKE: BindParameter[str] = bindparam("like")


def _customers_in(phone_ids: Select) -> Select:
    """The customers owning the first 2n phones of ``phone_ids``: n customers even when
    both numbers of some match."""
    return _HIT.where(_C.c.id.in_(phone_ids.limit(_N * 2))).order_by(_C.c.id).limit(_N)


_STEPS: dict[str, Select] = {
    # A prefix range starts with the exact match: one step finds both.
    "code_prefix": _HIT.where(_C.c.user_code >= _Q, _C.c.user_code < _HI).order_by(_C.c.user_code).limit(_N),
    "phone": _customers_in(select(_P.c.customer_id).where(_P.c.phone == _Q).order_by(_P.c.id)),
    "phone_prefix": _customers_in(select(_P.c.customer_id).where(_P.c.phone >= _Q, _P.c.phone < _HI)
                                  .order_by(_P.c.phone)),
    "phone_fts": _customers_in(
        select(_P.c.customer_id).select_from(_PHONES_FTS).join(_P, _P.c.id == _PHONES_FTS.c.rowid)
        .where(_PHONES_FTS.c.phone.op("MATCH")(_MATCH), _P.c.phone.like(_LIKE, escape="/"))
        .order_by(_PHONES_FTS.c.rowid)),
    "phone_like": _customers_in(select(_P.c.customer_id).where(_P.c.phone.like(_LIKE, escape="/"))
                                .order_by(_P.c.id)),
    "pinyin": _HIT.where(_C.c.name_pinyin == _Q).order_by(_C.c.id).limit(_N),
    "initials": _HIT.where(_C.c.name_initials == _Q).order_by(_C.c.id).limit(_N),
    "initials_prefix": _HIT.where(_C.c.name_initials >= _Q, _C.c.name_initials < _HI)
    .order_by(_C.c.name_initials, _C.c.id).limit(_N),
    "pinyin_prefix": _HIT.where(_C.c.name_pinyin >= _Q, _C.c.name_pinyin < _HI)
    .order_by(_C.c.name_pinyin, _C.c.id).limit(_N),
    "name_prefix": _HIT.where(_C.c.name >= _Q, _C.c.name < _HI).order_by(_C.c.name, _C.c.id).limit(_N),
    "name_fts": _HIT.select_from(_NAMES_FTS).join(_C, _C.c.id == _NAMES_FTS.c.rowid)
    .where(_NAMES_FTS.c.name.op("MATCH")(_MATCH), _C.c.name.like(_LIKE, escape="/"))
    .order_by(_NAMES_FTS.c.rowid).limit(_N),
    "name_like": _HIT.where(_C.c.name.like(_LIKE, escape="/")).order_by(_C.c.id).limit(_N),
    **{f"name_grams{k}": grams.name_statement(_HIT, _C, k, _LIKE, _N) for k in range(1, grams.MAX_NAME_GRAMS + 1)},
}
_has_fts: dict[str, bool] = {}


def _sqlite_fts(session: Session) -> bool:
    """Whether this database has the search FTS tables (SQLite at revision 0004 or later)."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    key = str(bind.engine.url)
    if not _has_fts.get(key):
        found = session.connection().exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('customer_phones_fts', 'customers_name_fts')"
        ).scalar_one()
        _has_fts[key] = found == 2
    return _has_fts[key]


def _like(text_: str) -> str:
    """LIKE pattern for "contains", escaped with ``/`` (the same as ``contains(autoescape=True)``)."""
    return "%" + text_.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _fts_phrase(tokens: list[str]) -> str:
    """An FTS5 phrase of ``tokens``, quotes doubled: matched, never parsed as a query."""
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _phone_match(digits: str) -> str:
    """The FTS query for a phone fragment: its runs of four in a row, or three digits as a
    prefix (see migration 0004)."""
    if len(digits) == 3:
        return f'"{digits}"*'
    return _fts_phrase([digits[i:i + 4] for i in range(len(digits) - 3)])


def _name_match(text_: str) -> str:
    """The FTS query for a name fragment: one character, or its pairs in a row (migration 0004)."""
    if len(text_) == 1:
        return _fts_phrase([text_])
    return _fts_phrase([text_[i:i + 2] for i in range(len(text_) - 1)])


Exact = Callable[[Row], bool]
_ALL: Exact = lambda row: True  # noqa: E731
_NONE: Exact = lambda row: False  # noqa: E731


def _search_steps(text_: str, fts: bool, pg_grams: bool = False) -> list[tuple[str, dict, Exact]]:
    """(step, parameters, which of its hits are exact matches) in the order hits are taken.
    ``fts``: SQLite's FTS5 tables are there; ``pg_grams``: PostgreSQL's gram tables are."""
    digits = search_digits(text_)
    if digits and re.fullmatch(r"[\d\s\-+()（）０-９]+", text_):
        hi = digits + "\U0010ffff"
        whole_phone = bool(MOBILE.match(digits) or LANDLINE.match(digits))
        steps = [("code_prefix", {"q": digits, "hi": hi}, lambda row: row.user_code == digits)]
        if whole_phone:
            steps.append(("phone", {"q": digits}, _ALL))
        if len(digits) >= 3:
            steps.append(("phone_prefix", {"q": digits, "hi": hi}, _NONE))
            # A whole number (or 12 digits and more) is found only where a stored number
            # starts with it: the prefix step above has them all.
            if len(digits) < 12 and not whole_phone:
                if fts:
                    steps.append(("phone_fts", {"match": _phone_match(digits), "like": _like(digits)}, _NONE))
                else:
                    steps.append(("phone_like", {"like": _like(digits)}, _NONE))
        return steps
    if re.fullmatch(r"[A-Za-z]+", text_):
        low = text_.lower()
        hi = low + "\U0010ffff"
        return [("pinyin", {"q": low}, _ALL), ("initials", {"q": low}, _ALL),
                ("initials_prefix", {"q": low, "hi": hi}, lambda row: row.name_initials == low),
                ("pinyin_prefix", {"q": low, "hi": hi}, lambda row: row.name_pinyin == low)]
    steps = [("name_prefix", {"q": text_, "hi": text_ + "\U0010ffff"}, lambda row: row.name == text_)]
    if pg_grams and grams.needs_grams(text_):
        # The same rows as name_like, found through the gram table.
        count, params = grams.name_params(text_)
        steps.append((f"name_grams{count}", {**params, "like": _like(text_)}, _NONE))
    elif not fts:
        steps.append(("name_like", {"like": _like(text_)}, _NONE))
    elif any(c.isalnum() or not c.isascii() for c in text_):  # else no token to look up
        # The index narrows to names holding these characters in a row; LIKE decides.
        steps.append(("name_fts", {"match": _name_match(text_), "like": _like(text_)}, _NONE))
    return steps


def search_customers(session: Session, query: str, limit: int = SEARCH_LIMIT) -> list[CustomerHit]:
    """Customers matching what the agent typed; empty for an empty box.

    Digits: the user code (exact, then prefix) or a phone number (exact, then starting
    with them, then — three digits or more — anywhere in it). Latin letters: full pinyin
    or pinyin initials, exact (``zs`` → 张三) then prefix. Anything else: the name, exact,
    then prefix, then anywhere in it.

    At a million customers every step is an index read that stops at ``limit``: the steps
    run in that order until ``limit`` customers are found (phone fragments and name
    substrings through FTS5 on SQLite, pg_trgm on PostgreSQL — migration 0004 — and, for
    names with characters beyond ASCII, the gram table of 0007). The hits
    are listed exact matches first, then by name.
    """
    text_ = clean_text(strip_invisible(query)).strip()
    if not text_ or limit < 1:
        return []
    connection = session.connection()
    found: dict[int, Row] = {}
    exact: set[int] = set()
    for step, params, is_exact in _search_steps(text_, _sqlite_fts(session), grams.pg_grams(session)):
        if len(found) >= limit:
            break
        # n rows of a step hold at least limit - len(found) new ones: the rows it shares
        # with earlier steps are among those already found.
        for row in connection.execute(_STEPS[step], {**params, "n": limit}):
            if row.id not in found:
                found[row.id] = row
            if is_exact(row):
                exact.add(row.id)
    rows = sorted(list(found.values())[:limit], key=lambda r: (r.id not in exact, r.name, r.id))
    return [CustomerHit(r.id, r.user_code, r.name, mask_phone(r.phone or ""), r.area_name, r.tier) for r in rows]


def customers_with_phone(session: Session, number: str, limit: int = 5) -> list[CustomerHit]:
    """The customers holding exactly this number (the screen-pop: several may share one line)."""
    rows = session.connection().execute(_STEPS["phone"], {"q": number, "n": limit})
    return [CustomerHit(r.id, r.user_code, r.name, mask_phone(r.phone or ""), r.area_name, r.tier) for r in rows]


def customer_card(session: Session, customer_id: int, now: datetime) -> CustomerCard:

    customer = get_or_not_found(session, Customer, customer_id, "customer.not_found")
    phones = tuple(
        PhoneLine(p.phone, p.kind, mask_phone(p.phone))
        for p in session.execute(
            select(CustomerPhone).where(col(CustomerPhone.customer_id) == customer_id).order_by(col(CustomerPhone.id))
        ).scalars()
    )
    calls = tuple(
        CallLine(c.id, c.started_at, c.request_type, c.outcome, c.summary or "")
        for c in session.execute(
            select(Call).where(col(Call.customer_id) == customer_id, col(Call.status) == "closed")
            .order_by(col(Call.started_at).desc()).limit(5)
        ).scalars()
    )
    from agentdesk.services.workorders import order_row

    orders = tuple(
        OrderLine(o.id, o.number, o.kind, o.status, o.resolve_by, dept or "", order_row(session, o.id).badge)
        for o, dept in session.execute(
            select(WorkOrder, col(Department.name))
            .join(Department, col(Department.id) == col(WorkOrder.department_id), isouter=True)
            .where(col(WorkOrder.customer_id) == customer_id, col(WorkOrder.status).in_(UNCLOSED_ORDER_STATUSES))
            .order_by(col(WorkOrder.resolve_by))
            .limit(10)
        ).all()
    )
    callbacks = tuple(
        CallbackLine(cb.id, cb.kind, cb.due_at, stored_text(cb.reason_message, cb.reason))
        for cb in session.execute(
            select(Callback)
            .where(col(Callback.customer_id) == customer_id, col(Callback.status).in_(OPEN_CALLBACK_STATUSES))
            .order_by(col(Callback.due_at)).limit(10)
        ).scalars()
    )
    return CustomerCard(
        row_id(customer), customer.user_code, customer.name, phones, customer.address, customer.area_name,
        customer.area_class, customer.tier, calls, orders, callbacks,
    )

