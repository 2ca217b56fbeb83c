"""mail composed at delivery: an outbox row says what to send, not the text

Revision ID: 5a7d3c9e1f20
Revises: c57b56f32b61
Create Date: 2026-12-06 02:00:00.000000

Rows queued before this keep their composed text and are delivered as they are. New rows carry
a kind, the signature or invitation they are about and a language; the text columns stay empty.
The downgrade deletes the rows the old code could not deliver (they have no text): deliver the
outbox (`flask --app petition outbox deliver --once`) before going down.
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5a7d3c9e1f20"
down_revision = "c57b56f32b61"
branch_labels = None
depends_on = None

TEXT_COLUMNS = (
    ("recipient", sa.String(length=254)),
    ("subject", sa.String(length=255)),
    ("body_text", sa.Text()),
)


def _rebuild() -> Literal["auto", "never"]:
    # SQLite adds a foreign key only by rebuilding the table; PostgreSQL alters it in place (a
    # rebuild there would restart the id sequence).
    return "auto" if op.get_bind().dialect.name == "sqlite" else "never"


def upgrade() -> None:
    with op.batch_alter_table(
        "outbox", schema=None, recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("change_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_invitation_id"), ["invitation_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_outbox_invitation_id", "invitations", ["invitation_id"], ["id"], ondelete="CASCADE"
        )
        for name, type_ in TEXT_COLUMNS:
            batch_op.alter_column(name, existing_type=type_, nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind IS NOT NULL")
    with op.batch_alter_table(
        "outbox", schema=None, recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        for name, type_ in TEXT_COLUMNS:
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.drop_constraint("fk_outbox_invitation_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_invitation_id"))
        batch_op.drop_column("invitation_id")
        batch_op.drop_column("change_id")
        batch_op.drop_column("language")
        batch_op.drop_column("kind")
