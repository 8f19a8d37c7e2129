"""Caller search at a million customers: phone fragments and name substrings through indexes.

SQLite (FTS5, maintained by triggers like ``kb_fts`` in 0002):

* ``customer_phones_fts`` — every phone as its runs of four digits (``13800138000`` →
  ``1380 3800 8001 … 8000 000x``; ``#`` of an extension and the end are ``x``), ``ascii``
  tokenizer: a fragment of four digits or more is a phrase of its own runs
  (``"8886 8866 8666 6666"``), three digits a prefix query (``"800"*``) — an index
  lookup instead of ``LIKE '%…%'`` over every phone. Four-digit runs rather than FTS5's
  trigram tokenizer: with 10,000 possible tokens instead of 1,000 each posting list is a
  tenth as long, and a seven-digit fragment is found in a fraction of a millisecond
  instead of three at a million customers (docs/performance.md).
* ``customers_name_fts`` — ``ascii`` tokenizer, fed every character of the name and then
  every pair of neighbours (``阿卜杜拉`` → ``阿 卜 杜 拉 阿卜 卜杜 杜拉``): one character is
  a token, two a token, more a phrase of their pairs (``"买买 买提"``: at consecutive
  positions, so the characters in a row). Trigrams could not serve the one- and
  two-character fragments Chinese names are made of; pairs rather than single characters
  keep each posting list short (a common surname character is in one name in ten).

Both split their column in SQL (``substr`` per position, in the views
``customer_phones_fts_source`` and ``customers_name_fts_source``, their external content),
so every writer — the importer, the ORM, a plain ``sqlite3`` session — keeps the indexes
right through the triggers, and ``'rebuild'`` works. ``columnsize=0``: no ranking, so no
per-row size table (half the build time). The search re-checks each hit with ``LIKE``, so
an index only ever narrows.

A bulk load (the large demo) may drop the triggers, insert, then ``'rebuild'`` both tables
and put the triggers back.

Both: ``ix_customers_name_pinyin`` for the full-pinyin prefix (``zhang`` → 张…).

PostgreSQL: ``pg_trgm`` GIN indexes on the phone and the name serve ``LIKE '%…%'``;
when the extension cannot be created (no contrib package, no privilege) the migration
goes on without them — the search stays correct, only slower on a large center.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

#: Names up to this many characters get their exact split; longer ones (companies) the
#: split of NAME_CHARS (a shorter tail pair after the last). Characters beyond are not indexed.
SHORT_NAME = 12
NAME_CHARS = 100
#: Phones up to this long (a landline with a six-digit extension is 19) get their exact
#: count of runs; longer ones (never valid) PHONE_RUNS, the tail runs shorter than four.
PHONE_CHARS = 20
PHONE_RUNS = 32


def _grams(column: str, count: int) -> str:
    """SQL: the ``count`` characters of ``column`` and their ``count - 1`` pairs, spaced."""
    parts = [f"substr({column}, {k}, 1)" for k in range(1, count + 1)]
    parts += [f"substr({column}, {k}, 2)" for k in range(1, count)]
    return " || ' ' || ".join(parts)


def name_tokens_sql(column: str) -> str:
    """SQL: the name's characters, then its pairs of neighbours: 张三丰 → 张 三 丰 张三 三丰."""
    branches = " ".join(f"WHEN {n} THEN {_grams(column, n)}" for n in range(1, SHORT_NAME + 1))
    return f"CASE length({column}) WHEN 0 THEN '' {branches} ELSE {_grams(column, NAME_CHARS)} END"


def _runs(text: str, count: int) -> str:
    return " || ' ' || ".join(f"substr({text}, {k}, 4)" for k in range(1, count + 1))


def phone_tokens_sql(column: str) -> str:
    """SQL: the phone's runs of four (``#`` and the end as ``x``): 1380 3800 … 8000 000x."""
    text = f"(replace({column}, '#', 'x') || 'x')"
    branches = " ".join(f"WHEN {n} THEN {_runs(text, n - 2)}" for n in range(3, PHONE_CHARS + 1))
    return f"CASE length({column}) {branches} WHEN 0 THEN '' WHEN 1 THEN '' WHEN 2 THEN '' " \
           f"ELSE {_runs(text, PHONE_RUNS)} END"


def sqlite_statements() -> list[str]:
    new, old = name_tokens_sql("new.name"), name_tokens_sql("old.name")
    new_phone, old_phone = phone_tokens_sql("new.phone"), phone_tokens_sql("old.phone")
    return [
        # Phones: runs of four digits, the content a view.
        f"CREATE VIEW customer_phones_fts_source AS SELECT id, {phone_tokens_sql('phone')} AS phone "
        "FROM customer_phones",
        """CREATE VIRTUAL TABLE customer_phones_fts USING fts5(
            phone, content='customer_phones_fts_source', content_rowid='id', tokenize='ascii', columnsize=0)""",
        f"""CREATE TRIGGER customer_phones_fts_ai AFTER INSERT ON customer_phones BEGIN
            INSERT INTO customer_phones_fts(rowid, phone) VALUES (new.id, {new_phone});
        END""",
        f"""CREATE TRIGGER customer_phones_fts_ad AFTER DELETE ON customer_phones BEGIN
            INSERT INTO customer_phones_fts(customer_phones_fts, rowid, phone) VALUES ('delete', old.id, {old_phone});
        END""",
        f"""CREATE TRIGGER customer_phones_fts_au AFTER UPDATE OF phone ON customer_phones BEGIN
            INSERT INTO customer_phones_fts(customer_phones_fts, rowid, phone) VALUES ('delete', old.id, {old_phone});
            INSERT INTO customer_phones_fts(rowid, phone) VALUES (new.id, {new_phone});
        END""",
        "INSERT INTO customer_phones_fts(customer_phones_fts) VALUES ('rebuild')",
        # Names: one token per character, the content a view.
        f"CREATE VIEW customers_name_fts_source AS SELECT id, {name_tokens_sql('name')} AS name FROM customers",
        """CREATE VIRTUAL TABLE customers_name_fts USING fts5(
            name, content='customers_name_fts_source', content_rowid='id', tokenize='ascii', columnsize=0)""",
        f"""CREATE TRIGGER customers_name_fts_ai AFTER INSERT ON customers BEGIN
            INSERT INTO customers_name_fts(rowid, name) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER customers_name_fts_ad AFTER DELETE ON customers BEGIN
            INSERT INTO customers_name_fts(customers_name_fts, rowid, name) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER customers_name_fts_au AFTER UPDATE OF name ON customers BEGIN
            INSERT INTO customers_name_fts(customers_name_fts, rowid, name) VALUES ('delete', old.id, {old});
            INSERT INTO customers_name_fts(rowid, name) VALUES (new.id, {new});
        END""",
        "INSERT INTO customers_name_fts(customers_name_fts) VALUES ('rebuild')",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_name_fts_au",
    "DROP TRIGGER IF EXISTS customers_name_fts_ad",
    "DROP TRIGGER IF EXISTS customers_name_fts_ai",
    "DROP TABLE IF EXISTS customers_name_fts",
    "DROP VIEW IF EXISTS customers_name_fts_source",
    "DROP TRIGGER IF EXISTS customer_phones_fts_au",
    "DROP TRIGGER IF EXISTS customer_phones_fts_ad",
    "DROP TRIGGER IF EXISTS customer_phones_fts_ai",
    "DROP TABLE IF EXISTS customer_phones_fts",
    "DROP VIEW IF EXISTS customer_phones_fts_source",
]

PG_TRGM_INDEXES = {
    "ix_customer_phones_phone_trgm": "customer_phones USING gin (phone gin_trgm_ops)",
    "ix_customers_name_trgm": "customers USING gin (name gin_trgm_ops)",
}


def _postgres_trigram() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm is not available (%s): caller search by phone fragment and name "
                    "substring runs without trigram indexes", str(exc.orig).strip().splitlines()[0])
        return
    for name, target in PG_TRGM_INDEXES.items():
        bind.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def upgrade() -> None:
    op.create_index("ix_customers_name_pinyin", "customers", ["name_pinyin"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in sqlite_statements():
            op.execute(sa.text(statement))
    elif dialect == "postgresql":
        _postgres_trigram()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(sa.text(statement))
    elif dialect == "postgresql":
        for name in PG_TRGM_INDEXES:
            op.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    op.drop_index("ix_customers_name_pinyin", "customers")
