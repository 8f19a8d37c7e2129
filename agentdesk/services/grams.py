"""PostgreSQL: Chinese name and knowledge-base search through the bigram tables of migration 0007.

``pg_trgm`` takes no trigram from a character its ``LC_CTYPE`` does not call alphanumeric
(under ``C``: anything not ASCII), so a fragment holding any other character is looked up
here instead, by its characters or pairs of neighbours; ASCII fragments stay on the
trigram indexes. Each lookup only narrows: the candidates are re-checked with the same
``LIKE`` and ordered and limited as before, so the rows are those the ``LIKE`` alone gives.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, FromClause, Select, Table, and_, bindparam, column, func, select, table, true
from sqlmodel import Session

#: The caller search joins one copy of the gram table per gram: a few rare pairs narrow
#: as well as all of them, and the ``LIKE`` decides.
MAX_NAME_GRAMS = 4
#: Grams per knowledge-base term (a term may be a pasted sentence).
MAX_TERM_GRAMS = 3

CUSTOMER_GRAMS = table("customer_name_grams", column("gram"), column("customer_id"))
KB_GRAMS = table("kb_grams", column("gram"), column("article_id"))
_present: set[str] = set()


def pg_grams(session: Session) -> bool:
    """Whether this is PostgreSQL with the gram tables (revision 0007 or later)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    key = str(bind.engine.url)
    if key not in _present:
        found = session.connection().exec_driver_sql(
            "SELECT to_regclass('customer_name_grams') IS NOT NULL AND to_regclass('kb_grams') IS NOT NULL"
        ).scalar_one()
        if not found:
            return False
        _present.add(key)
    return True


def needs_grams(text: str) -> bool:
    """Whether ``text`` has a character pg_trgm may not index (it reads ASCII whatever the locale)."""
    return not text.isascii()


def _spread(grams: list[str], most: int) -> list[str]:
    """At most ``most`` of ``grams``, the first and the last among them, evenly spaced."""
    if len(grams) <= most:
        return grams
    return [grams[round(i * (len(grams) - 1) / (most - 1))] for i in range(most)]


def grams_of(fragment: str, most: int) -> list[str]:
    """What to look up for ``fragment``: the character itself, or its distinct pairs in order.

    Any string containing ``fragment`` holds every one of them (stored: each character and
    each pair, by code point, as Python counts them: 𠮷 is one character).
    """
    if len(fragment) == 1:
        return [fragment]
    return _spread(list(dict.fromkeys(fragment[i:i + 2] for i in range(len(fragment) - 1))), most)


def name_statement(hit: Select, customers: Table, count: int, like: BindParameter[str],
                   limit: BindParameter[int]) -> Select:
    """``hit`` for the customers whose name holds grams ``:g0`` … and matches ``like``, by id,
    at most ``limit``.

    The first gram's rows come out of its primary key in id order; each is looked up in
    ``customers`` by a LATERAL subquery, which its LIMIT keeps from being merged into a join:
    otherwise the planner may serve the LIKE from the pg_trgm index, and a pattern with no
    trigram (any Chinese under ``C``) reads that whole index.
    """
    copies = [CUSTOMER_GRAMS.alias(f"g{i}") for i in range(count)]
    first = copies[0]
    grams_of_name: FromClause = first
    for i, g in enumerate(copies[1:], 1):
        grams_of_name = grams_of_name.join(g, and_(g.c.customer_id == first.c.customer_id,
                                                   g.c.gram == bindparam(f"g{i}")))
    found = (hit.where(customers.c.id == first.c.customer_id, customers.c.name.like(like, escape="/"))
             .limit(1).lateral("hit"))
    return (select(found).select_from(grams_of_name.join(found, true())).where(first.c.gram == bindparam("g0"))
            .order_by(first.c.customer_id).limit(limit))


def name_params(fragment: str) -> tuple[int, dict[str, str]]:
    """(how many grams, their parameters) for :func:`name_statement`."""
    grams = grams_of(fragment, MAX_NAME_GRAMS)
    return len(grams), {f"g{i}": g for i, g in enumerate(grams)}


def _caseless(text: str) -> bool:
    return text.lower() == text == text.upper()


def _kb_term_grams(term: str) -> list[str]:
    """Grams of ``term`` that ``lower()`` leaves alone, whatever the locale: the articles'
    grams are of their lowered text, and so is the term where the ``LIKE`` compares it."""
    if len(term) == 1:
        return [term] if _caseless(term) else []
    pairs = [p for p in dict.fromkeys(term[i:i + 2] for i in range(len(term) - 1)) if _caseless(p)]
    return _spread(pairs or [c for c in dict.fromkeys(term) if _caseless(c)], MAX_TERM_GRAMS)


def kb_candidates(terms: list[str]) -> Select | None:
    """The ids of the articles holding the grams of the terms pg_trgm cannot serve, or None
    when no term has any (the search then reads as it did)."""
    grams = list(dict.fromkeys(g for t in terms if needs_grams(t) for g in _kb_term_grams(t)))
    if not grams:
        return None
    return (select(KB_GRAMS.c.article_id).where(KB_GRAMS.c.gram.in_(grams))
            .group_by(KB_GRAMS.c.article_id).having(func.count() == len(grams)))
