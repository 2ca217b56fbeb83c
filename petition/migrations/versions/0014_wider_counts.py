"""wider counts: the counters that strangers' actions raise hold 64 bits on PostgreSQL

Revision ID: f1e3dde1ac7a
Revises: 7b2e4f6a8c13
Create Date: 2026-12-07 10:30:00.000000

A petition's verified count, the size and counted total of its log, its paper count, and a
letter action's "I sent it" count were INTEGER, which stops at 2,147,483,647: a count past it
made every further change fail. They become BIGINT. SQLite's INTEGER already holds 64 bits, so
its tables are left as they are (the models declare the same).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1e3dde1ac7a"
down_revision = "7b2e4f6a8c13"
branch_labels = None
depends_on = None

# (table, column, server default): every column this revision widens.
COUNTS = [
    ("petitions", "signature_count", None),
    ("petitions", "log_size", "0"),
    ("petitions", "log_counted", "0"),
    ("petitions", "paper_signature_count", "0"),
    ("letter_actions", "letters_sent", "0"),
]
INTEGER_MAX = 2**31 - 1


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        return
    for table, column, default in COUNTS:
        op.alter_column(
            table,
            column,
            type_=sa.BigInteger(),
            existing_type=sa.Integer(),
            existing_nullable=False,
            existing_server_default=default,
        )


def downgrade() -> None:
    if _sqlite():
        return
    for table, column, default in COUNTS:
        # A count past what INTEGER holds cannot go back; it stops at the largest that fits.
        # Names from COUNTS above, never from input.
        capped = f"UPDATE {table} SET {column} = :most WHERE {column} > :most"  # nosec B608
        op.execute(sa.text(capped).bindparams(most=INTEGER_MAX))
        op.alter_column(
            table,
            column,
            type_=sa.Integer(),
            existing_type=sa.BigInteger(),
            existing_nullable=False,
            existing_server_default=default,
        )
