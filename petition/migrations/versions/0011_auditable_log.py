"""auditable log: one Merkle log per petition, its perfect subtrees, checkpoints; receipts

Revision ID: 8f3b2d6a4c1e
Revises: 5a7d3c9e1f20
Create Date: 2026-12-06 03:00:00.000000

The upgrade writes a log for the signatures that exist: per petition, in signature id order, an
add for each confirmed one, and for each one held after confirming an add then an exclude, so
the log's counted total equals signature_count. Each gets a new receipt nobody has seen yet
(receipts are shown on the confirmation page from now on). No checkpoint is signed here: the
first request for one, the next signature or `petitions checkpoint` makes it. The downgrade
drops the log and the receipts.
"""

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8f3b2d6a4c1e"
down_revision = "5a7d3c9e1f20"
branch_labels = None
depends_on = None

SIGNATURES = sa.table(
    "signatures",
    sa.column("id", sa.Integer),
    sa.column("petition_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("confirmed_at", sa.DateTime),
    sa.column("invalidation_id", sa.Integer),
    sa.column("receipt", sa.String),
    sa.column("commitment", sa.String),
    sa.column("log_index", sa.Integer),
)
PETITIONS = sa.table(
    "petitions",
    sa.column("id", sa.Integer),
    sa.column("log_size", sa.Integer),
    sa.column("log_counted", sa.Integer),
)
ENTRIES = sa.table(
    "log_entries",
    *(sa.column(name) for name in ("petition_id", "position", "kind", "commitment")),
    *(sa.column(name) for name in ("refers_to", "reason", "counted")),
    sa.column("leaf", sa.LargeBinary),
    sa.column("leaf_hash", sa.LargeBinary),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
NODES = sa.table(
    "log_nodes",
    sa.column("petition_id", sa.Integer),
    sa.column("level", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("hash", sa.LargeBinary),
)
BATCH = 1000


def _leaf(entry: Mapping[str, Any]) -> bytes:
    """As the code of this revision writes a leaf: canonical JSON, UTF-8."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _minute(moment: datetime) -> str:
    """UTC to the minute; SQLite hands back naive UTC, PostgreSQL the session's zone."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%MZ")


class _Log:
    """One petition's log being written: the right edge of its tree is all an append needs."""

    def __init__(self, petition_id: int, now: datetime) -> None:
        self.petition_id = petition_id
        self.now = now
        self.size = 0
        self.counted = 0
        # (level, hash) of the perfect subtrees on the right edge, largest first
        self.edge: list[tuple[int, bytes]] = []
        self.entries: list[dict[str, Any]] = []
        self.nodes: list[dict[str, Any]] = []

    def append(self, entry: Mapping[str, Any], delta: int) -> int:
        index = self.size
        leaf = _leaf(entry)
        current = hashlib.sha256(b"\x00" + leaf).digest()
        self.counted += delta
        self.entries.append(
            {
                "petition_id": self.petition_id,
                "position": index,
                "leaf": leaf,
                "leaf_hash": current,
                "kind": entry["kind"],
                "commitment": entry.get("commitment"),
                "refers_to": entry.get("refers_to"),
                "reason": entry.get("reason"),
                "counted": self.counted,
                "created_at": self.now,
            }
        )
        level = 0
        while self.edge and self.edge[-1][0] == level:
            _, left = self.edge.pop()
            current = hashlib.sha256(b"\x01" + left + current).digest()
            level += 1
            self.nodes.append(
                {
                    "petition_id": self.petition_id,
                    "level": level,
                    "position": index >> level,
                    "hash": current,
                }
            )
        self.edge.append((level, current))
        self.size += 1
        return index

    def flush(self, bind: sa.Connection) -> None:
        if self.entries:
            bind.execute(ENTRIES.insert(), self.entries)
        if self.nodes:
            bind.execute(NODES.insert(), self.nodes)
        self.entries, self.nodes = [], []


def _backfill() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":  # stored naive, in UTC, as the app's UTCDateTime does
        now = now.replace(tzinfo=None)
    logged = (
        sa.select(
            SIGNATURES.c.id,
            SIGNATURES.c.petition_id,
            SIGNATURES.c.status,
            SIGNATURES.c.confirmed_at,
            SIGNATURES.c.invalidation_id,
        )
        .where(
            SIGNATURES.c.confirmed_at.is_not(None),
            SIGNATURES.c.status.in_(("confirmed", "fraudulent")),
        )
        .order_by(SIGNATURES.c.petition_id, SIGNATURES.c.id)
    )
    logs: dict[int, _Log] = {}
    receipts: list[dict[str, Any]] = []
    for row in bind.execute(logged).all():
        log = logs.setdefault(row.petition_id, _Log(row.petition_id, now))
        receipt = base64.b32encode(secrets.token_bytes(20)).decode().lower()
        commitment = hashlib.sha256(receipt.encode()).hexdigest()
        add = log.append(
            {"commitment": commitment, "kind": "add", "time": _minute(row.confirmed_at)}, 1
        )
        if row.status == "fraudulent":
            reason = "invalidated" if row.invalidation_id is not None else "held"
            exclude = {"kind": "exclude", "reason": reason, "refers_to": add}
            log.append(exclude | {"time": _minute(row.confirmed_at)}, -1)
        receipts.append(
            {"signature_id": row.id, "receipt": receipt, "commitment": commitment, "add": add}
        )
        if len(log.entries) >= BATCH:
            log.flush(bind)
    for log in logs.values():
        log.flush(bind)
        bind.execute(
            PETITIONS.update()
            .where(PETITIONS.c.id == log.petition_id)
            .values(log_size=log.size, log_counted=log.counted)
        )
    if receipts:
        bind.execute(
            SIGNATURES.update()
            .where(SIGNATURES.c.id == sa.bindparam("signature_id"))
            .values(
                receipt=sa.bindparam("receipt"),
                commitment=sa.bindparam("commitment"),
                log_index=sa.bindparam("add"),
            ),
            receipts,
        )


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("log_size", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("log_counted", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("log_checkpoint_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Columns only: SQLite adds them in place, so the table keeps its AUTOINCREMENT as it is.
    with op.batch_alter_table("signatures", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("receipt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("commitment", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("log_index", sa.Integer(), nullable=True))
    op.create_table(
        "log_entries",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=True),
        sa.Column("refers_to", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("petition_id", "position", name="pk_log_entries"),
    )
    op.create_index("ix_log_entries_commitment", "log_entries", ["petition_id", "commitment"])
    op.create_index("ix_log_entries_refers_to", "log_entries", ["petition_id", "refers_to"])
    op.create_table(
        "log_nodes",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("petition_id", "level", "position", name="pk_log_nodes"),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("petition_id", "size", name="uq_log_checkpoints_petition_size"),
    )
    _backfill()


def downgrade() -> None:
    op.drop_table("log_checkpoints")
    op.drop_table("log_nodes")
    op.drop_index("ix_log_entries_refers_to", table_name="log_entries")
    op.drop_index("ix_log_entries_commitment", table_name="log_entries")
    op.drop_table("log_entries")
    with op.batch_alter_table("signatures", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("log_index")
        batch_op.drop_column("commitment")
        batch_op.drop_column("receipt")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("log_checkpoint_at")
        batch_op.drop_column("log_counted")
        batch_op.drop_column("log_size")
