"""translated targets: a petition's version names whom it addresses in its own language

Revision ID: 3c8d51a7e2f4
Revises: 0015_letter_salutations
Create Date: 2026-12-07 11:15:00.000000

A version in another language had a title and a text but showed the target as the original
wrote it ("Адресат: The city administration"). Versions get a target of their own; empty, the
original's is shown, so every existing version reads as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c8d51a7e2f4"
down_revision = "0015_letter_salutations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("petition_texts") as batch:
        batch.add_column(sa.Column("target", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("petition_texts") as batch:
        batch.drop_column("target")
