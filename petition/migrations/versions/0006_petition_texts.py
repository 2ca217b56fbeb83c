"""petitions.language and petition_texts: a petition's title and text in several languages

Revision ID: 7d2f4a9c1e63
Revises: 0b6e3c1d8a52
Create Date: 2026-11-25 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d2f4a9c1e63"
down_revision = "0b6e3c1d8a52"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every petition so far was written in English, the only language the site spoke.
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
    op.create_table(
        "petition_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("petition_id", "language", name="uq_petition_texts_petition_language"),
    )


def downgrade() -> None:
    op.drop_table("petition_texts")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("language")
