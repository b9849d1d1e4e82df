"""channel accounts, mailbox intake state and the delivery queue (issue 11)

Additive only: the previous release neither reads nor writes these tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS = ("email", "line", "twilio", "messenger", "cti", "webchat")
_STATES = ("queued", "sending", "sent", "failed")


def upgrade() -> None:
    op.create_table(
        "channel_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*_KINDS, name="channel_kind", native_enum=False,
                                  create_constraint=True, length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secret_ref", sa.String(length=300), nullable=True),
        sa.Column("created_at", console.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name=op.f("fk_channel_accounts_queue_id_queues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_channel_accounts_name")),
    )
    op.create_index(op.f("ix_channel_accounts_queue_id"), "channel_accounts", ["queue_id"])
    op.create_table(
        "channel_intake",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("lease_holder", sa.String(length=120), nullable=True),
        sa.Column("lease_expires_at", console.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_poll_at", console.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", console.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["channel_accounts.id"], ondelete="CASCADE",
                                name=op.f("fk_channel_intake_account_id_channel_accounts")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_channel_intake")),
    )
    op.create_table(
        "delivery_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("channel_account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.Enum(*_STATES, name="delivery_state", native_enum=False,
                                   create_constraint=True, length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", console.store.types.UTCDateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", console.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("rfc822_message_id", sa.String(length=255), nullable=False),
        sa.Column("smtp_response", sa.String(length=500), nullable=True),
        sa.Column("created_at", console.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["channel_account_id"], ["channel_accounts.id"],
                                ondelete="SET NULL",
                                name=op.f("fk_delivery_jobs_channel_account_id_channel_accounts")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_delivery_jobs_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_jobs")),
        sa.UniqueConstraint("message_id", name=op.f("uq_delivery_jobs_message_id")),
        sa.UniqueConstraint("rfc822_message_id", name=op.f("uq_delivery_jobs_rfc822_message_id")),
    )
    op.create_index(op.f("ix_delivery_jobs_channel_account_id"), "delivery_jobs",
                    ["channel_account_id"])
    op.create_index("ix_delivery_jobs_state_next", "delivery_jobs", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_jobs_state_next", table_name="delivery_jobs")
    op.drop_index(op.f("ix_delivery_jobs_channel_account_id"), table_name="delivery_jobs")
    op.drop_table("delivery_jobs")
    op.drop_table("channel_intake")
    op.drop_index(op.f("ix_channel_accounts_queue_id"), table_name="channel_accounts")
    op.drop_table("channel_accounts")
