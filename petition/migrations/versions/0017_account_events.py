"""account events: an organiser's own history (reset asked for, password reset or changed)

Revision ID: 0017_account_events
Revises: 3c8d51a7e2f4
Create Date: 2026-12-07 13:45:00.000000

Petition events belong to a petition; what happens to an account (a password reset asked for,
a password reset or changed) had nowhere to be recorded. No client address is stored.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_account_events"
down_revision = "3c8d51a7e2f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organiser_id",
            sa.Integer(),
            sa.ForeignKey("organisers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_account_events_organiser", "account_events", ["organiser_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_account_events_organiser", table_name="account_events")
    op.drop_table("account_events")
