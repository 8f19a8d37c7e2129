"""Calls from the phone system: the phone systems allowed to post call events (a token each,
kept as its hash), the call legs those events describe, each agent's extension, and when a
call the desk took from the phone system first rang.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cti_systems",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rotated_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("system_id", sa.Integer(), sa.ForeignKey("cti_systems.id"), nullable=False),
        sa.Column("pbx_call_id", sa.String(100), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("from_number", sa.String(32), nullable=True),
        sa.Column("to_number", sa.String(32), nullable=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("extension", sa.String(16), nullable=True),
        sa.Column("queue", sa.String(50), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("ring_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("cause", sa.String(32), nullable=True),
        sa.Column("answering_number", sa.String(32), nullable=True),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("system_id", "pbx_call_id", name="uq_call_legs_system_call"),
    )
    op.create_index("ix_call_legs_agent_id_ring_at", "call_legs", ["agent_id", "ring_at"])
    op.create_index("ix_call_legs_from_number", "call_legs", ["from_number"])
    op.create_index("ix_call_legs_call_id", "call_legs", ["call_id"])
    # A plain ADD COLUMN (SQLite would otherwise rebuild the table every other one refers to).
    op.add_column("agents", sa.Column("extension", sa.String(16), nullable=True))
    op.create_index("ix_agents_extension", "agents", ["extension"], unique=True)
    op.add_column("calls", sa.Column("ring_at", sa.DateTime(), nullable=True))  # when the phone system rang it


def downgrade() -> None:
    op.execute("ALTER TABLE calls DROP COLUMN ring_at")
    op.drop_index("ix_agents_extension", table_name="agents")
    # SQLite (3.35 on) and PostgreSQL both drop a plain column in place: a batch rebuild of
    # agents would trip over every table that refers to it.
    op.execute("ALTER TABLE agents DROP COLUMN extension")
    op.drop_index("ix_call_legs_call_id", table_name="call_legs")
    op.drop_index("ix_call_legs_from_number", table_name="call_legs")
    op.drop_index("ix_call_legs_agent_id_ring_at", table_name="call_legs")
    op.drop_table("call_legs")
    op.drop_table("cti_systems")
