"""follow-through: updates to signers, the timeline, paper signatures, confirmation codes

Revision ID: 3e9a1c7b5d42
Revises: 8f3b2d6a4c1e
Create Date: 2026-12-06 05:00:00.000000

Signatures (and the changes a resubmission proposes) say whether the signer wants updates, off
for everyone who signed before; signatures count wrong confirmation codes. Petitions keep their
paper count and the last quarter of the goal their organisers heard about (none yet; a petition
already past a quarter is told when it passes the next). The outbox learns updates, mail to
organisers (and the petition it is about) and a priority, claimed by a new index.
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e9a1c7b5d42"
down_revision = "8f3b2d6a4c1e"
branch_labels = None
depends_on = None


def _rebuild() -> Literal["auto", "never"]:
    # SQLite adds a foreign key only by rebuilding the table; PostgreSQL alters it in place.
    return "auto" if op.get_bind().dialect.name == "sqlite" else "never"


def _organiser() -> sa.Column[int]:
    return sa.Column(
        "organiser_id",
        sa.Integer(),
        sa.ForeignKey("organisers.id", ondelete="SET NULL"),
        nullable=True,
    )


def _petition() -> sa.Column[int]:
    return sa.Column(
        "petition_id",
        sa.Integer(),
        sa.ForeignKey("petitions.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "petition_milestones",
        sa.Column("id", sa.Integer(), primary_key=True),
        _petition(),
        _organiser(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_petition_milestones_petition", "petition_milestones", ["petition_id", "happened_on"]
    )
    op.create_table(
        "petition_updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        _petition(),
        _organiser(),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "milestone_id",
            sa.Integer(),
            sa.ForeignKey(
                "petition_milestones.id", ondelete="SET NULL", name="fk_updates_milestone_id"
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
    )
    op.create_index("ix_petition_updates_petition", "petition_updates", ["petition_id", "id"])
    op.create_table(
        "paper_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        _petition(),
        _organiser(),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_paper_batches_petition", "paper_batches", ["petition_id", "id"])

    with op.batch_alter_table("petitions") as batch_op:
        batch_op.add_column(
            sa.Column("paper_signature_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("goal_notified", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table(
        "signature_changes", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("wants_updates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table(
        "signatures", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("wants_updates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("code_failures", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table(
        "outbox", recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("update_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organiser_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("petition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("figure", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_outbox_update_id"), ["update_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_organiser_id"), ["organiser_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_outbox_update_id", "petition_updates", ["update_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            "fk_outbox_organiser_id", "organisers", ["organiser_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_outbox_petition_id"), ["petition_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_outbox_petition_id", "petitions", ["petition_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_index("ix_outbox_state_due")
        batch_op.create_index(
            "ix_outbox_state_priority_due", ["state", "priority", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind IN ('update', 'goal-passed')")
    with op.batch_alter_table(
        "outbox", recreate=_rebuild(), table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_outbox_state_priority_due")
        batch_op.create_index("ix_outbox_state_due", ["state", "next_attempt_at"], unique=False)
        batch_op.drop_constraint("fk_outbox_petition_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_petition_id"))
        batch_op.drop_column("petition_id")
        batch_op.drop_constraint("fk_outbox_organiser_id", type_="foreignkey")
        batch_op.drop_constraint("fk_outbox_update_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_organiser_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_update_id"))
        batch_op.drop_column("priority")
        batch_op.drop_column("figure")
        batch_op.drop_column("organiser_id")
        batch_op.drop_column("update_id")
    with op.batch_alter_table(
        "signatures", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("code_failures")
        batch_op.drop_column("wants_updates")
    with op.batch_alter_table(
        "signature_changes", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("wants_updates")
    with op.batch_alter_table("petitions") as batch_op:
        batch_op.drop_column("goal_notified")
        batch_op.drop_column("paper_signature_count")
    op.drop_index("ix_paper_batches_petition", table_name="paper_batches")
    op.drop_table("paper_batches")
    op.drop_index("ix_petition_updates_petition", table_name="petition_updates")
    op.drop_table("petition_updates")
    op.drop_index("ix_petition_milestones_petition", table_name="petition_milestones")
    op.drop_table("petition_milestones")
