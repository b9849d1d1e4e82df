"""credentials, sessions, verification, audit chain, branch records (issue 6)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = console.store.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", UTC(), nullable=True))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), server_default="", nullable=False))
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_date_of_birth"), ["date_of_birth"], unique=False)

    op.create_table("remember_tokens",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("agent_id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("workstation", sa.String(length=120), nullable=False),
    sa.Column("created_at", UTC(), nullable=False),
    sa.Column("expires_at", UTC(), nullable=False),
    sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_remember_tokens_agent_id_agents")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_remember_tokens")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_remember_tokens_token_hash")),
    )
    op.create_index(op.f("ix_remember_tokens_agent_id"), "remember_tokens", ["agent_id"], unique=False)

    op.create_table("identity_verifications",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("customer_id", sa.Integer(), nullable=False),
    sa.Column("agent_id", sa.Integer(), nullable=False),
    sa.Column("workstation", sa.String(length=120), nullable=False),
    sa.Column("method", sa.String(length=16), nullable=False),
    sa.Column("passed", sa.Boolean(), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.Column("at", UTC(), nullable=False),
    sa.Column("expires_at", UTC(), nullable=False),
    sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_identity_verifications_agent_id_agents")),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                            name=op.f("fk_identity_verifications_customer_id_customers")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_verifications")),
    )
    op.create_index("ix_identity_verifications_customer_agent", "identity_verifications",
                    ["customer_id", "agent_id"], unique=False)

    op.create_table("applications",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("customer_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("reference", sa.String(length=32), nullable=False),
    sa.Column("opened_at", UTC(), nullable=False),
    sa.Column("updated_at", UTC(), nullable=False),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_applications_customer_id_customers")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(op.f("ix_applications_customer_id"), "applications", ["customer_id"], unique=False)

    op.create_table("appointments",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("customer_id", sa.Integer(), nullable=False),
    sa.Column("starts_at", UTC(), nullable=False),
    sa.Column("duration_min", sa.Integer(), nullable=False),
    sa.Column("location", sa.String(length=80), nullable=False),
    sa.Column("purpose", sa.String(length=200), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("booked_by_id", sa.Integer(), nullable=False),
    sa.Column("created_at", UTC(), nullable=False),
    sa.ForeignKeyConstraint(["booked_by_id"], ["agents.id"], name=op.f("fk_appointments_booked_by_id_agents")),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_appointments_customer_id_customers")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_customer_starts", "appointments", ["customer_id", "starts_at"], unique=False)

    op.create_table("complaints",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("customer_id", sa.Integer(), nullable=False),
    sa.Column("summary", sa.String(length=200), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("recorded_by_id", sa.Integer(), nullable=False),
    sa.Column("escalated_team_id", sa.Integer(), nullable=True),
    sa.Column("escalated_to_id", sa.Integer(), nullable=True),
    sa.Column("created_at", UTC(), nullable=False),
    sa.Column("escalated_at", UTC(), nullable=True),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_complaints_customer_id_customers")),
    sa.ForeignKeyConstraint(["escalated_team_id"], ["teams.id"], name=op.f("fk_complaints_escalated_team_id_teams")),
    sa.ForeignKeyConstraint(["escalated_to_id"], ["agents.id"], name=op.f("fk_complaints_escalated_to_id_agents")),
    sa.ForeignKeyConstraint(["recorded_by_id"], ["agents.id"], name=op.f("fk_complaints_recorded_by_id_agents")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("complaints")
    op.drop_table("appointments")
    op.drop_table("applications")
    op.drop_table("identity_verifications")
    op.drop_table("remember_tokens")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_date_of_birth"))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
