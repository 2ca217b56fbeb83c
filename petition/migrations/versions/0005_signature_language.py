"""signatures.language: the language a signer signed in, for every email they receive

Revision ID: 0b6e3c1d8a52
Revises: 5c1d2e7f9a40
Create Date: 2026-11-25 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0b6e3c1d8a52"
down_revision = "5c1d2e7f9a40"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everyone who signed before the site spoke other languages signed in English.
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("language")
