"""webhook events, customer identities, phone calls, and how a reply went out (issue 12)

Additive only: the previous release neither reads nor writes these.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = console.store.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "channel_events",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("received_at", _UTC(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", _UTC(), nullable=True),
        sa.Column("processed_at", _UTC(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["channel_accounts.id"], ondelete="SET NULL",
                                name=op.f("fk_channel_events_account_id_channel_accounts")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_channel_events_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_events")),
        sa.UniqueConstraint("account_id", "event_id",
                            name=op.f("uq_channel_events_account_id_event_id")),
    )
    op.create_index(op.f("ix_channel_events_contact_id"), "channel_events", ["contact_id"])
    op.create_index("ix_channel_events_state_received", "channel_events", ["state", "received_at"])
    op.create_table(
        "customer_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_identities_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_identities")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_customer_identities_kind_value")),
    )
    op.create_index(op.f("ix_customer_identities_customer_id"), "customer_identities",
                    ["customer_id"])
    op.create_table(
        "phone_calls",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.String(length=120), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("callee", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("ringing_at", _UTC(), nullable=False),
        sa.Column("answered_at", _UTC(), nullable=True),
        sa.Column("ended_at", _UTC(), nullable=True),
        sa.Column("cause", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["channel_accounts.id"], ondelete="SET NULL",
                                name=op.f("fk_phone_calls_account_id_channel_accounts")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"],
                                name=op.f("fk_phone_calls_agent_id_agents")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_phone_calls_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_calls")),
        sa.UniqueConstraint("account_id", "call_id", name=op.f("uq_phone_calls_account_id_call_id")),
    )
    op.create_index(op.f("ix_phone_calls_contact_id"), "phone_calls", ["contact_id"])
    with op.batch_alter_table("delivery_jobs", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("provider_message_id", sa.String(length=120),
                                      nullable=True))
    op.create_index(op.f("ix_delivery_jobs_provider_message_id"), "delivery_jobs",
                    ["provider_message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_jobs_provider_message_id"), table_name="delivery_jobs")
    with op.batch_alter_table("delivery_jobs", schema=None) as batch_op:
        batch_op.drop_column("provider_message_id")
        batch_op.drop_column("method")
    op.drop_index(op.f("ix_phone_calls_contact_id"), table_name="phone_calls")
    op.drop_table("phone_calls")
    op.drop_index(op.f("ix_customer_identities_customer_id"), table_name="customer_identities")
    op.drop_table("customer_identities")
    op.drop_index("ix_channel_events_state_received", table_name="channel_events")
    op.drop_index(op.f("ix_channel_events_contact_id"), table_name="channel_events")
    op.drop_table("channel_events")
