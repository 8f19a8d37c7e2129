"""PostgreSQL: Chinese name and knowledge-base search through bigram tables, whatever the collation.

``pg_trgm`` (migration 0004) takes its trigrams only from the characters the database's
``LC_CTYPE`` calls alphanumeric: under ``C`` (a cluster made with ``--locale=C``) that is
ASCII, so 张三丰 yields no trigram at all and ``LIKE '%三丰%'`` reads every name. Trigrams
could not serve the one- and two-character fragments Chinese names are made of anyway.

So, as ``customers_name_fts`` does on SQLite (0004), each text is split into its characters
and their pairs of neighbours (``阿卜杜拉`` → ``阿 卜 杜 拉 阿卜 卜杜 杜拉``) by
``agentdesk_grams(text)``, by code point (``𠮷`` is one character, ``·`` one more), and
stored one row per distinct gram:

* ``customer_name_grams (gram, customer_id)`` — the name as stored (the name search is a
  case-sensitive ``LIKE``);
* ``kb_grams (gram, article_id)`` — ``lower()`` of the title, the body and the tags (the
  knowledge-base search is ``lower(column) LIKE lower(term)``), each split on its own.

The primary key ``(gram, id)`` is the index: one gram's rows come out in id order, so the
caller search (id order, ``LIMIT``) stops at its limit. Searches look up grams, then re-check
each candidate with the ``LIKE`` they always ran: an index only ever narrows.

Kept by triggers, so every writer — the ORM, the importer's executemany, the demo's bulk
insert, ``psql`` — keeps them right: statement-level with transition tables for inserts
and deletes (a bulk insert of 1,000 rows is one ``INSERT … SELECT``), row-level for the
rare update of a name or an article. Rows are removed by recomputing the old text's grams
(a primary-key lookup each), so the tables need no second index. The triggers are made
before the backfill: a writer committing meanwhile waits on the trigger's lock, then its
rows are either seen by the backfill or indexed by the trigger.

SQLite keeps its FTS5 tables; nothing changes there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# STRICT: no grams for NULL. UNION: each gram once a text (the primary key).
GRAMS_FUNCTION = """
CREATE FUNCTION agentdesk_grams(s text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT substr(s, i, 1) FROM generate_series(1, length(s)) AS i
    UNION
    SELECT substr(s, i, 2) FROM generate_series(1, length(s) - 1) AS i
$$"""

KB_GRAMS_FUNCTION = """
CREATE FUNCTION agentdesk_kb_grams(title text, body text, tags text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT agentdesk_grams(lower(title))
    UNION SELECT agentdesk_grams(lower(body))
    UNION SELECT agentdesk_grams(lower(tags))
$$"""

#: (table, its gram table, the id column there, SQL of a row's grams with ``{r}`` the row)
INDEXED = (
    ("customers", "customer_name_grams", "customer_id", "agentdesk_grams({r}.name)"),
    ("kb_articles", "kb_grams", "article_id", "agentdesk_kb_grams({r}.title, {r}.body, {r}.tags)"),
)
#: The columns whose change re-indexes a row.
WATCHED = {"customers": "id, name", "kb_articles": "id, title, body, tags"}


def _trigger_statements(table: str, grams: str, key: str, of: str) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED[table].split(", "))
    return [
        f"""CREATE FUNCTION {grams}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {grams} (gram, {key}) SELECT g, n.id FROM new_rows AS n, {of.format(r='n')} AS g;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {grams}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {grams} AS x USING old_rows AS o, {of.format(r='o')} AS g
            WHERE x.gram = g AND x.{key} = o.id;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {grams}_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {grams} AS x USING {of.format(r='OLD')} AS g WHERE x.gram = g AND x.{key} = OLD.id;
            INSERT INTO {grams} (gram, {key}) SELECT g, NEW.id FROM {of.format(r='NEW')} AS g;
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {grams}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE {grams};
            RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {grams}_ai AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {grams}_insert()",
        f"CREATE TRIGGER {grams}_ad AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {grams}_delete()",
        f"CREATE TRIGGER {grams}_au AFTER UPDATE OF {WATCHED[table]} ON {table} FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION {grams}_update()",
        f"CREATE TRIGGER {grams}_at AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {grams}_truncate()",
    ]


def postgres_statements() -> list[str]:
    statements = [GRAMS_FUNCTION, KB_GRAMS_FUNCTION]
    for table, grams, key, of in INDEXED:
        # The primary key is added after the backfill: one sorted build instead of row by row.
        statements.append(f"CREATE TABLE {grams} (gram text NOT NULL, {key} integer NOT NULL)")
        statements += _trigger_statements(table, grams, key, of)
        statements.append(f"INSERT INTO {grams} (gram, {key}) "
                          f"SELECT g, r.id FROM {table} AS r, {of.format(r='r')} AS g")
        statements.append(f"ALTER TABLE {grams} ADD PRIMARY KEY (gram, {key})")
        statements.append(f"ANALYZE {grams}")
    return statements


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in postgres_statements():
            op.execute(sa.text(statement))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, grams, _, _ in INDEXED:
        for suffix in ("ai", "ad", "au", "at"):
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {grams}_{suffix} ON {table}"))
        for suffix in ("insert", "delete", "update", "truncate"):
            op.execute(sa.text(f"DROP FUNCTION IF EXISTS {grams}_{suffix}()"))
        op.execute(sa.text(f"DROP TABLE IF EXISTS {grams}"))
    op.execute(sa.text("DROP FUNCTION IF EXISTS agentdesk_kb_grams(text, text, text)"))
    op.execute(sa.text("DROP FUNCTION IF EXISTS agentdesk_grams(text)"))
