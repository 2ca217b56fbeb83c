"""one count column: a petition's verified count is its log's counted total; no code_failures

Revision ID: 0018_one_count_column
Revises: 0017_account_events
Create Date: 2026-12-07 17:10:00.000000

petitions.signature_count and petitions.log_counted meant the same number, each moved by its own
UPDATE. From now on one statement moves the count and the log together (petition/transparency/tally.py),
so log_counted goes and signature_count holds the log's counted total.

They could differ before: the log (revision 0011) was written for the signatures confirmed
then, so a petition whose stored count had drifted started its log at the true number while
the stored count kept the drift; `petitions recount` corrected the stored count alone; and a
confirmed signature the log never held (confirmed with no time recorded, so never logged) was
uncounted by a withdrawal or an invalidation from the stored count alone. The upgrade keeps
log_counted, copied into signature_count: it is what the log's entries add up to and what
every signed checkpoint says, and the log cannot be changed, so any other number would make the
next checkpoint sign a count that the public entries contradict. Where the page showed another
number, `flask --app petition petitions recount --check` now reports the difference from the
confirmed signatures, and `petitions recount` repairs it by appending the entries the log
lacks.

signatures.code_failures was never read or written: wrong confirmation codes are counted per
client, address and mail, never on the signature. The downgrade adds both columns back, log_counted equal to signature_count and
code_failures 0.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_one_count_column"
down_revision = "0017_account_events"
branch_labels = None
depends_on = None


def _count_type() -> sa.types.TypeEngine[int]:
    """BIGINT on PostgreSQL since revision 0014; SQLite's INTEGER already holds 64 bits."""
    return sa.Integer() if op.get_bind().dialect.name == "sqlite" else sa.BigInteger()


def upgrade() -> None:
    op.execute("UPDATE petitions SET signature_count = log_counted")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("log_counted")
    with op.batch_alter_table(
        "signatures", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("code_failures")


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("code_failures", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("petitions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("log_counted", _count_type(), server_default="0", nullable=False)
        )
    op.execute("UPDATE petitions SET log_counted = signature_count")
