"""organiser tools: change history and export log, hiding petitions, slower repeated logins

Revision ID: 9174f612c984
Revises: 736722515541
Create Date: 2026-11-25 13:48:25.201492

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9174f612c984"
down_revision = "736722515541"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "petition_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organisers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("petition_events", schema=None) as batch_op:
        batch_op.create_index("ix_petition_events_petition", ["petition_id", "id"], unique=False)

    with op.batch_alter_table("organisers", schema=None) as batch_op:
        # Existing accounts start with no failed attempts.
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("login_blocked_until", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.drop_column("login_blocked_until")
        batch_op.drop_column("failed_logins")

    with op.batch_alter_table("petition_events", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_events_petition")

    op.drop_table("petition_events")
