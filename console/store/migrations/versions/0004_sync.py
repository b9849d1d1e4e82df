"""presence heartbeats (issue 4); on PostgreSQL, pg_trgm for typo-tolerant KB titles

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=16), nullable=False),
        sa.Column("workstation", sa.String(length=120), nullable=False),
        sa.Column("since", console.store.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_presence_agent_id_agents")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE",
                                name=op.f("fk_presence_contact_id_contacts")),
        sa.PrimaryKeyConstraint("contact_id", "agent_id", name=op.f("pk_presence")),
    )
    op.create_index(op.f("ix_presence_expires_at"), "presence", ["expires_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_kb_articles_title_trgm ON kb_articles "
                   "USING gin (title gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_kb_articles_title_trgm")
    op.drop_index(op.f("ix_presence_expires_at"), table_name="presence")
    op.drop_table("presence")
