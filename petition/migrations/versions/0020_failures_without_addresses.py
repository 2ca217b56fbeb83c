"""failed mail keeps the relay's codes, not its words: addresses leave outbox.last_error

Revision ID: 0020_failures_without_addresses
Revises: 0019_held_status
Create Date: 2026-12-07 23:00:00.000000

`last_error` kept a relay's whole answer, which repeats the recipient's address ("550 5.1.1
<ann@example.org>: no such user"), while outbox rows are meant to hold only what a message is
about. Delivery now keeps the reply code and the enhanced status ("550 5.1.1") or the kind of
error; this rewrites what earlier rounds kept the same way. The words are not kept on the way
down either.
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_failures_without_addresses"
down_revision = "0019_held_status"
branch_labels = None
depends_on = None

# An SMTP reply code with its enhanced status where it follows ("550 5.1.1"); the first found.
_REPLY = re.compile(r"\b([245]\d\d)\b(?:[^0-9]{1,6}([245]\.\d{1,3}\.\d{1,3})\b)?")
_PREFIXES = ("gave up after", "not composed", "nothing left to send")


def kept(error: str) -> str:
    """What delivery keeps today of an error stored in full by an earlier version."""
    prefix = next((p for p in _PREFIXES if error.startswith(p)), "")
    if prefix == "nothing left to send":
        return prefix
    reply = _REPLY.search(error)
    code = " ".join(part for part in reply.groups() if part) if reply else "error details removed"
    if prefix == "gave up after":
        attempts = re.match(r"gave up after (\d{1,9}) attempts", error)
        return f"gave up after {attempts.group(1) if attempts else 'several'} attempts: {code}"
    return f"{prefix}: {code}" if prefix else code


def upgrade() -> None:
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("last_error", sa.String))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.last_error).where(outbox.c.last_error.is_not(None))
    ).all()
    for row_id, error in rows:
        connection.execute(
            sa.update(outbox).where(outbox.c.id == row_id).values(last_error=kept(error))
        )


def downgrade() -> None:
    pass  # the addresses are gone, as they should be
