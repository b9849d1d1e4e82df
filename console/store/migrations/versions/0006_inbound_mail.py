"""inbound mail, message attachments, and contacts that follow an earlier one (issue 11)

Additive only: the previous release neither reads nor writes these.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("rfc822_message_id", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("received_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["channel_accounts.id"], ondelete="SET NULL",
                                name=op.f("fk_inbound_mail_account_id_channel_accounts")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_inbound_mail_contact_id_contacts")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_inbound_mail_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("account_id", "rfc822_message_id",
                            name=op.f("uq_inbound_mail_account_id_rfc822_message_id")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbound_mail_message_id")),
    )
    op.create_index(op.f("ix_inbound_mail_contact_id"), "inbound_mail", ["contact_id"])
    op.create_index(op.f("ix_inbound_mail_rfc822_message_id"), "inbound_mail",
                    ["rfc822_message_id"])
    op.create_table(
        "message_attachments",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("inline", sa.Boolean(), nullable=False),
        sa.Column("content_id", sa.String(length=255), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_message_attachments_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
    )
    op.create_index(op.f("ix_message_attachments_message_id"), "message_attachments",
                    ["message_id"])
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place (no table rebuild); an
        # ALTER cannot add a named constraint there.
        op.execute("ALTER TABLE contacts ADD COLUMN follows_contact_id INTEGER "
                   "REFERENCES contacts (id)")
    else:
        op.add_column("contacts", sa.Column("follows_contact_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_contacts_follows_contact_id_contacts"), "contacts",
                              "contacts", ["follows_contact_id"], ["id"])

def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_contacts_follows_contact_id_contacts"),
                                     type_="foreignkey")
        batch_op.drop_column("follows_contact_id")
    op.drop_index(op.f("ix_message_attachments_message_id"), table_name="message_attachments")
    op.drop_table("message_attachments")
    op.drop_index(op.f("ix_inbound_mail_rfc822_message_id"), table_name="inbound_mail")
    op.drop_index(op.f("ix_inbound_mail_contact_id"), table_name="inbound_mail")
    op.drop_table("inbound_mail")
