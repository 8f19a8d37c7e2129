"""Indexes for the queues: warning list by (status, warn_at); an entity's audit history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_orders_status_warn_at", "work_orders", ["status", "warn_at"])
    op.create_index("ix_audit_events_entity", "audit_events", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_entity", "audit_events")
    op.drop_index("ix_work_orders_status_warn_at", "work_orders")
