"""staff console: accounts, conversation summaries, reviews, tags, notes, annotations, audit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(120), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("session_nonce", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime()),
    )
    op.create_table(
        "conversation_summaries",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(64), index=True),
        sa.Column("started_at", sa.Float(), nullable=False, index=True),
        sa.Column("last_at", sa.Float(), nullable=False, index=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        *(
            sa.Column(flag, sa.Integer(), nullable=False, index=True)
            for flag in ("crisis", "emergency", "handoff_requested", "refused", "takeover")
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
    )
    op.create_table(
        "summary_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
    )
    op.create_table(
        "conversation_reviews",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("reviewed", sa.Integer(), nullable=False, index=True),
        sa.Column("reviewed_by", sa.String(120)),
        sa.Column("reviewed_at", sa.DateTime()),
    )
    op.create_table(
        "conversation_tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("tag", sa.String(64), nullable=False, index=True),
        sa.UniqueConstraint("sender_id", "tag", name="uq_conversation_tag"),
    )
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(120)),
        sa.Column("passage_id", sa.String(120)),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("event_id", name="uq_annotation_event"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("actor", sa.String(120), nullable=False, index=True),
        sa.Column("action", sa.String(64), nullable=False, index=True),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "annotations",
        "staff_notes",
        "conversation_tags",
        "conversation_reviews",
        "summary_state",
        "conversation_summaries",
        "staff_users",
    ):
        op.drop_table(table)
