"""SLA policies, business hours, holidays, surveys (issue 5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CHANNELS = ("phone", "email", "chat", "sms", "line", "social", "walkin")


def upgrade() -> None:
    op.create_table(
        "business_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_business_calendars_name")),
    )
    op.create_table(
        "business_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_min", sa.Integer(), nullable=False),
        sa.Column("closes_min", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["business_calendars.id"],
                                name=op.f("fk_business_hours_calendar_id_business_calendars")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_hours")),
    )
    op.create_index(op.f("ix_business_hours_calendar_id"), "business_hours", ["calendar_id"])
    op.create_table(
        "calendar_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["business_calendars.id"],
                                name=op.f("fk_calendar_holidays_calendar_id_business_calendars")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_holidays")),
        sa.UniqueConstraint("calendar_id", "day", name=op.f("uq_calendar_holidays_calendar_id_day")),
    )
    op.create_table(
        "queue_settings",
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("service_level_goal", sa.Float(), nullable=False),
        sa.Column("answer_target_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["business_calendars.id"],
                                name=op.f("fk_queue_settings_calendar_id_business_calendars")),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name=op.f("fk_queue_settings_queue_id_queues")),
        sa.PrimaryKeyConstraint("queue_id", name=op.f("pk_queue_settings")),
    )
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Enum(*_CHANNELS, name="channel", native_enum=False,
                                     create_constraint=True, length=16), nullable=True),
        sa.Column("first_response_target_s", sa.Integer(), nullable=False),
        sa.Column("resolution_target_s", sa.Integer(), nullable=False),
        sa.Column("warning_ratio", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name=op.f("fk_sla_policies_queue_id_queues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    op.create_index("ix_sla_policies_queue", "sla_policies", ["queue_id"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_survey_responses_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    op.create_index(op.f("ix_survey_responses_contact_id"), "survey_responses", ["contact_id"])
    op.create_index("ix_survey_responses_created", "survey_responses", ["created_at"])
    op.create_table(
        "sla_breach_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("timer", sa.String(length=16), nullable=False),
        sa.Column("due", console.store.types.UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", console.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"],
                                name=op.f("fk_sla_breach_notices_agent_id_agents")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_sla_breach_notices_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_breach_notices")),
        sa.UniqueConstraint("contact_id", "timer", "due",
                            name=op.f("uq_sla_breach_notices_contact_id_timer_due")),
    )
    # Plain ADD COLUMN works on both backends; a server default fills existing rows.
    op.add_column("contacts", sa.Column("sla_paused_s", sa.Integer(), server_default="0",
                                        nullable=False))
    op.add_column("contacts", sa.Column("sla_paused_at", console.store.types.UTCDateTime(),
                                        nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("sla_paused_at")
        batch.drop_column("sla_paused_s")
    op.drop_table("sla_breach_notices")
    op.drop_index("ix_survey_responses_created", table_name="survey_responses")
    op.drop_index(op.f("ix_survey_responses_contact_id"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index("ix_sla_policies_queue", table_name="sla_policies")
    op.drop_table("sla_policies")
    op.drop_table("queue_settings")
    op.drop_table("calendar_holidays")
    op.drop_index(op.f("ix_business_hours_calendar_id"), table_name="business_hours")
    op.drop_table("business_hours")
    op.drop_table("business_calendars")
