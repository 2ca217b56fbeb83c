"""letters and messages of support: letter actions with their targets, messages to moderate

Revision ID: 7b2e4f6a8c13
Revises: 3e9a1c7b5d42
Create Date: 2026-12-06 05:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b2e4f6a8c13"
down_revision = "3e9a1c7b5d42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "petition_id",
            sa.Integer(),
            sa.ForeignKey("petitions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("copies", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("letters_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_letter_actions_petition", "letter_actions", ["petition_id", "id"])
    op.create_table(
        "letter_targets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("letter_actions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("postal_address", sa.String(length=1000), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_letter_targets_action_country", "letter_targets", ["action_id", "country"])
    op.create_table(
        "support_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "petition_id",
            sa.Integer(),
            sa.ForeignKey("petitions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "decided_by_id",
            sa.Integer(),
            sa.ForeignKey("organisers.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_support_messages_petition_state",
        "support_messages",
        ["petition_id", "state", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_support_messages_petition_state", table_name="support_messages")
    op.drop_table("support_messages")
    op.drop_index("ix_letter_targets_action_country", table_name="letter_targets")
    op.drop_table("letter_targets")
    op.drop_index("ix_letter_actions_petition", table_name="letter_actions")
    op.drop_table("letter_actions")
