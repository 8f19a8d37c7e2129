"""Knowledge-base full-text search for Chinese (SQLite FTS5 trigram); customer name index;
what the caller asked for and the forward mark on calls.

FTS5's trigram tokenizer indexes every three-character run, so 机顶盒 finds
机顶盒没有信号怎么办 without a word segmenter. PostgreSQL searches with ILIKE instead
(the knowledge base is small; the customer search is what must scale).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FTS_STATEMENTS = [
    """CREATE VIRTUAL TABLE kb_fts USING fts5(
        title, body, tags, content='kb_articles', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_articles BEGIN
        INSERT INTO kb_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
    END""",
    """CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_articles BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
    END""",
    """CREATE TRIGGER kb_fts_au AFTER UPDATE ON kb_articles BEGIN
        INSERT INTO kb_fts(kb_fts, rowid, title, body, tags) VALUES ('delete', old.id, old.title, old.body, old.tags);
        INSERT INTO kb_fts(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
    END""",
    "INSERT INTO kb_fts(kb_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_index("ix_customers_name", "customers", ["name"])
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("request_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("forward", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_STATEMENTS:
            op.execute(sa.text(statement))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("kb_fts_ai", "kb_fts_ad", "kb_fts_au"):
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        op.execute(sa.text("DROP TABLE IF EXISTS kb_fts"))
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("forward")
        batch.drop_column("request_text")
    op.drop_index("ix_customers_name", "customers")
