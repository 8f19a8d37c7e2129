"""Knowledge-base search that works for Chinese text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, inspect, or_, select, text
from sqlmodel import Session, col

from agentdesk.models import KbArticle
from agentdesk.normalize import clean_text
from agentdesk.services import grams
from agentdesk.services.rows import get_or_not_found, row_id

KB_LIMIT = 20
#: A search is a few key words; a pasted page would become thousands of LIKE terms.
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class KbHit:
    id: int
    title: str
    category: str


@dataclass(frozen=True)
class KbArticleView:
    id: int
    title: str
    category: str
    body: str


def _has_fts(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "sqlite" and inspect(bind).has_table("kb_fts")


def kb_search(session: Session, query: str, limit: int = KB_LIMIT) -> list[KbHit]:
    """Articles containing every term typed (terms split on spaces), best first.

    FTS5 trigram needs three characters a term; shorter terms (宽带) fall back to a
    substring match, which is instant at knowledge-base sizes. On PostgreSQL that match is
    narrowed first through the gram table (migration 0007) when a term holds a character
    beyond ASCII. Ties on the title go by id, so the order is the same whichever way.
    """
    # Sliced before cleaning: a megabyte paste is refused without reading it all.
    cleaned = clean_text(query[: MAX_QUERY_CHARS * 4]).strip()
    if len(cleaned) > MAX_QUERY_CHARS or len(query) > MAX_QUERY_CHARS * 4:
        from agentdesk.services.errors import InvalidInput

        raise InvalidInput("kb.query_too_long", field="kb-query", limit=MAX_QUERY_CHARS)
    terms = list(dict.fromkeys(t for t in cleaned.split() if t))  # each term once
    if not terms:
        rows = session.execute(
            select(col(KbArticle.id), col(KbArticle.title), col(KbArticle.category))
            .order_by(col(KbArticle.category), col(KbArticle.title))
            .limit(limit)
        ).all()
        return [KbHit(*r) for r in rows]
    if all(len(t) >= 3 for t in terms) and _has_fts(session):
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = session.execute(
            text(
                "SELECT a.id, a.title, a.category FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid "
                "WHERE kb_fts MATCH :match ORDER BY bm25(kb_fts, 10.0, 1.0, 5.0) LIMIT :limit"
            ),
            {"match": match, "limit": limit},
        ).all()
        return [KbHit(*r) for r in rows]
    conditions = [
        or_(
            col(KbArticle.title).icontains(t, autoescape=True),
            col(KbArticle.body).icontains(t, autoescape=True),
            col(KbArticle.tags).icontains(t, autoescape=True),
        )
        for t in terms
    ]
    if grams.pg_grams(session):
        candidates = grams.kb_candidates(terms)
        if candidates is not None:
            conditions.append(col(KbArticle.id).in_(candidates))
    title_hit = and_(*[col(KbArticle.title).icontains(t, autoescape=True) for t in terms])
    rows = session.execute(
        select(col(KbArticle.id), col(KbArticle.title), col(KbArticle.category))
        .where(and_(*conditions))
        .order_by(title_hit.desc(), col(KbArticle.title), col(KbArticle.id))
        .limit(limit)
    ).all()
    return [KbHit(*r) for r in rows]


def kb_article(session: Session, article_id: int) -> KbArticleView:

    article = get_or_not_found(session, KbArticle, article_id, "kb.not_found")
    return KbArticleView(row_id(article), article.title, article.category, article.body)
