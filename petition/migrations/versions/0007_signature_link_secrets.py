"""Links bound to one signature: a secret per signature, ids never reused, changes kept apart

Revision ID: 3e8a1f6c2b94
Revises: 7d2f4a9c1e63
Create Date: 2026-12-05 23:40:00.000000

"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8a1f6c2b94"
down_revision = "7d2f4a9c1e63"
branch_labels = None
depends_on = None

# 128 random bits as 32 hex digits for every row, from each database's own random source.
FILL_SECRETS = {
    "sqlite": "UPDATE signatures SET link_secret = lower(hex(randomblob(16)))",
    "postgresql": "UPDATE signatures"
    " SET link_secret = md5(gen_random_uuid()::text || gen_random_uuid()::text)",
}


def upgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_secret", sa.String(length=32), nullable=True))
    # Every existing signature gets its own secret. Links already in mailboxes carry none: they
    # keep working only for the signature that existed when they were made (see signature_links).
    dialect = op.get_bind().dialect.name
    op.execute(FILL_SECRETS[dialect])
    # On SQLite the tables are rebuilt with AUTOINCREMENT, so the highest id is never handed out
    # again after its row is deleted. PostgreSQL's sequences never reuse one; rebuilding there
    # would start a new sequence at 1, so its tables are altered in place.
    rebuild: Literal["always", "never"] = "always" if dialect == "sqlite" else "never"
    with op.batch_alter_table(
        "signatures", schema=None, recreate=rebuild, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("link_secret", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table(
        "outbox", schema=None, recreate=rebuild, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("signature_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_signature_id"), ["signature_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_outbox_signature_id", "signatures", ["signature_id"], ["id"], ondelete="CASCADE"
        )
    op.create_table(
        "signature_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["signature_id"], ["signatures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("signature_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_changes_signature_id"), ["signature_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signature_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_changes_signature_id"))
    op.drop_table("signature_changes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_signature_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_signature_id"))
        batch_op.drop_column("signature_id")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("link_secret")
