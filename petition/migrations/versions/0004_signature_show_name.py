"""signatures.show_name: the signer's consent to be listed on the petition page

Revision ID: 5c1d2e7f9a40
Revises: f9feeb2279d0
Create Date: 2026-11-25 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1d2e7f9a40"
down_revision = "f9feeb2279d0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing signers never agreed to be listed: they default to hidden.
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_name", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("show_name")
