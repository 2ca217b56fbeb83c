"""quiet handling, client hashes, access rules, invalidations

Revision ID: f9feeb2279d0
Revises: 9174f612c984
Create Date: 2026-11-25 13:55:08.897562

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f9feeb2279d0"
down_revision = "9174f612c984"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pattern", sa.String(length=254), nullable=False),
        sa.Column("effect", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "petition_id", "kind", "pattern", "effect", name="uq_access_rules_rule"
        ),
    )
    with op.batch_alter_table("access_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_rules_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "invalidations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("criteria", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organiser_id"], ["organisers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reversed_by_id"], ["organisers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invalidations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invalidations_petition_id"), ["petition_id"], unique=False
        )

    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("blocks_disposable", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("network_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("flag_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("invalidation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_signatures_invalidation_id"), ["invalidation_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_signatures_invalidation_id",
            "invalidations",
            ["invalidation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint("fk_signatures_invalidation_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_signatures_invalidation_id"))
        batch_op.drop_column("invalidation_id")
        batch_op.drop_column("flag_reason")
        batch_op.drop_column("network_hash")
        batch_op.drop_column("client_hash")

    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("blocks_disposable")

    with op.batch_alter_table("invalidations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invalidations_petition_id"))

    op.drop_table("invalidations")
    with op.batch_alter_table("access_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_rules_petition_id"))

    op.drop_table("access_rules")
