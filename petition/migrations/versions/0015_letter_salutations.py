"""letter salutations: a target may carry the greeting its letter starts with

Revision ID: 0015_letter_salutations
Revises: f1e3dde1ac7a
Create Date: 2026-12-07 11:00:00.000000

Until now every target got the organiser's letter as written, greeting included, so a court was
addressed as an ambassador. A target's own salutation ("Уважаемый господин посол,") now opens
its letter; targets without one get a neutral greeting in the letter's language.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_letter_salutations"
down_revision = "f1e3dde1ac7a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_targets") as batch:
        batch.add_column(sa.Column("salutation", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letter_targets") as batch:
        batch.drop_column("salutation")
