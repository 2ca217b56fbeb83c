"""organiser sessions that can be ended, invitations as single-use rows, login failures per client

Revision ID: bdc4371b15c9
Revises: 3e8a1f6c2b94
Create Date: 2026-11-26 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bdc4371b15c9"
down_revision = "3e8a1f6c2b94"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Wrong passwords are now counted per (address, client) in login_failures; the per-account
    # counts they replace would only have locked organisers out, so they are not carried over.
    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_column("login_blocked_until")
        batch_op.drop_column("failed_logins")
    # Invitation links sent before this carry no secret and stop working: organisers invite again.
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=True),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["inviter_id"], ["organisers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_invitations_petition", "invitations", ["petition_id", "id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_index("ix_invitations_petition", table_name="invitations")
    op.drop_table("invitations")
    with op.batch_alter_table("organisers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("login_blocked_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_column("session_version")
